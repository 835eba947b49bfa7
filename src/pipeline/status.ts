/**
 * The pipeline part of `mlpipe status`, for the status command (which also reports `.dvc` data):
 * how many stages dvc.yaml defines and which changed, with DVC's reasons and rendering.
 */
export { dataOpsFor } from './core-ops.js';
export { pipelineStatus } from './repro.js';
