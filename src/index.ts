/**
 * The public API of mlpipe. Everything a library user may import is re-exported here explicitly;
 * anything not listed is internal and may change.
 */
export { ERROR_CODES, MlpipeError, isMlpipeError } from './errors.js';
export type { ErrorCode, MlpipeErrorOptions } from './errors.js';
export { silentProgress } from './core/progress.js';
export type { ProgressOptions, ProgressReporter, ProgressTask } from './core/progress.js';
export { findRepoRoot } from './core/repo/find-root.js';
export { diagnose } from './core/doctor.js';
export type { DoctorReport } from './core/doctor.js';
export { md5File, md5Bytes } from './core/hash/md5.js';
export { md5Dos2unixFile } from './core/hash/dos2unix.js';
export { hashFiles } from './core/hash/pool.js';
export type { HashJob, HashResult } from './core/hash/pool.js';
export { dirOid, parseDirManifest, serializeDirManifest } from './core/hash/manifest.js';
export type { ManifestEntry } from './core/hash/manifest.js';
export { parseDvcFile, serializeNewDvcFile, serializeUpdatedDvcFile } from './core/formats/dvcfile.js';
export type { DvcFile, DvcOut } from './core/formats/dvcfile.js';
export { emptyLock, makeLockStage, parseLock, serializeLock } from './core/formats/dvclock.js';
export type { LockFile, LockItem, LockStage } from './core/formats/dvclock.js';
export {
  getConfigValue,
  mergeConfigs,
  namedSection,
  namedSections,
  parseConfig,
  removeConfigSection,
  serializeConfig,
  setConfigValue,
  unsetConfigValue,
} from './core/formats/config.js';
export type { Config, ConfigValue } from './core/formats/config.js';
export { LocalOdb } from './core/odb/local.js';
export type { ObjectRef } from './core/odb/local.js';
export { openRepo, withRepo } from './core/repo/open.js';
export type { Repo } from './core/repo/open.js';
export { initRepo } from './core/repo/init.js';
export { add } from './core/repo/add.js';
export { hashPath, commitPath } from './core/repo/hash-path.js';
export type { PathHash } from './core/repo/hash-path.js';
export { checkoutOutput } from './core/repo/checkout-output.js';
export { collectUsedObjects } from './core/repo/used-objects.js';
export type { UsedObject, UsedObjects } from './core/repo/used-objects.js';
export { dataStatus, dataStatusToDvcJson, outputStatus } from './core/repo/status.js';
export type { DataStatus, DataStatusEntry, OutputStatus } from './core/repo/status.js';
export { checkout } from './core/repo/checkout.js';
export { commit } from './core/repo/commit.js';
export { dataDiff } from './core/repo/diff.js';
export type { DataDiff } from './core/repo/diff.js';
export { remove } from './core/repo/remove.js';
export { move } from './core/repo/move.js';
export { unprotect } from './core/repo/unprotect.js';
export type { UnprotectOptions, UnprotectResult } from './core/repo/unprotect.js';
export { gc } from './core/repo/gc.js';
export type { GcResult } from './core/repo/gc.js';
export { diskUsage, listTracked } from './core/repo/ls.js';
export type { TrackedEntry } from './core/repo/ls.js';
export { fsck } from './core/repo/fsck.js';
export type { FsckResult } from './core/repo/fsck.js';
export { collectWorkspace, loadDvcFile } from './core/repo/dvcfiles.js';
export type { LockOutput, TrackedFile, TrackedOutput } from './core/repo/dvcfiles.js';
export { train } from './train/train.js';
export type { TrainOptions, TrainResult } from './train/train.js';
export { DEFAULT_PARAMS } from './train/params.js';
export type { Algorithm, TrainParams } from './train/params.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './model/artifact.js';
export type { ColumnType, FeatureStep, InputColumn, ModelMeta, OnnxBinding, Task } from './model/artifact.js';
export { featureCount, preprocess, preprocessForModel } from './model/preprocess.js';
export type { RawColumns } from './model/preprocess.js';
export { addRemote, listRemotes, modifyRemote, removeRemote, resolveRemote, setDefaultRemote } from './remote/config.js';
export type { AddRemoteOptions, ModifyRemoteOptions, RemoteInfo } from './remote/config.js';
export { cloudStatus, fetchFromRemote, pullFromRemote, pushToRemote } from './remote/sync.js';
export type { CloudStatus, CloudStatusResult, PullResult, SyncOptions, SyncResult } from './remote/sync.js';
export { fetchObjects, pushObjects } from './remote/transfer.js';
export type { TransferCache, TransferFailure, TransferOptions, TransferSet, TransferSummary } from './remote/transfer.js';
export { openStore, remoteKind } from './remote/stores/open.js';
export type { OpenStoreContext, RemoteKind, RemoteSpec } from './remote/stores/open.js';
export type { ObjectStore, StoreCallOptions } from './remote/stores/types.js';
export { createRemoteHandler } from './remote/server/handler.js';
export type { RemoteServerOptions } from './remote/server/handler.js';
export { startRemoteServer } from './remote/server/serve.js';
export type { RunningRemoteServer, StartRemoteServerOptions } from './remote/server/serve.js';
export { validate, loadSchema } from './data/validate.js';
export type { ValidateOptions, ValidationReport } from './data/validate.js';
export { profile } from './data/profile.js';
export type { ColumnProfile, Profile } from './data/profile.js';
export { inferSchema, schemaFromProfile } from './data/infer.js';
export { parseSchema, serializeSchema, sourceFromSchema } from './data/schema.js';
export type { Schema, ColumnSchema, Severity, DriftMethod } from './data/schema.js';
export type { Issue, IssueCode, SampleRow } from './data/issues.js';
export type { DriftColumn, DriftReport } from './data/drift.js';
export { renderHtml } from './data/report/html.js';
export { openDatabase, openSource, typedExpr, detectFormat, DEFAULT_CSV } from './data/source.js';
export type { CsvOptions, DataFormat, DataSource, Database, OpenedSource, SourceColumn } from './data/source.js';
export { parseDvcYaml } from './pipeline/dvcyaml.js';
export type { ParseDvcYamlOptions } from './pipeline/dvcyaml.js';
export type { Pipeline, Stage, StageDep, StageOut, ParamsDep, TopLevelPlot } from './pipeline/stage.js';
export { stageStatus } from './pipeline/plan.js';
export type { StatusReason, World } from './pipeline/plan.js';
export { buildGraph, topoOrder } from './pipeline/graph.js';
export { dag } from './pipeline/dag.js';
export { repro, pipelineStatus } from './pipeline/repro.js';
export type { PipelineStatus } from './pipeline/repro.js';
export type { ReproOptions, ReproResult, ReproEvent } from './pipeline/repro.js';
export { openDataOps } from './pipeline/core-ops.js';
export type { DataOps } from './pipeline/data-ops.js';
export { paramsDiff, metricsShow, metricsDiff } from './pipeline/metrics.js';
export type { DiffResult, MetricsShowResult } from './pipeline/metrics.js';
export { renderPlots } from './pipeline/plots/show.js';
export type { PlotsOptions, PlotsResult } from './pipeline/plots/show.js';
export { stageAdd, stageList } from './pipeline/stage-add.js';
export { expRun, expApply, expSave, expBranch } from './pipeline/exp/experiments.js';
export { collectExperiments, sortExperiments } from './pipeline/exp/show.js';
export type { ExpShowData, ExpState, ExpRange, BaselineState } from './pipeline/exp/show.js';
export { expDiff, expRemove } from './pipeline/exp/diff.js';
export { queueExperiment, runQueued, killTasks, removeTasks } from './pipeline/exp/queue.js';
export { listQueue } from './pipeline/exp/queue-store.js';
export type { QueueEntry } from './pipeline/exp/queue-store.js';
export { expandGrid, sweepReport } from './pipeline/exp/sweep.js';
export type { SweepPoint, SweepReport } from './pipeline/exp/sweep.js';
export { metricsShowTargets, metricsDiffTargets } from './pipeline/metrics-targets.js';
export type { PyValue } from './pipeline/values.js';
export { ServeApp } from './serve/app.js';
export type { AppOptions, ServeRequest, ServeResponse } from './serve/app.js';
export { listen } from './serve/node-server.js';
export type { NodeServerOptions, RunningServer } from './serve/node-server.js';
export { serve } from './serve/serve.js';
export type { ServeOptions } from './serve/serve.js';
export { loadModel } from './model/load.js';
export type { LoadOptions, Model, Predictions } from './model/load.js';
export { predict } from './serve/predict.js';
export type { PredictOptions, PredictResult } from './serve/predict.js';
// The model registry (GTO 1.8's git tags) and data from other repositories
export { loadState, registryRoot } from './registry/load.js';
export { assign, deprecate, register } from './registry/ops.js';
export type { TagCreated } from './registry/ops.js';
export { resolveVersion } from './registry/resolve.js';
export { which } from './registry/which.js';
export { declareArtifact, parseArtifacts, resolveArtifact } from './registry/artifacts.js';
export type { ArtifactDecl } from './registry/artifacts.js';
export { checkRef, history, showRegistry, showVersions } from './registry/views.js';
export { importStageMd5, importOf, serializeImportFile } from './core/formats/import-file.js';
export type { RepoImport } from './core/formats/import-file.js';
export { getPath, importPath, updateImport } from './remote/import.js';
