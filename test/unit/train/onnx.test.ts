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

describe('ONNX export matches mlpipe predictions in onnxruntime', () => {
  for (const c of cases) {
    for (const algorithm of c.algorithms) {
      it(`${c.name}: ${algorithm}`, async () => {
        const params = { algorithm, threads: 1, n_estimators: 20, max_iter: 30, min_samples_leaf: algorithm === 'hgb' ? 5 : null };
        const ds = dataset(c.table(), params);
        const fit = await fitModel(ds, ds.train, resolveParams(params), silentProgress);
        const bytes = toOnnx(fit.scorer, { name: 'test', docString: '', producerVersion: '0.0.0' });
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
