import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../../src/core/progress.js';
import { fitModel } from '../../../src/train/fit.js';
import { score, scoreFromTreeSums } from '../../../src/train/model/scorer.js';
import { resolveParams } from '../../../src/train/params.js';
import { sortFloat32, median } from '../../../src/train/sort.js';
import { applyBins, fitBins } from '../../../src/train/tree/bins.js';
import { growCart } from '../../../src/train/tree/cart.js';
import { wasmModule } from '../../../src/core/wasm.js';
import { dataset, diabetesTable, sklearnTable, tableOf } from './helpers.js';

const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('binning', () => {
  it('uses the data values as thresholds, so bin <= b is exactly x <= threshold', () => {
    const X = Float32Array.from([3, 1, 2, 2, 1, 3]);
    const thresholds = fitBins(X, 1, all(6), 255, 0);
    expect(Array.from(thresholds[0]!)).toEqual([1, 2]);
    expect(Array.from(applyBins(X, 1, all(6), thresholds))).toEqual([2, 0, 1, 1, 0, 2]);
  });

  it('takes quantile edges when there are more distinct values than bins', () => {
    const X = Float32Array.from({ length: 100 }, (_, i) => i);
    expect(Array.from(fitBins(X, 1, all(100), 4, 0)[0]!)).toEqual([24, 49, 74]);
  });

  it('radix-sorts float32 and selects medians exactly', () => {
    const v = Float32Array.from([3.5, -1, 0, -7.25, 1e30, -1e-30, 2]);
    sortFloat32(v);
    expect(Array.from(v)).toEqual([-7.25, -1, Math.fround(-1e-30), 0, 2, 3.5, Math.fround(1e30)]);
    expect(median(Float64Array.from([5, 1, 4, 2, 3]))).toBe(3);
    expect(median(Float64Array.from([5, 1, 4, 2]))).toBe(3);
  });
});

/** Two classes separated at x0 = 2.5, with a noise column. */
const separable = () =>
  dataset(tableOf({ x0: [1, 2, 3, 4, 1.5, 3.5, 2, 4.5], noise: [7, 3, 5, 1, 2, 8, 6, 4], target: [0, 0, 1, 1, 0, 1, 0, 1] }), {
    test_size: 0,
  });

async function fitOn(ds: ReturnType<typeof separable>, params: Record<string, unknown>) {
  return fitModel(ds, ds.train, resolveParams({ test_size: 0, threads: 1, ...params }), silentProgress);
}

describe('tree models on data with a known answer', () => {
  it('a decision tree finds the perfect split x0 <= 2 (a data value) with pure leaves', async () => {
    const ds = separable();
    const { scorer, importance } = await fitOn(ds, { algorithm: 'decision_tree' });
    if (scorer.kind !== 'trees') throw new Error('expected trees');
    const tree = scorer.trees[0]!;
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
    expect(tree.threshold[0]).toBe(2);
    expect(Array.from(tree.value)).toEqual([0.5, 0, 1]); // p(class 1) per node; the leaves score
    expect(Array.from(importance!)).toEqual([4, 0]); // weighted Gini decrease: 8 * 0.5 - 0
    expect(Array.from(score(scorer, ds.X, ds.rows))).toEqual([1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]);
  });

  it('a random forest classifies separable data perfectly', async () => {
    const ds = separable();
    const { scorer } = await fitOn(ds, { algorithm: 'random_forest', n_estimators: 25, max_features: 'all' });
    const proba = score(scorer, ds.X, ds.rows);
    const y = ds.y as Int32Array;
    for (let i = 0; i < ds.rows; i++) expect(proba[i * 2 + 1]! > 0.5 ? 1 : 0).toBe(y[i]);
  });

  it('gradient boosting with learning_rate 1 fits a step function exactly in one iteration', async () => {
    const x = Array.from({ length: 40 }, (_, i) => i);
    const ds = dataset(tableOf({ x, target: x.map((v) => (v < 25 ? 10 : 50)) }), { test_size: 0, task: 'regression' });
    const { scorer, curve } = await fitOn(ds, {
      algorithm: 'hgb',
      learning_rate: 1,
      max_iter: 1,
      min_samples_leaf: 5,
      early_stopping: false,
      task: 'regression',
    });
    if (scorer.kind !== 'trees') throw new Error('expected trees');
    expect(scorer.base[0]).toBe(25); // mean of 25 tens and 15 fifties
    expect(scorer.trees[0]!.threshold[0]).toBe(24);
    expect(Array.from(score(scorer, ds.X, ds.rows))).toEqual(x.map((v) => (v < 25 ? 10 : 50)));
    expect(curve).toEqual([{ iteration: 1, train_loss: 0 }]);
  });

  it('gradient boosting separates classes and its loss falls every iteration', async () => {
    const ds = separable();
    const { scorer, curve } = await fitOn(ds, { algorithm: 'hgb', max_iter: 20, min_samples_leaf: 1, early_stopping: false });
    const proba = score(scorer, ds.X, ds.rows);
    const y = ds.y as Int32Array;
    for (let i = 0; i < ds.rows; i++) expect(proba[i * 2 + 1]! > 0.5 ? 1 : 0).toBe(y[i]);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.train_loss).toBeLessThan(curve[i - 1]!.train_loss);
  });
});

