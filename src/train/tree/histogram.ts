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
 * `identity` says idx[start + i] === i (the root), which skips one indirection. Features are done
 * four at a time (then two, then one): each sample's gradient is loaded once for four histograms
 * (pairs were about 1.3x faster than one feature at a time in V8, fours another 1.1-1.2x). Each
 * bin is still summed over the samples in idx order, so the grouping never changes a sum.
 *
 * `unitHessian`: every hessian is exactly 1 (squared loss, no sample weights), so a bin's hessian
 * sum is its count, which is exact in a double: the loops skip it and copy the counts at the end
 * (as scikit-learn does for constant hessians), same sums, a third fewer additions.
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
  unitHessian: boolean,
): void {
  const m = end - start;
  const from = offsets[fFrom]!;
  const to = fTo < offsets.length ? offsets[fTo]! : hist.length;
  hist.fill(0, from, to);
  let f = fFrom;
  for (; f + 3 < fTo; f += 4) {
    if (unitHessian) quadUnit(hist, offsets, bins, n, idx, start, m, og, f, identity);
    else quad(hist, offsets, bins, n, idx, start, m, og, oh, f, identity);
  }
  // The rest (0-3 features; a thread's share of 20 is 10) two, then one at a time. These add the
  // hessians even when unitHessian (oh is then stale): the copy below overwrites them.
  for (; f + 1 < fTo; f += 2) {
    const b0 = offsets[f]!;
    const b1 = offsets[f + 1]!;
    const c0 = f * n;
    const c1 = c0 + n;
    for (let i = 0; i < m; i++) {
      const s = identity ? i : idx[start + i]!;
      const g = og[i]!;
      const h = oh[i]!;
      let x = b0 + bins[c0 + s]! * 3;
      hist[x]! += g;
      hist[x + 1]! += h;
      hist[x + 2]! += 1;
      x = b1 + bins[c1 + s]! * 3;
      hist[x]! += g;
      hist[x + 1]! += h;
      hist[x + 2]! += 1;
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
  if (unitHessian) for (let x = from; x < to; x += 3) hist[x + 1] = hist[x + 2]!;
}

/** Features f..f+3 in one pass over the samples (see buildHistogram). */
function quad(hist: Float64Array, offsets: Int32Array, bins: Uint8Array, n: number, idx: Uint32Array, start: number, m: number, og: Float64Array, oh: Float64Array, f: number, identity: boolean): void {
  const b0 = offsets[f]!;
  const b1 = offsets[f + 1]!;
  const b2 = offsets[f + 2]!;
  const b3 = offsets[f + 3]!;
  const c0 = f * n;
  const c1 = c0 + n;
  const c2 = c1 + n;
  const c3 = c2 + n;
  for (let i = 0; i < m; i++) {
    const s = identity ? i : idx[start + i]!;
    const g = og[i]!;
    const h = oh[i]!;
    let x = b0 + bins[c0 + s]! * 3;
    hist[x]! += g;
    hist[x + 1]! += h;
    hist[x + 2]! += 1;
    x = b1 + bins[c1 + s]! * 3;
    hist[x]! += g;
    hist[x + 1]! += h;
    hist[x + 2]! += 1;
    x = b2 + bins[c2 + s]! * 3;
    hist[x]! += g;
    hist[x + 1]! += h;
    hist[x + 2]! += 1;
    x = b3 + bins[c3 + s]! * 3;
    hist[x]! += g;
    hist[x + 1]! += h;
    hist[x + 2]! += 1;
  }
}

/**
 * quad() without the hessians (unitHessian). A copy on purpose: one function with a
 * `withHessian` flag tested in the loop measured 2.9 ns per sample and feature against 2.2 for
 * the two specialised loops (V8 does not unswitch loops).
 */
function quadUnit(hist: Float64Array, offsets: Int32Array, bins: Uint8Array, n: number, idx: Uint32Array, start: number, m: number, og: Float64Array, f: number, identity: boolean): void {
  const b0 = offsets[f]!;
  const b1 = offsets[f + 1]!;
  const b2 = offsets[f + 2]!;
  const b3 = offsets[f + 3]!;
  const c0 = f * n;
  const c1 = c0 + n;
  const c2 = c1 + n;
  const c3 = c2 + n;
  for (let i = 0; i < m; i++) {
    const s = identity ? i : idx[start + i]!;
    const g = og[i]!;
    let x = b0 + bins[c0 + s]! * 3;
    hist[x]! += g;
    hist[x + 2]! += 1;
    x = b1 + bins[c1 + s]! * 3;
    hist[x]! += g;
    hist[x + 2]! += 1;
    x = b2 + bins[c2 + s]! * 3;
    hist[x]! += g;
    hist[x + 2]! += 1;
    x = b3 + bins[c3 + s]! * 3;
    hist[x]! += g;
    hist[x + 2]! += 1;
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
