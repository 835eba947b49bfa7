import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ModelMeta } from '../../../src/model/artifact.js';
import { makeOnnx } from '../../helpers/onnx-fixtures.mjs';
import { tempDir } from '../../helpers/tree.js';

/**
 * Model folders for the serving tests: hand-built ONNX graphs (as a foreign exporter would write
 * them; test/helpers/onnx-fixtures.mjs, no Python needed) plus a hand-written model.json in mlpipe's
 * artifact format.
 */
export { makeOnnx };

const sha256Of = (onnxPath: string): string => createHash('sha256').update(readFileSync(onnxPath)).digest('hex');
const versionOf = (onnxPath: string): string => sha256Of(onnxPath).slice(0, 12);

function baseMeta(dir: string): Pick<ModelMeta, 'format' | 'formatVersion' | 'version' | 'params' | 'metrics' | 'dataHash' | 'createdAt' | 'mlpipeVersion'> {
  return {
    format: 'mlpipe-model',
    formatVersion: 1,
    version: versionOf(join(dir, 'model.onnx')),
    params: {},
    metrics: {},
    dataHash: '',
    createdAt: '2026-11-26T00:00:00.000Z',
    mlpipeVersion: '0.1.0',
  };
}

/**
 * A 3-class LinearClassifier over raw columns x1 (float), x2 (int, nullable, imputed 0) and color
 * (category, one-hot, unknown categories rejected). x1 is standardised with mean 1, std 2.
 * Scores: z = W·[ (x1-1)/2, x2, red, green, blue ] + b, softmax; see test/helpers/onnx-fixtures.mjs for W and b.
 */
export function linearModel(dir: string, name = 'iris'): ModelMeta {
  mkdirSync(dir, { recursive: true });
  makeOnnx('linear', join(dir, 'model.onnx'));
  const meta: ModelMeta = {
    ...baseMeta(dir),
    name,
    algorithm: 'linear',
    task: 'multiclass',
    target: 'species',
    classes: ['setosa', 'versicolor', 'virginica'],
    inputSchema: [
      { name: 'x1', type: 'float', nullable: false },
      { name: 'x2', type: 'int', nullable: true },
      { name: 'color', type: 'category', nullable: true, categories: ['red', 'green', 'blue'] },
    ],
    preprocessing: [
      { kind: 'numeric', column: 'x1', impute: 0, scale: { mean: 1, std: 2 } },
      { kind: 'numeric', column: 'x2', impute: 0 },
      { kind: 'onehot', column: 'color', categories: ['red', 'green', 'blue'], unknown: 'error' },
    ],
    features: ['x1', 'x2', 'color=red', 'color=green', 'color=blue'],
    onnx: { file: 'model.onnx', input: 'input', inputType: 'float32', outputs: { label: 'label', probabilities: 'probabilities' }, sha256: sha256Of(join(dir, 'model.onnx')) },
  };
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/**
 * A TreeEnsembleRegressor over a, b, c: (a <= 1.5 ? (b <= 10 ? 1 : 2) : 3) + (c <= 0.5 ? 10 : 20).
 * With `json: false` only model.onnx is written (a model exported by another tool).
 */
export function treeModel(dir: string, options: { json?: boolean } = {}): ModelMeta | undefined {
  mkdirSync(dir, { recursive: true });
  makeOnnx('tree', join(dir, 'model.onnx'));
  if (options.json === false) return undefined;
  const meta: ModelMeta = {
    ...baseMeta(dir),
    name: 'tree',
    algorithm: 'trees',
    task: 'regression',
    target: 'y',
    classes: null,
    inputSchema: ['a', 'b', 'c'].map((name) => ({ name, type: 'float' as const, nullable: false })),
    preprocessing: ['a', 'b', 'c'].map((column) => ({ kind: 'numeric' as const, column, impute: 0 })),
    features: ['a', 'b', 'c'],
    onnx: { file: 'model.onnx', input: 'input', inputType: 'float32', outputs: { value: 'variable' }, sha256: sha256Of(join(dir, 'model.onnx')) },
  };
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** Expected softmax probabilities of linearModel for one row, computed independently in float64. */
export function linearExpected(x1: number, x2: number | null, color: string | null): number[] {
  const f = [(x1 - 1) / 2, x2 ?? 0, color === 'red' ? 1 : 0, color === 'green' ? 1 : 0, color === 'blue' ? 1 : 0];
  const w = [
    [0.5, -1.0, 2.0, 0.0, 0.0],
    [-0.5, 1.0, 0.0, 2.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 2.0],
  ];
  const b = [0.1, -0.1, 0.0];
  const z = w.map((row, k) => row.reduce((s, wi, i) => s + wi * f[i]!, b[k]!));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

/**
 * A temp folder holding `iris` (linearModel) and `tree` (treeModel), created before the file's
 * tests and removed after them. Returns a getter for its path.
 */
export function withModels(): () => string {
  let root = '';
  beforeAll(() => {
    root = tempDir();
    linearModel(join(root, 'iris'));
    treeModel(join(root, 'tree'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return () => root;
}
