import { lbfgs } from './lbfgs.js';

/**
 * L2-regularised logistic regression, binary (one weight vector) and multinomial (one per class,
 * softmax), fitted by L-BFGS on scikit-learn's objective: mean weighted log loss + ||W||^2 / (2 C n)
 * with unpenalised intercepts, so the coefficients match sklearn's LogisticRegression(C=C).
 */
export interface LogisticFit {
  /** [outputs, F] row-major: outputs = 1 for binary, K for multinomial. */
  coef: Float64Array;
  intercept: Float64Array;
  outputs: number;
  iterations: number;
  converged: boolean;
}

export function fitLogistic(
  X: Float32Array,
  F: number,
  rows: Uint32Array,
  y: Int32Array,
  classes: number,
  options: { C: number; maxIter: number; tol: number; weights: Float64Array | null; onIteration?: (it: number, loss: number) => void },
): LogisticFit {
  const K = classes === 2 ? 1 : classes;
  const P = F + 1;
  const n = rows.length;
  let wsum = 0;
  for (const r of rows) wsum += options.weights ? options.weights[r]! : 1;
  const l2 = 1 / (options.C * wsum);
  const z = new Float64Array(K);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const w = options.weights ? options.weights[r]! : 1;
      const off = r * F;
      for (let k = 0; k < K; k++) {
        let s = theta[k * P + F]!;
        const c = k * P;
        for (let f = 0; f < F; f++) s += theta[c + f]! * X[off + f]!;
        z[k] = s;
      }
      const yi = y[r]!;
      if (K === 1) {
        const s = z[0]!;
        const t = yi === 1 ? 1 : 0;
        loss += w * ((s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - t * s);
        z[0] = w * (1 / (1 + Math.exp(-s)) - t);
      } else {
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, z[k]!);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - max);
        const lse = max + Math.log(sum);
        loss += w * (lse - z[yi]!);
        for (let k = 0; k < K; k++) z[k] = w * (Math.exp(z[k]! - lse) - (k === yi ? 1 : 0));
      }
      for (let k = 0; k < K; k++) {
        const e = z[k]!;
        const c = k * P;
        for (let f = 0; f < F; f++) grad[c + f]! += e * X[off + f]!;
        grad[c + F]! += e;
      }
    }
    let penalty = 0;
    for (let k = 0; k < K; k++) {
      for (let f = 0; f < F; f++) {
        const t = theta[k * P + f]!;
        penalty += t * t;
      }
    }
    for (let j = 0; j < grad.length; j++) grad[j]! /= wsum;
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) grad[k * P + f]! += l2 * theta[k * P + f]!;
    return loss / wsum + 0.5 * l2 * penalty;
  };
  const result = lbfgs(objective, new Float64Array(K * P), {
    maxIter: options.maxIter,
    gtol: options.tol,
    onIteration: options.onIteration,
  });
  const coef = new Float64Array(K * F);
  const intercept = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    for (let f = 0; f < F; f++) coef[k * F + f] = result.x[k * P + f]!;
    intercept[k] = result.x[k * P + F]!;
  }
  return { coef, intercept, outputs: K, iterations: result.iterations, converged: result.converged };
}
