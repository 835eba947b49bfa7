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
 * The design matrix as the objective sees it: row i's dot product with a weight vector and the
 * update grad += e * row. Dense data reads the float32 matrix in place; one-hot data (Adult: 14 of
 * 105 values per row are non-zero) is compressed to sparse rows, which makes each gradient
 * evaluation several times cheaper.
 */
interface Design {
  dot(i: number, theta: Float64Array, offset: number): number;
  axpy(i: number, e: number, grad: Float64Array, offset: number): void;
}

function denseDesign(X: Float32Array, F: number, rows: Uint32Array): Design {
  return {
    dot(i, theta, offset) {
      const o = rows[i]! * F;
      let s = 0;
      for (let f = 0; f < F; f++) s += theta[offset + f]! * X[o + f]!;
      return s;
    },
    axpy(i, e, grad, offset) {
      const o = rows[i]! * F;
      for (let f = 0; f < F; f++) grad[offset + f]! += e * X[o + f]!;
    },
  };
}

function sparseDesign(X: Float32Array, F: number, rows: Uint32Array): Design {
  const start = new Int32Array(rows.length + 1);
  const index: number[] = [];
  const value: number[] = [];
  rows.forEach((r, i) => {
    for (let f = 0; f < F; f++) {
      const v = X[r * F + f]!;
      if (v !== 0) {
        index.push(f);
        value.push(v);
      }
    }
    start[i + 1] = index.length;
  });
  const idx = Int32Array.from(index);
  const val = Float64Array.from(value);
  return {
    dot(i, theta, offset) {
      let s = 0;
      for (let j = start[i]!; j < start[i + 1]!; j++) s += theta[offset + idx[j]!]! * val[j]!;
      return s;
    },
    axpy(i, e, grad, offset) {
      for (let j = start[i]!; j < start[i + 1]!; j++) grad[offset + idx[j]!]! += e * val[j]!;
    },
  };
}

/** Sparse when at most a third of the values in the first rows are non-zero. */
function designOf(X: Float32Array, F: number, rows: Uint32Array): Design {
  const probe = rows.subarray(0, 2000);
  let nonzero = 0;
  for (const r of probe) for (let f = 0; f < F; f++) if (X[r * F + f] !== 0) nonzero++;
  return nonzero * 3 <= probe.length * F ? sparseDesign(X, F, rows) : denseDesign(X, F, rows);
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
  const design = designOf(X, F, rows);
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
      for (let k = 0; k < K; k++) z[k] = theta[k * P + F]! + design.dot(i, theta, k * P);
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
        design.axpy(i, z[k]!, grad, k * P);
        grad[k * P + F]! += z[k]!;
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
