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
