/**
 * The per-row arithmetic of gradient boosting (losses, gradients, leaf updates), in a module of its
 * own so the histogram worker thread (hgb-worker.ts) can run its share of it.
 */
export type Loss = 'logistic' | 'softmax' | 'squared';

/** Mean weighted loss of raw scores [n, K] (one loop per loss keeps each loop monomorphic). */
export function meanLoss(loss: Loss, raw: Float64Array, y: Int32Array | Float64Array, w: Float64Array, K: number): number {
  const n = y.length;
  let total = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += w[i]!;
  if (loss === 'squared') {
    for (let i = 0; i < n; i++) {
      const d = raw[i]! - y[i]!;
      total += w[i]! * d * d;
    }
  } else if (loss === 'logistic') {
    // log(1 + e^f) - y f, without overflow.
    for (let i = 0; i < n; i++) {
      const f = raw[i]!;
      total += w[i]! * (Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f))) - y[i]! * f);
    }
  } else {
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, raw[i * K + k]!);
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(raw[i * K + k]! - max);
      total += w[i]! * (max + Math.log(z) - raw[i * K + y[i]!]!);
    }
  }
  return total / wsum;
}

/** Gradients and hessians of the loss at raw, per output k (weighted by w). */
export function gradients(loss: Loss, raw: Float64Array, y: Int32Array | Float64Array, w: Float64Array, K: number, g: Float64Array[], h: Float64Array[]): void {
  const n = y.length;
  if (loss === 'squared') {
    const g0 = g[0]!;
    const h0 = h[0]!;
    for (let i = 0; i < n; i++) {
      g0[i] = w[i]! * (raw[i]! - y[i]!);
      h0[i] = w[i]!;
    }
  } else if (loss === 'logistic') {
    const g0 = g[0]!;
    const h0 = h[0]!;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      g0[i] = w[i]! * (p - y[i]!);
      h0[i] = w[i]! * p * (1 - p);
    }
  } else {
    const p = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, raw[i * K + k]!);
      let z = 0;
      for (let k = 0; k < K; k++) {
        p[k] = Math.exp(raw[i * K + k]! - max);
        z += p[k]!;
      }
      for (let k = 0; k < K; k++) {
        const pk = p[k]! / z;
        g[k]![i] = w[i]! * (pk - (k === y[i] ? 1 : 0));
        h[k]![i] = w[i]! * pk * (1 - pk);
      }
    }
  }
}

/**
 * Adds the values of leaves [from, to) of a leaf table (start, end, value per leaf: disjoint ranges
 * of idx) to output k of raw and sums at the leaves' samples.
 */
export function addLeafValues(table: Float64Array, from: number, to: number, idx: Uint32Array, raw: Float64Array, sums: Float64Array, K: number, k: number): void {
  for (let j = from; j < to; j++) {
    const end = table[3 * j + 1]!;
    const v = table[3 * j + 2]!;
    for (let i = table[3 * j]!; i < end; i++) {
      const at = idx[i]! * K + k;
      raw[at]! += v;
      sums[at]! += v;
    }
  }
}
