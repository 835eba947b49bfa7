/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, algorithm 7.4 and 7.5) with a
 * backtracking Armijo line search. Stops when the largest gradient component is below `gtol`
 * (scipy's pgtol, which scikit-learn passes its `tol` to) or, like scipy's L-BFGS-B (factr 1e7),
 * when an iteration improves the objective by less than `ftol` relative.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

export function lbfgs(
  objective: Objective,
  x0: Float64Array,
  options: { maxIter: number; gtol: number; ftol?: number; memory?: number; onIteration?: (iteration: number, value: number) => void },
): LbfgsResult {
  const n = x0.length;
  const m = options.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = objective(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  const maxAbs = (v: Float64Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  let iterations = 0;
  while (iterations < options.maxIter) {
    if (maxAbs(g) <= options.gtol) return { x, value: f, iterations, converged: true };
    // Two-loop recursion: d = -H g.
    d.set(g);
    for (let i = S.length - 1; i >= 0; i--) {
      let a = 0;
      for (let j = 0; j < n; j++) a += S[i]![j]! * d[j]!;
      a *= rho[i]!;
      alpha[i] = a;
      for (let j = 0; j < n; j++) d[j]! -= a * Y[i]![j]!;
    }
    let gamma = 1;
    if (S.length > 0) {
      const last = S.length - 1;
      let sy = 0;
      let yy = 0;
      for (let j = 0; j < n; j++) {
        sy += S[last]![j]! * Y[last]![j]!;
        yy += Y[last]![j]! * Y[last]![j]!;
      }
      gamma = sy / yy;
    } else gamma = 1 / Math.max(Math.sqrt(g.reduce((a, b) => a + b * b, 0)), 1e-12);
    for (let j = 0; j < n; j++) d[j]! *= gamma;
    for (let i = 0; i < S.length; i++) {
      let b = 0;
      for (let j = 0; j < n; j++) b += Y[i]![j]! * d[j]!;
      b *= rho[i]!;
      for (let j = 0; j < n; j++) d[j]! += S[i]![j]! * (alpha[i]! - b);
    }
    for (let j = 0; j < n; j++) d[j] = -d[j]!;
    let slope = 0;
    for (let j = 0; j < n; j++) slope += g[j]! * d[j]!;
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      continue;
    }
    let step = 1;
    let fNew = 0;
    for (let tries = 0; ; tries++) {
      for (let j = 0; j < n; j++) xNew[j] = x[j]! + step * d[j]!;
      fNew = objective(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      if (tries === 40) return { x, value: f, iterations, converged: false };
      step *= 0.5;
    }
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    let sy = 0;
    for (let j = 0; j < n; j++) {
      s[j] = xNew[j]! - x[j]!;
      yv[j] = gNew[j]! - g[j]!;
      sy += s[j]! * yv[j]!;
    }
    x.set(xNew);
    g.set(gNew);
    const fOld = f;
    f = fNew;
    iterations++;
    options.onIteration?.(iterations, f);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    const ftol = options.ftol ?? 1e7 * Number.EPSILON;
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) return { x, value: f, iterations, converged: true };
  }
  return { x, value: f, iterations, converged: maxAbs(g) <= options.gtol };
}
