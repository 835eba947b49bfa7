import { Random } from '../random.js';
import { type Tree, TreeBuilder } from './tree.js';

/**
 * CART on binned data: the tree of `decision_tree` and of each `random_forest` member. Classification
 * minimises Gini impurity, regression squared error; both search the best bin boundary from a
 * per-node histogram. Growth is depth-first with an explicit stack.
 */
export interface BinnedData {
  /** Column-major bins [F][n]. */
  bins: Uint8Array;
  n: number;
  F: number;
  thresholds: Float32Array[];
  /** Class index per sample (classification) or target value (regression). */
  y: Int32Array | Float64Array;
  /** Number of classes; 0 for regression. */
  classes: number;
}

export interface CartOptions {
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** Features examined per split (random subset when below F). */
  maxFeatures: number;
  seed: number;
  /** Leaf outputs are multiplied by this (1 / trees for a forest, so leaves sum to the average). */
  leafScale: number;
}

interface NodeTask {
  id: number;
  start: number;
  end: number;
  depth: number;
  stats: Float64Array;
}

/**
 * Grows one tree on `samples` (indices into the data) with per-index `weights`. Adds each split's
 * weighted impurity decrease to `importance[feature]`.
 */
export function growCart(
  data: BinnedData,
  samples: Uint32Array,
  weights: Float64Array,
  options: CartOptions,
  importance: Float64Array,
): Tree {
  const { bins, n, F, thresholds, y, classes } = data;
  const regression = classes === 0;
  const S = regression ? 2 : classes;
  const outputs = regression ? 1 : classes === 2 ? 1 : classes;
  const yc = y as Int32Array;
  const yr = y as Float64Array;
  const random = new Random(options.seed);
  const builder = new TreeBuilder(outputs);
  const idx = Uint32Array.from(samples);
  const tmp = new Uint32Array(idx.length);
  const maxBins = 256;
  const hist = new Float64Array(maxBins * S);
  const cnt = new Int32Array(maxBins);
  const left = new Float64Array(S);
  const bestLeft = new Float64Array(S);
  const features = Int32Array.from({ length: F }, (_, f) => f);
  const minLeaf = options.minSamplesLeaf;

  const rootStats = new Float64Array(S);
  for (const s of idx) {
    if (regression) {
      rootStats[0]! += weights[s]!;
      rootStats[1]! += weights[s]! * yr[s]!;
    } else rootStats[yc[s]!]! += weights[s]!;
  }
  /** Gini: sum_k w_k^2 / w (higher is purer); squared error: (sum w y)^2 / w. */
  const proxy = (st: Float64Array): number => {
    if (regression) return st[0]! > 0 ? (st[1]! * st[1]!) / st[0]! : 0;
    let w = 0;
    let sq = 0;
    for (let k = 0; k < S; k++) {
      w += st[k]!;
      sq += st[k]! * st[k]!;
    }
    return w > 0 ? sq / w : 0;
  };
  const setLeaf = (id: number, st: Float64Array) => {
    if (regression) {
      builder.setValue(id, 0, (st[0]! > 0 ? st[1]! / st[0]! : 0) * options.leafScale);
      return;
    }
    let w = 0;
    for (let k = 0; k < S; k++) w += st[k]!;
    if (outputs === 1) builder.setValue(id, 0, (st[1]! / w) * options.leafScale);
    else for (let k = 0; k < S; k++) builder.setValue(id, k, (st[k]! / w) * options.leafScale);
  };

  const stack: NodeTask[] = [{ id: builder.add(), start: 0, end: idx.length, depth: 0, stats: rootStats }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { id, start, end, stats } = node;
    const count = end - start;
    setLeaf(id, stats);
    const parentProxy = proxy(stats);
    if (count < options.minSamplesSplit || count < 2 * minLeaf || node.depth >= options.maxDepth) continue;
    if (!regression) {
      let nonzero = 0;
      for (let k = 0; k < S; k++) if (stats[k]! > 0) nonzero++;
      if (nonzero < 2) continue;
    }
    let bestGain = 1e-12 * Math.abs(parentProxy) + 1e-300;
    let bestFeature = -1;
    let bestBin = 0;
    let examined = 0;
    for (let j = 0; j < F && examined < options.maxFeatures; j++) {
      // Partial Fisher-Yates: features[j] is a fresh random draw among the remaining ones.
      const r = j + random.int(F - j);
      const f = features[r]!;
      features[r] = features[j]!;
      features[j] = f;
      const nb = thresholds[f]!.length + 1;
      if (nb < 2) continue;
      const col = bins.subarray(f * n, (f + 1) * n);
      // hist and cnt are all zero here; only the bins [lo, hi] this node touches are cleared after
      // use, so a small node near the leaves costs its size, not the number of bins.
      let lo = nb;
      let hi = -1;
      if (regression) {
        for (let i = start; i < end; i++) {
          const s = idx[i]!;
          const b = col[s]!;
          const w = weights[s]!;
          hist[b * 2]! += w;
          hist[b * 2 + 1]! += w * yr[s]!;
          cnt[b]!++;
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      } else {
        for (let i = start; i < end; i++) {
          const s = idx[i]!;
          const b = col[s]!;
          hist[b * S + yc[s]!]! += weights[s]!;
          cnt[b]!++;
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      if (lo < hi) {
        examined++; // a feature constant in this node does not count towards maxFeatures
        left.fill(0);
        let nLeft = 0;
        for (let b = lo; b < hi; b++) {
          if (cnt[b] === 0) continue;
          nLeft += cnt[b]!;
          for (let k = 0; k < S; k++) left[k]! += hist[b * S + k]!;
          if (nLeft < minLeaf) continue;
          if (count - nLeft < minLeaf) break;
          let gain: number;
          if (regression) {
            const wl = left[0]!;
            const wr = stats[0]! - wl;
            if (wl <= 0 || wr <= 0) continue;
            const sr = stats[1]! - left[1]!;
            gain = (left[1]! * left[1]!) / wl + (sr * sr) / wr - parentProxy;
          } else {
            let wl = 0;
            let sql = 0;
            let wr = 0;
            let sqr = 0;
            for (let k = 0; k < S; k++) {
              const l = left[k]!;
              const rr = stats[k]! - l;
              wl += l;
              sql += l * l;
              wr += rr;
              sqr += rr * rr;
            }
            if (wl <= 0 || wr <= 0) continue;
            gain = sql / wl + sqr / wr - parentProxy;
          }
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
            bestLeft.set(left);
          }
        }
      }
      hist.fill(0, lo * S, (hi + 1) * S);
      cnt.fill(0, lo, hi + 1);
    }
    if (bestFeature < 0) continue;
    importance[bestFeature]! += bestGain;
    // Stable partition of idx[start, end) by the split.
    const col = bins.subarray(bestFeature * n, (bestFeature + 1) * n);
    let l = start;
    let r = 0;
    for (let i = start; i < end; i++) {
      const s = idx[i]!;
      if (col[s]! <= bestBin) idx[l++] = s;
      else tmp[r++] = s;
    }
    idx.set(tmp.subarray(0, r), l);
    const leftStats = Float64Array.from(bestLeft);
    const rightStats = new Float64Array(S);
    for (let k = 0; k < S; k++) rightStats[k] = stats[k]! - bestLeft[k]!;
    const leftId = builder.add();
    const rightId = builder.add();
    builder.split(id, bestFeature, bestBin, thresholds[bestFeature]![bestBin]!, leftId, rightId);
    stack.push({ id: rightId, start: l, end, depth: node.depth + 1, stats: rightStats });
    stack.push({ id: leftId, start, end: l, depth: node.depth + 1, stats: leftStats });
  }
  return builder.finish();
}
