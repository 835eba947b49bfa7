/**
 * The hot loops of gradient boosting: gradient/hessian/count histograms per feature and the best
 * split from a histogram. Layout: for feature f, bin b, hist[offsets[f] + 3b + {0: sum g, 1: sum h,
 * 2: count}], so one bin is one cache line's worth of neighbours.
 */

/** Offsets of each feature's histogram and the total length. */
export function histogramLayout(thresholds: Float32Array[]): { offsets: Int32Array; length: number } {
  const offsets = new Int32Array(thresholds.length);
  let length = 0;
  thresholds.forEach((t, f) => {
    offsets[f] = length;
    length += (t.length + 1) * 3;
  });
  return { offsets, length };
}

/**
 * Fills hist for features [fFrom, fTo) from the samples idx[start, end). `og`/`oh` hold the samples'
 * gradients and hessians in idx order (gathered once per node, so they are read sequentially).
 * `identity` says idx[start + i] === i (the root), which skips one indirection. Features are done in
 * pairs: each sample's gradient is loaded once for two histograms (about 1.3x faster in V8).
 */
export function buildHistogram(
  hist: Float64Array,
  offsets: Int32Array,
  bins: Uint8Array,
  n: number,
  idx: Uint32Array,
  start: number,
  end: number,
  og: Float64Array,
  oh: Float64Array,
  fFrom: number,
  fTo: number,
  identity: boolean,
): void {
  const m = end - start;
  hist.fill(0, offsets[fFrom]!, fTo < offsets.length ? offsets[fTo]! : hist.length);
  let f = fFrom;
  for (; f + 1 < fTo; f += 2) {
    const b0 = offsets[f]!;
    const b1 = offsets[f + 1]!;
    const c0 = f * n;
    const c1 = c0 + n;
    for (let i = 0; i < m; i++) {
      const s = identity ? i : idx[start + i]!;
      const g = og[i]!;
      const h = oh[i]!;
      const x = b0 + bins[c0 + s]! * 3;
      hist[x]! += g;
      hist[x + 1]! += h;
      hist[x + 2]! += 1;
      const z = b1 + bins[c1 + s]! * 3;
      hist[z]! += g;
      hist[z + 1]! += h;
      hist[z + 2]! += 1;
    }
  }
  if (f < fTo) {
    const b0 = offsets[f]!;
    const c0 = f * n;
    for (let i = 0; i < m; i++) {
      const x = b0 + bins[c0 + (identity ? i : idx[start + i]!)]! * 3;
      hist[x]! += og[i]!;
      hist[x + 1]! += oh[i]!;
      hist[x + 2]! += 1;
    }
  }
}

export interface SplitCandidate {
  gain: number;
  feature: number;
  bin: number;
  gl: number;
  hl: number;
  nl: number;
}

/** Best split of a node with totals (G, H, N) by the second-order gain of XGBoost/LightGBM. */
export function bestSplit(
  hist: Float64Array,
  offsets: Int32Array,
  binCounts: Int32Array,
  G: number,
  H: number,
  N: number,
  l2: number,
  minLeaf: number,
  minHessian: number,
): SplitCandidate | null {
  const parent = (G * G) / (H + l2);
  let best: SplitCandidate | null = null;
  let bestGain = 1e-12;
  for (let f = 0; f < offsets.length; f++) {
    const base = offsets[f]!;
    const last = binCounts[f]! - 1;
    let gl = 0;
    let hl = 0;
    let nl = 0;
    for (let b = 0; b < last; b++) {
      const o = base + b * 3;
      gl += hist[o]!;
      hl += hist[o + 1]!;
      nl += hist[o + 2]!;
      if (nl < minLeaf || hl < minHessian) continue;
      const nr = N - nl;
      const hr = H - hl;
      if (nr < minLeaf || hr < minHessian) break;
      const gr = G - gl;
      const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        best = { gain, feature: f, bin: b, gl, hl, nl };
      }
    }
  }
  return best;
}
