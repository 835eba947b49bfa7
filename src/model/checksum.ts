import { createHash } from 'node:crypto';
import { MlpipeError } from '../errors.js';
import type { ModelMeta } from './artifact.js';

/** The sha256 (hex) of model.onnx that training records in model.json as `onnx.sha256`. */
export function onnxSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks model.onnx against the sha256 model.json records, on every load (predict, evaluate,
 * serve, hot reload): a flipped byte would otherwise still load and predict (issue 12.7). A
 * model.json written before the field existed loads with a warning; an ONNX file served without a
 * model.json has nothing to check against.
 */
export function verifyOnnx(meta: ModelMeta, bytes: Uint8Array, onnxPath: string, warn: (message: string) => void): void {
  const recorded = meta.onnx.sha256;
  if (recorded === undefined) {
    warn(`model.json records no sha256 for ${meta.onnx.file} (a model trained before mlpipe checked it): ${onnxPath} is loaded unverified; train it again to record one`);
    return;
  }
  const actual = onnxSha256(bytes);
  if (actual === recorded) return;
  throw new MlpipeError('E_MODEL', `${onnxPath} does not match model.json: the file was changed or damaged after training`, {
    expected: `sha256 ${recorded} (model.json "onnx.sha256")`,
    received: `sha256 ${actual}`,
    hint: 'restore the model folder (`mlpipe checkout` / `mlpipe pull` if it is versioned) or train it again',
    data: { file: meta.onnx.file, expected: recorded, actual },
  });
}
