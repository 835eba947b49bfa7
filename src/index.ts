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
export { train } from './train/train.js';
export type { TrainOptions, TrainResult } from './train/train.js';
export { DEFAULT_PARAMS } from './train/params.js';
export type { Algorithm, TrainParams } from './train/params.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './train/model/artifact.js';
export type { ColumnType, FeatureStep, InputColumn, ModelMeta, OnnxBinding, Task } from './train/model/artifact.js';
export { featureCount, preprocess, preprocessForModel } from './train/model/preprocess.js';
export type { RawColumns } from './train/model/preprocess.js';
