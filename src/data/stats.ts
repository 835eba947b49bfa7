/**
 * The statistics behind drift tests, as pure functions over counts. Each is checked against
 * scipy/numpy in test/unit/data/stats.test.ts (values computed with Debian's python3-scipy).
 */

/** Survival function of the Kolmogorov distribution, P(K > x) (scipy.stats.kstwobign.sf). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1;
  if (x < 1) {
    // Small x: the Jacobi theta form converges fast where the alternating series does not.
    const w = (Math.PI * Math.PI) / (8 * x * x);
    let s = 0;
    for (let k = 1; k <= 20; k += 2) s += Math.exp(-k * k * w);
    return 1 - (Math.sqrt(2 * Math.PI) / x) * s;
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    s += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.max(0, Math.min(1, 2 * s));
}

/** Two-sample KS p-value, asymptotic: kstwobign.sf(D * sqrt(n1 n2 / (n1 + n2))). */
export function ksPValue(d: number, n1: number, n2: number): number {
  return kolmogorovSf(d * Math.sqrt((n1 * n2) / (n1 + n2)));
}

/** ln Γ(x), Lanczos approximation (g=7, n=9), accurate to ~1e-15. */
export function logGamma(x: number): number {
  const g = [0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = g[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += g[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) (scipy.special.gammaincc); Numerical Recipes 6.2. */
export function gammaincc(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lnPre);
  }
  // Continued fraction (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lnPre) * h;
}

/** P(X > x) for X ~ chi-square with k degrees of freedom (scipy.stats.chi2.sf). */
export function chi2Sf(x: number, k: number): number {
  return gammaincc(k / 2, x / 2);
}

/**
 * Chi-square test of homogeneity on the 2 x K table of category counts
 * (scipy.stats.chi2_contingency(table, correction=False)); categories empty in both are dropped.
 */
export function chiSquareTest(a: number[], b: number[]): { statistic: number; pValue: number; dof: number } {
  const keep = a.map((_, i) => i).filter((i) => a[i]! + b[i]! > 0);
  const na = keep.reduce((s, i) => s + a[i]!, 0);
  const nb = keep.reduce((s, i) => s + b[i]!, 0);
  const n = na + nb;
  let stat = 0;
  for (const i of keep) {
    const col = a[i]! + b[i]!;
    const ea = (col * na) / n;
    const eb = (col * nb) / n;
    stat += (a[i]! - ea) ** 2 / ea + (b[i]! - eb) ** 2 / eb;
  }
  const dof = keep.length - 1;
  return { statistic: stat, pValue: dof > 0 ? chi2Sf(stat, dof) : 1, dof };
}

const normalize = (v: number[]) => {
  const s = v.reduce((x, y) => x + y, 0);
  return v.map((x) => (s === 0 ? 0 : x / s));
};

/** Jensen-Shannon distance, natural log (scipy.spatial.distance.jensenshannon(p, q)). */
export function jensenShannon(p: number[], q: number[]): number {
  const P = normalize(p);
  const Q = normalize(q);
  let kl = 0;
  for (let i = 0; i < P.length; i++) {
    const m = (P[i]! + Q[i]!) / 2;
    if (P[i]! > 0) kl += P[i]! * Math.log(P[i]! / m);
    if (Q[i]! > 0) kl += Q[i]! * Math.log(Q[i]! / m);
  }
  return Math.sqrt(Math.max(0, kl / 2));
}

/**
 * Population Stability Index of the current shares against the reference shares, bin by bin;
 * empty bins count as 0.0001 (Evidently's convention) so that the logarithm stays finite.
 */
export function psi(reference: number[], current: number[]): number {
  const R = normalize(reference).map((x) => x || 0.0001);
  const C = normalize(current).map((x) => x || 0.0001);
  let s = 0;
  for (let i = 0; i < R.length; i++) s += (C[i]! - R[i]!) * Math.log(C[i]! / R[i]!);
  return s;
}
