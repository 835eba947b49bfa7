/**
 * Linear and ridge regression in closed form: centre X and y (so the intercept is not penalised),
 * then solve (Xc'WXc + alpha I) w = Xc'W yc by Cholesky. alpha = 0 is ordinary least squares; a
 * singular system (for example one-hot columns that sum to one) gets a tiny ridge instead of failing.
 */
export interface LinearFit {
  coef: Float64Array;
  intercept: number;
}

/** Solves A x = b in place for symmetric positive definite A (n x n, row-major); false if not SPD. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! * A[j * n + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  return true;
}

export function fitLinear(
  X: Float32Array,
  F: number,
  rows: Uint32Array,
  y: Float64Array,
  alpha: number,
  weights: Float64Array | null = null,
): LinearFit {
  const mean = new Float64Array(F);
  let ymean = 0;
  let wsum = 0;
  for (const r of rows) {
    const w = weights ? weights[r]! : 1;
    wsum += w;
    ymean += w * y[r]!;
    for (let f = 0; f < F; f++) mean[f]! += w * X[r * F + f]!;
  }
  ymean /= wsum;
  for (let f = 0; f < F; f++) mean[f]! /= wsum;
  const gram = new Float64Array(F * F);
  const rhs = new Float64Array(F);
  const xc = new Float64Array(F);
  for (const r of rows) {
    const w = weights ? weights[r]! : 1;
    const yc = y[r]! - ymean;
    for (let f = 0; f < F; f++) xc[f] = X[r * F + f]! - mean[f]!;
    for (let i = 0; i < F; i++) {
      const wi = w * xc[i]!;
      rhs[i]! += wi * yc;
      for (let j = 0; j <= i; j++) gram[i * F + j]! += wi * xc[j]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < i; j++) gram[j * F + i] = gram[i * F + j]!;
    trace += gram[i * F + i]!;
  }
  let ridge = alpha;
  for (;;) {
    const A = Float64Array.from(gram);
    const coef = Float64Array.from(rhs);
    for (let i = 0; i < F; i++) A[i * F + i]! += ridge;
    if (choleskySolve(A, coef, F)) {
      let intercept = ymean;
      for (let f = 0; f < F; f++) intercept -= coef[f]! * mean[f]!;
      return { coef, intercept };
    }
    ridge = ridge > 0 ? ridge * 10 : Math.max(trace / F, 1) * 1e-10;
  }
}
