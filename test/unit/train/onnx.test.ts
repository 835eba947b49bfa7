import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../../src/core/progress.js';
import type { Table } from '../../../src/train/data/load.js';
import { fitModel } from '../../../src/train/fit.js';
import { toOnnx } from '../../../src/train/model/onnx.js';
import { argmax, score } from '../../../src/train/model/scorer.js';
import { resolveParams } from '../../../src/train/params.js';
import { dataset, diabetesTable, sklearnTable } from './helpers.js';

/**
 * model.onnx must reproduce mlpipe's own predictions within 1e-5 when scored by onnxruntime-node
 * (relative to the value's magnitude for regression, since ONNX outputs float32).
 */
const cases: { name: string; table: () => Table; algorithms: string[] }[] = [
  { name: 'binary (breast cancer)', table: () => sklearnTable('breast_cancer.csv'), algorithms: ['logistic', 'decision_tree', 'random_forest', 'hgb'] },
  { name: 'multiclass (wine)', table: () => sklearnTable('wine_data.csv'), algorithms: ['logistic', 'decision_tree', 'random_forest', 'hgb'] },
  { name: 'regression (diabetes)', table: diabetesTable, algorithms: ['linear', 'ridge', 'decision_tree', 'random_forest', 'hgb'] },
];

const GOLDEN_MD5: Record<string, string> = {
  'binary (breast cancer): logistic': '81c6274b6df92ee23fc905dfd3c110cd',
  'binary (breast cancer): decision_tree': '9f86c3d8f7c05c28189a3328a9595171',
  'binary (breast cancer): random_forest': '4dbe5d43a911860c5d3b5dd68090b861',
  'binary (breast cancer): hgb': '2537f1089d75527797dc2a479c7dc5aa',
  'multiclass (wine): logistic': '284fdb63d947250e46ce2223e4747c0a',
  'multiclass (wine): decision_tree': 'f15f1b304dda038339ce26e4c2465349',
  'multiclass (wine): random_forest': 'd839ba1e66a8d2511e7a3686595d0b3c',
  'multiclass (wine): hgb': 'c7041bea635f49eefab3b3236fc15fd6',
  'regression (diabetes): linear': 'f02e509769d7ca692bdbce54530212f0',
  'regression (diabetes): ridge': 'a5528fcf07dae5e3931019930006d54e',
  'regression (diabetes): decision_tree': '7c736d582445be2de066f488c4c3b9c3',
  'regression (diabetes): random_forest': '04a1a0d6b5b32bf208073697079ab29d',
  'regression (diabetes): hgb': '62620e90efa48dfce475a18c61f41b45',
};

describe('ONNX export matches mlpipe predictions in onnxruntime', () => {
  for (const c of cases) {
    for (const algorithm of c.algorithms) {
      it(`${c.name}: ${algorithm}`, async () => {
        const params = { algorithm, threads: 1, n_estimators: 20, max_iter: 30, min_samples_leaf: algorithm === 'hgb' ? 5 : null };
        const ds = dataset(c.table(), params);
        const fit = await fitModel(ds, ds.train, resolveParams(params), silentProgress);
        const bytes = toOnnx(fit.scorer, { name: 'test', docString: '', producerVersion: '0.0.0' });
        // The bytes are the canonical protobuf encoding (what onnx-proto writes for the message it
        // reads from them), and the same bytes as onnx-proto wrote for these models before
        // model.onnx got its own writer (proto-writer.ts).
        const { ModelProto } = onnxProto.onnx;
        expect(Buffer.from(ModelProto.encode(ModelProto.decode(bytes)).finish()).equals(Buffer.from(bytes))).toBe(true);
        expect(createHash('md5').update(bytes).digest('hex')).toBe(GOLDEN_MD5[`${c.name}: ${algorithm}`]);
        const session = await ort.InferenceSession.create(bytes);
        const F = ds.features.length;
        const out = await session.run({ input: new ort.Tensor('float32', ds.X, [ds.rows, F]) });
        const mine = score(fit.scorer, ds.X, ds.rows);
        if (!ds.classes) {
          expect(session.outputNames).toEqual(['variable']);
          const theirs = out.variable!.data as Float32Array;
          for (let i = 0; i < ds.rows; i++) expect(Math.abs(theirs[i]! - mine[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(mine[i]!)));
          return;
        }
        const C = ds.classes.length;
        expect(session.outputNames).toEqual(['label', 'probabilities']);
        const proba = out.probabilities!.data as Float32Array;
        expect(proba.length).toBe(ds.rows * C);
        let worst = 0;
        for (let i = 0; i < proba.length; i++) worst = Math.max(worst, Math.abs(proba[i]! - mine[i]!));
        expect(worst).toBeLessThanOrEqual(1e-5);
        expect(Array.from(out.label!.data as BigInt64Array, Number)).toEqual(Array.from(argmax(mine, C)));
      });
    }
  }
});
