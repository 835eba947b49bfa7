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
export { parseDvcLock, serializeDvcLock } from './core/formats/dvclock.js';
export type { DvcLock, LockEntry, LockStage } from './core/formats/dvclock.js';
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
export { openRepo } from './core/repo/open.js';
export type { Repo } from './core/repo/open.js';
export { initRepo } from './core/repo/init.js';
export { add } from './core/repo/add.js';
export { hashPath, commitPath } from './core/repo/hash-path.js';
export type { PathHash } from './core/repo/hash-path.js';
export { checkoutOutput } from './core/repo/checkout-output.js';
export { collectUsedObjects } from './core/repo/used-objects.js';
export type { UsedObject, UsedObjects } from './core/repo/used-objects.js';
export { ServeApp } from './serve/app.js';
export type { AppOptions, ServeRequest, ServeResponse } from './serve/app.js';
export { listen } from './serve/node-server.js';
export type { NodeServerOptions, RunningServer } from './serve/node-server.js';
export { serve } from './serve/serve.js';
export type { ServeOptions } from './serve/serve.js';
export { loadModel } from './serve/model.js';
export type { LoadOptions, Model, Predictions } from './serve/model.js';
export { predict } from './serve/predict.js';
export type { PredictOptions, PredictResult } from './serve/predict.js';