describe('gradient boosting training scores', () => {
  // train.ts takes the training rows' metrics from the sums the fit kept instead of scoring them
  // again: they must be the very doubles the scorer (and so model.onnx) gives, on the rows used for
  // the trees and on the early-stopping validation rows alike.
  const cases = [
    { name: 'binary (breast cancer)', ds: () => dataset(sklearnTable('breast_cancer.csv'), { test_size: 0.25 }) },
    { name: 'multiclass (wine)', ds: () => dataset(sklearnTable('wine_data.csv'), { test_size: 0.25 }) },
    { name: 'regression (diabetes)', ds: () => dataset(diabetesTable(), { test_size: 0.25, task: 'regression' }) },
  ];
  for (const c of cases) {
    it(`equal the scorer's bit for bit: ${c.name}`, async () => {
      const ds = c.ds();
      const params = resolveParams({ algorithm: 'hgb', task: ds.task, max_iter: 30, early_stopping: true, validation_fraction: 0.2, threads: 2 });
      const fit = await fitModel(ds, ds.train, params, silentProgress);
      if (fit.scorer.kind !== 'trees' || !fit.treeSums) throw new Error('expected the tree sums of a boosted fit');
      expect(fit.treeSums.rows).toBe(ds.train);
      const F = ds.features.length;
      const X = new Float32Array(ds.train.length * F);
      for (let i = 0; i < ds.train.length; i++) X.set(ds.X.subarray(ds.train[i]! * F, (ds.train[i]! + 1) * F), i * F);
      const expected = score(fit.scorer, X, ds.train.length);
      const kept = scoreFromTreeSums(fit.scorer, fit.treeSums.sums, ds.train.length);
      expect(kept.length).toBe(expected.length);
      let differ = 0;
      for (let i = 0; i < kept.length; i++) if (!Object.is(kept[i], expected[i])) differ++;
      expect(differ).toBe(0);
      // Taking the scores leaves the sums as they were (a second evaluation gets the same).
      expect(Array.from(scoreFromTreeSums(fit.scorer, fit.treeSums.sums, ds.train.length))).toEqual(Array.from(kept));
    });
  }
});

