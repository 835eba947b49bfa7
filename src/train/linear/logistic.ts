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

/**
 * The training rows as compressed sparse rows. One-hot columns make most values zero (Adult: 14 of
 * 105 per row), and skipping zeros makes each gradient evaluation several times cheaper; dense data
 * keeps every column (indices 0..F-1), which costs one extra index load per value.
 */
interface Rows {
  start: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

function compress(X: Float32Array, F: number, rows: Uint32Array): Rows {
  let nnz = 0;
  for (const r of rows) for (let f = 0; f < F; f++) if (X[r * F + f] !== 0) nnz++;
  const dense = nnz > 0.5 * rows.length * F;
  const total = dense ? rows.length * F : nnz;
  const start = new Int32Array(rows.length + 1);
  const index = new Int32Array(total);
  const value = new Float64Array(total);
  let k = 0;
  rows.forEach((r, i) => {
    for (let f = 0; f < F; f++) {
      const v = X[r * F + f]!;
      if (dense || v !== 0) {
        index[k] = f;
        value[k++] = v;
      }
    }
    start[i + 1] = k;
  });
  return { start, index, value };
}

export function fitLogistic(
  X: Float32Array,
  F: number,
  rows: Uint32Array,
  y: Int32Array,
  classes: number,
  options: {
    C: number;
    maxIter: number;
    tol: number;
    /** Relative objective change that ends the fit (scipy's default when omitted). */
    ftol?: number;
    weights: Float64Array | null;
    onIteration?: (it: number, loss: number) => void;
  },
): LogisticFit {
  const K = classes === 2 ? 1 : classes;
  const P = F + 1;
  const n = rows.length;
  const { start, index, value } = compress(X, F, rows);
  const w = Float64Array.from(rows, (r) => (options.weights ? options.weights[r]! : 1));
  const target = Int32Array.from(rows, (r) => y[r]!);
  let wsum = 0;
  for (const v of w) wsum += v;
  const l2 = 1 / (options.C * wsum);
  const z = new Float64Array(K);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const a = start[i]!;
      const b = start[i + 1]!;
      for (let k = 0; k < K; k++) {
        const c = k * P;
        let s = theta[c + F]!;
        for (let j = a; j < b; j++) s += theta[c + index[j]!]! * value[j]!;
        z[k] = s;
      }
      const yi = target[i]!;
      const wi = w[i]!;
      if (K === 1) {
        const s = z[0]!;
        // log(1 + e^s) - t s, without overflow
        loss += wi * (Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s))) - yi * s);
        z[0] = wi * (1 / (1 + Math.exp(-s)) - yi);
      } else {
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < K; k++) max = Math.max(max, z[k]!);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - max);
        const lse = max + Math.log(sum);
        loss += wi * (lse - z[yi]!);
        for (let k = 0; k < K; k++) z[k] = wi * (Math.exp(z[k]! - lse) - (k === yi ? 1 : 0));
      }
      for (let k = 0; k < K; k++) {
        const e = z[k]!;
        const c = k * P;
        for (let j = a; j < b; j++) grad[c + index[j]!]! += e * value[j]!;
        grad[c + F]! += e;
      }
    }
    let penalty = 0;
    for (let k = 0; k < K; k++) {
      for (let f = 0; f < F; f++) {
        const t = theta[k * P + f]!;
        penalty += t * t;
        grad[k * P + f] = grad[k * P + f]! / wsum + l2 * t;
      }
      grad[k * P + F] = grad[k * P + F]! / wsum;
    }
    return loss / wsum + 0.5 * l2 * penalty;
  };
  const result = lbfgs(objective, new Float64Array(K * P), {
    maxIter: options.maxIter,
    gtol: options.tol,
    ftol: options.ftol,
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
