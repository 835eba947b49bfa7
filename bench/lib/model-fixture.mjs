// A 100-tree boosting model for the serving and batch-prediction benchmarks: an ONNX
// TreeEnsembleClassifier written by the tests' ONNX fixture writer (test/helpers/onnx-fixtures.mjs),
// with an mlpipe model.json over 20 float columns f0..f19.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOnnx } from '../../test/helpers/onnx-fixtures.mjs';

export function boostingModel(dir, { trees = 100, depth = 6, features = 20 } = {}) {
  mkdirSync(dir, { recursive: true });
  const onnx = join(dir, 'model.onnx');
  makeOnnx('boosting', onnx, trees, depth, features);
  const names = Array.from({ length: features }, (_, i) => `f${i}`);
  const sha256 = createHash('sha256').update(readFileSync(onnx)).digest('hex');
  const meta = {
    format: 'mlpipe-model',
    formatVersion: 1,
    name: 'boost',
    version: sha256.slice(0, 12),
    algorithm: 'gradient_boosting',
    task: 'binary',
    target: 'y',
    classes: ['no', 'yes'],
    inputSchema: names.map((name) => ({ name, type: 'float', nullable: true })),
    preprocessing: names.map((column) => ({ kind: 'numeric', column, impute: 0 })),
    features: names,
    params: { trees, depth },
    metrics: {},
    dataHash: '',
    createdAt: new Date(0).toISOString(),
    mlpipeVersion: '0.1.0',
    onnx: { file: 'model.onnx', input: 'input', inputType: 'float32', outputs: { label: 'label', probabilities: 'probabilities' }, sha256 },
  };
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { dir, names };
}

/** Deterministic pseudo-random row values (a small LCG), so runs are comparable. */
export function rng(seed = 1) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
