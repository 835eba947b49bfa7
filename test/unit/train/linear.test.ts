import { describe, expect, it } from 'vitest';
import { fitLinear } from '../../../src/train/linear/linear.js';
import { fitLogistic } from '../../../src/train/linear/logistic.js';
import { sklearnTable } from './helpers.js';

const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('linear and ridge regression (closed form)', () => {
  it('recovers exact coefficients of a noiseless linear target', () => {
    // y = 3 + 2 x0 - x1 + 0.5 x2
    const rows = [
      [0, 0, 0],
      [1, 0, 2],
      [0, 1, 1],
      [2, 3, 0],
      [4, 1, 5],
      [1, 2, 3],
    ];
    const X = Float32Array.from(rows.flat());
    const y = Float64Array.from(rows, ([a, b, c]) => 3 + 2 * a! - b! + 0.5 * c!);
    const fit = fitLinear(X, 3, all(rows.length), y, 0);
    expect(Array.from(fit.coef, (c) => Number(c.toFixed(10)))).toEqual([2, -1, 0.5]);
    expect(fit.intercept).toBeCloseTo(3, 10);
  });

  it('ridge shrinks the slope by Sxy / (Sxx + alpha), intercept unpenalised', () => {
    // x = 0..3, y = 1 + 2x: Sxx = 5, Sxy = 10, alpha = 1 -> slope 10/6, intercept 4 - 1.5 * 10/6 = 1.5
    const fit = fitLinear(Float32Array.from([0, 1, 2, 3]), 1, all(4), Float64Array.from([1, 3, 5, 7]), 1);
    expect(fit.coef[0]).toBeCloseTo(5 / 3, 12);
    expect(fit.intercept).toBeCloseTo(1.5, 12);
  });

  it('falls back to a tiny ridge when columns are collinear (one-hot + intercept)', () => {
    const X = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]);
    const fit = fitLinear(X, 2, all(4), Float64Array.from([1, 3, 1, 3]), 0);
    // Predictions are exact even though the coefficients are not unique.
    expect(fit.intercept + fit.coef[0]!).toBeCloseTo(1, 6);
    expect(fit.intercept + fit.coef[1]!).toBeCloseTo(3, 6);
  });
});

describe('logistic regression (L-BFGS) matches scikit-learn', () => {
  const table = sklearnTable('iris.csv');
  const F = 4;
  const X = new Float32Array(table.rows * F);
  for (let f = 0; f < F; f++) for (let r = 0; r < table.rows; r++) X[r * F + f] = table.columns[f]!.values[r] as number;
  const target = table.columns[F]!.values as Float64Array;

  it(`multinomial on iris (test/fixtures/datasets/iris.csv), C = 1`, () => {
    // sklearn 1.2.1: LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y) on the float32 X
    const fit = fitLogistic(X, F, all(table.rows), Int32Array.from(target), 3, { C: 1, maxIter: 10_000, tol: 1e-10, ftol: 0, weights: null });
    const expected = [
      [-0.423497, 0.967359, -2.517035, -1.07942],
      [0.534462, -0.321481, -0.206067, -0.944711],
      [-0.110965, -0.645878, 2.723102, 2.024131],
    ].flat();
    // scipy's L-BFGS-B (behind sklearn) also stops on a relative objective change of ~2e-9, so
    // sklearn's own answer is only good to about 1e-4 here; mlpipe reaches the gradient tolerance.
    for (const [i, c] of fit.coef.entries()) expect(c).toBeCloseTo(expected[i]!, 3);
    for (const [i, c] of fit.intercept.entries()) expect(c).toBeCloseTo([9.848908, 2.236055, -12.084963][i]!, 2);
    expect(fit.converged).toBe(true);
  });

  it('binary (virginica vs rest), C = 0.5', () => {
    // sklearn 1.2.1: LogisticRegression(C=0.5, tol=1e-10, max_iter=10000).fit(X, y == 2)
    const y = Int32Array.from(target, (v) => (v === 2 ? 1 : 0));
    const fit = fitLogistic(X, F, all(table.rows), y, 2, { C: 0.5, maxIter: 10_000, tol: 1e-10, ftol: 0, weights: null });
    expect(fit.outputs).toBe(1);
    for (const [i, c] of fit.coef.entries()) expect(c).toBeCloseTo([-0.101993, -0.263102, 2.30505, 1.775182][i]!, 4);
    expect(fit.intercept[0]).toBeCloseTo(-12.847285, 3);
  });
});