describe('CART and forest fits on real tables', () => {
  // sha256 of every tree's arrays (features, float32 thresholds, children, leaf values) and of the
  // importances, as the fit before cart.ts's restructuring (small functions, a typed-array stack)
  // gave them: growCart's rewrites must keep every split, tie and leaf bit for bit.
  const digest = (fit: Awaited<ReturnType<typeof fitModel>>): string => {
    if (fit.scorer.kind !== 'trees') throw new Error('expected trees');
    const hash = createHash('sha256');
    for (const t of fit.scorer.trees) for (const a of [t.feature, t.threshold, t.bin, t.left, t.right, t.value]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    hash.update(new Uint8Array(fit.importance!.buffer));
    return `${fit.scorer.trees.reduce((n, t) => n + t.feature.length, 0)} nodes ${hash.digest('hex').slice(0, 16)}`;
  };
  const cases = [
    { name: 'forest, binary (breast cancer)', ds: () => dataset(sklearnTable('breast_cancer.csv'), { test_size: 0.25 }), params: { algorithm: 'random_forest', n_estimators: 8 }, expected: '290 nodes cb4b46bf8a549e0f' },
    { name: 'forest, multiclass (wine), class weights', ds: () => dataset(sklearnTable('wine_data.csv'), { test_size: 0.25 }), params: { algorithm: 'random_forest', n_estimators: 8, class_weight: 'balanced' }, expected: '154 nodes 5fa0dd9ab5cce5a8' },
    { name: 'forest, regression (diabetes), min_samples_leaf 3', ds: () => dataset(diabetesTable(), { test_size: 0.25, task: 'regression' }), params: { algorithm: 'random_forest', task: 'regression', n_estimators: 8, min_samples_leaf: 3 }, expected: '924 nodes bb93050a5191c157' },
    { name: 'tree, multiclass (wine), max_depth 3', ds: () => dataset(sklearnTable('wine_data.csv'), { test_size: 0.25 }), params: { algorithm: 'decision_tree', max_depth: 3 }, expected: '15 nodes 438648baeef9b9f6' },
    { name: 'tree, regression (diabetes)', ds: () => dataset(diabetesTable(), { test_size: 0.25, task: 'regression' }), params: { algorithm: 'decision_tree', task: 'regression' }, expected: '649 nodes 19a891d925465f09' },
  ];
  it('the WebAssembly node loops (cart.wat) grow the same trees as the JavaScript ones', () => {
    // Without the built module both runs would take the JavaScript loops: `npm test` builds dist/ first.
    expect(wasmModule('train/tree/cart')).not.toBeNull();
    // Binned data of real tables, grown with whole weights (a bootstrap's 0-4) and fractional ones.
    for (const [table, task] of [
      [sklearnTable('breast_cancer.csv'), 'binary'],
      [sklearnTable('wine_data.csv'), 'multiclass'],
      [diabetesTable(), 'regression'],
    ] as const) {
      const ds = dataset(table, { test_size: 0, task });
      const rows = Uint32Array.from({ length: ds.rows }, (_, i) => i);
      const F = ds.features.length;
      const thresholds = fitBins(ds.X, F, rows, 255, 0);
      const bins = applyBins(ds.X, F, rows, thresholds);
      const classes = ds.classes?.length ?? 0;
      const data = { bins, n: ds.rows, F, thresholds, y: ds.y, classes };
      for (const fractional of [false, true]) {
        const weights = Float64Array.from({ length: ds.rows }, (_, i) => ((i * 7) % 5) * (fractional ? 1.37 : 1));
        const samples = Uint32Array.from(rows.filter((i) => weights[i]! > 0));
        const grow = (wasm: boolean) => {
          const importance = new Float64Array(F);
          const tree = growCart(data, samples, weights, { maxDepth: Number.POSITIVE_INFINITY, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 3, seed: 5, leafScale: 1, wasm }, importance);
          return [tree.feature, tree.threshold, tree.left, tree.right, tree.value, importance].map((a) => Array.from(a));
        };
        const js = grow(false);
        expect(js[0]!.length).toBeGreaterThan(20);
        expect(grow(true)).toEqual(js);
      }
    }
  });

  for (const c of cases) {
    it(`grow the same trees as before: ${c.name}`, async () => {
      const ds = c.ds();
      const fit = await fitModel(ds, ds.train, resolveParams({ threads: 1, ...c.params }), silentProgress);
      expect(digest(fit)).toBe(c.expected);
    });
  }
});
