import { Random } from '../random.js';
import { cartArena } from './cart-wasm.js';
import { type Tree, TreeBuilder } from './tree.js';

/**
 * CART on binned data: the tree of `decision_tree` and of each `random_forest` member. Classification
 * minimises Gini impurity, regression squared error; both search the best bin boundary from a
 * per-node histogram. Growth is depth-first with an explicit stack.
 *
 * The per-node work lives in small functions (histogram, split scan, partition) and the stack in
 * typed arrays: V8 optimises small hot functions after a few calls, while one large function is
 * compiled on-stack in its first node's loop, before its later code has run, and then deoptimised
 * and recompiled as that code is reached. A forest worker grows only a handful of trees, so that
 * warm-up was most of its time (Adult, 20 trees on 2 threads: the first five trees of a thread took
 * 50-95 ms each, the later ones 15 ms); and each node allocated two Float64Arrays for its class
 * weights. Same operations in the same order as before: the same trees, bit for bit. The
 * histograms and the partition run in WebAssembly when the build has cart.wasm (cart-wasm.ts; the
 * JavaScript versions below otherwise), with the same operations in the same order again.
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
  /** false: the JavaScript loops even when cart.wat's module is there (the tests compare the two). */
  wasm?: boolean;
}

/** Bins per feature at most (bins are bytes). */
const MAX_BINS = 256;

/**
 * The bin range a histogram touched, packed in one number (no object per call): `lo` in bits 9 and
 * up, `hi + 1` in the low 9 bits (hi is -1 when the node is empty, lo is then the bin count).
 */
const packRange = (lo: number, hi: number): number => (lo << 9) | (hi + 1);
const rangeLo = (range: number): number => range >> 9;
const rangeHi = (range: number): number => (range & 511) - 1;

/**
 * Per-bin class weights (`S` per bin) and sample counts of idx[start, end) in the feature whose bins
 * start at `bins[base]` (an offset, not a subarray: a view per feature and node cost an allocation).
 */
function classHistogram(
  idx: Uint32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  base: number,
  y: Int32Array,
  weights: Float64Array,
  hist: Float64Array,
  cnt: Int32Array,
  S: number,
  nb: number,
): number {
  let lo = nb;
  let hi = -1;
  for (let i = start; i < end; i++) {
    const s = idx[i]!;
    const b = bins[base + s]!;
    hist[b * S + y[s]!]! += weights[s]!;
    cnt[b]!++;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  return packRange(lo, hi);
}

/** Per-bin weight and weighted target sums (2 per bin) and sample counts, as classHistogram. */
function regressionHistogram(
  idx: Uint32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  base: number,
  y: Float64Array,
  weights: Float64Array,
  hist: Float64Array,
  cnt: Int32Array,
  nb: number,
): number {
  let lo = nb;
  let hi = -1;
  for (let i = start; i < end; i++) {
    const s = idx[i]!;
    const b = bins[base + s]!;
    const w = weights[s]!;
    hist[b * 2]! += w;
    hist[b * 2 + 1]! += w * y[s]!;
    cnt[b]!++;
    if (b < lo) lo = b;
    if (b > hi) hi = b;
  }
  return packRange(lo, hi);
}

/** The best split found so far at a node: one per tree, reset per node. */
class BestSplit {
  gain = 0;
  feature = -1;
  bin = 0;
  /** The left child's statistics (S numbers). */
  readonly left: Float64Array;

  constructor(S: number) {
    this.left = new Float64Array(S);
  }
}

/**
 * Scans the boundaries after bins [lo, hi) of feature `f`'s histogram and keeps in `best` any whose
 * gain beats it. `stats` are the node's statistics, `count` its samples, `left` a scratch array.
 */
function scanSplits(
  hist: Float64Array,
  cnt: Int32Array,
  lo: number,
  hi: number,
  S: number,
  regression: boolean,
  stats: Float64Array,
  statsAt: number,
  count: number,
  minLeaf: number,
  parentProxy: number,
  left: Float64Array,
  f: number,
  best: BestSplit,
): void {
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
      const wr = stats[statsAt]! - wl;
      if (wl <= 0 || wr <= 0) continue;
      const sr = stats[statsAt + 1]! - left[1]!;
      gain = (left[1]! * left[1]!) / wl + (sr * sr) / wr - parentProxy;
    } else {
      let wl = 0;
      let sql = 0;
      let wr = 0;
      let sqr = 0;
      for (let k = 0; k < S; k++) {
        const l = left[k]!;
        const rr = stats[statsAt + k]! - l;
        wl += l;
        sql += l * l;
        wr += rr;
        sqr += rr * rr;
      }
      if (wl <= 0 || wr <= 0) continue;
      gain = sql / wl + sqr / wr - parentProxy;
    }
    if (gain > best.gain) {
      best.gain = gain;
      best.feature = f;
      best.bin = b;
      best.left.set(left);
    }
  }
}

/** Stable partition of idx[start, end) by `bins[base + s] <= bin`; returns where the right side starts. */
function partition(idx: Uint32Array, tmp: Uint32Array, start: number, end: number, bins: Uint8Array, base: number, bin: number): number {
  let l = start;
  let r = 0;
  for (let i = start; i < end; i++) {
    const s = idx[i]!;
    if (bins[base + s]! <= bin) idx[l++] = s;
    else tmp[r++] = s;
  }
  idx.set(tmp.subarray(0, r), l);
  return l;
}

/**
 * Zeroes bins [lo, hi] of the histogram and counts. A loop: most ranges are a bin or two (near the
 * leaves, and in every feature constant in its node), where `fill`'s call costs more than the work.
 */
function clearBins(hist: Float64Array, cnt: Int32Array, lo: number, hi: number, S: number): void {
  for (let i = lo * S; i < (hi + 1) * S; i++) hist[i] = 0;
  for (let b = lo; b <= hi; b++) cnt[b] = 0;
}

/** Gini: sum_k w_k^2 / w (higher is purer); squared error: (sum w y)^2 / w. Over stats[at, at + S). */
function proxy(stats: Float64Array, at: number, S: number, regression: boolean): number {
  if (regression) return stats[at]! > 0 ? (stats[at + 1]! * stats[at + 1]!) / stats[at]! : 0;
  let w = 0;
  let sq = 0;
  for (let k = 0; k < S; k++) {
    w += stats[at + k]!;
    sq += stats[at + k]! * stats[at + k]!;
  }
  return w > 0 ? sq / w : 0;
}

/**
 * The depth-first stack of nodes still to grow, as typed arrays (node id, sample range, depth, and
 * S statistics per entry) that grow by doubling.
 */
class NodeStack {
  size = 0;
  id = new Int32Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  depth = new Int32Array(64);
  stats: Float64Array;

  constructor(readonly S: number) {
    this.stats = new Float64Array(64 * S);
  }

  /** Pushes a node; its statistics are `from[at, at + S)`, minus `minus[0, S)` when given. */
  push(id: number, start: number, end: number, depth: number, from: Float64Array, at: number, minus: Float64Array | null): void {
    if (this.size === this.id.length) this.grow();
    const k = this.size++;
    this.id[k] = id;
    this.start[k] = start;
    this.end[k] = end;
    this.depth[k] = depth;
    const S = this.S;
    for (let j = 0; j < S; j++) this.stats[k * S + j] = minus ? from[at + j]! - minus[j]! : from[at + j]!;
  }

  private grow(): void {
    const more = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a as never);
      return b;
    };
    this.id = more(this.id);
    this.start = more(this.start);
    this.end = more(this.end);
    this.depth = more(this.depth);
    this.stats = more(this.stats);
  }
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
  const random = new Random(options.seed);
  const builder = new TreeBuilder(outputs);
  // The arrays of the per-node loops: in the WebAssembly arena of this thread's trees over `data`
  // (cart-wasm.ts), or plain typed arrays for the JavaScript loops.
  const m = samples.length;
  const arena = options.wasm === false ? null : cartArena(data, S, MAX_BINS);
  const idx = arena ? arena.idx : new Uint32Array(m);
  const tmp = arena ? arena.tmp : new Uint32Array(m);
  const hist = arena ? arena.hist : new Float64Array(MAX_BINS * S);
  const cnt = arena ? arena.cnt : new Int32Array(MAX_BINS);
  idx.set(samples);
  if (arena) {
    arena.weights.set(weights);
    hist.fill(0);
    cnt.fill(0);
  }
  const left = new Float64Array(S);
  const best = new BestSplit(S);
  const features = Int32Array.from({ length: F }, (_, f) => f);
  const { minSamplesLeaf: minLeaf, minSamplesSplit, maxDepth, maxFeatures, leafScale } = options;

  const rootStats = new Float64Array(S);
  for (let i = 0; i < m; i++) {
    const s = idx[i]!;
    if (regression) {
      rootStats[0]! += weights[s]!;
      rootStats[1]! += weights[s]! * (y as Float64Array)[s]!;
    } else rootStats[(y as Int32Array)[s]!]! += weights[s]!;
  }
  const setLeaf = (id: number, st: Float64Array, at: number) => {
    if (regression) {
      builder.setValue(id, 0, (st[at]! > 0 ? st[at + 1]! / st[at]! : 0) * leafScale);
      return;
    }
    let w = 0;
    for (let k = 0; k < S; k++) w += st[at + k]!;
    if (outputs === 1) builder.setValue(id, 0, (st[at + 1]! / w) * leafScale);
    else for (let k = 0; k < S; k++) builder.setValue(id, k, (st[at + k]! / w) * leafScale);
  };

  const stack = new NodeStack(S);
  stack.push(builder.add(), 0, m, 0, rootStats, 0, null);
  while (stack.size > 0) {
    const k = --stack.size;
    const id = stack.id[k]!;
    const start = stack.start[k]!;
    const end = stack.end[k]!;
    const depth = stack.depth[k]!;
    // This entry's statistics stay in place until the next push, which comes after their last use.
    const stats = stack.stats;
    const at = k * S;
    const count = end - start;
    setLeaf(id, stats, at);
    const parentProxy = proxy(stats, at, S, regression);
    if (count < minSamplesSplit || count < 2 * minLeaf || depth >= maxDepth) continue;
    if (!regression) {
      let nonzero = 0;
      for (let c = 0; c < S; c++) if (stats[at + c]! > 0) nonzero++;
      if (nonzero < 2) continue;
    }
    best.gain = 1e-12 * Math.abs(parentProxy) + 1e-300;
    best.feature = -1;
    best.bin = 0;
    let examined = 0;
    for (let j = 0; j < F && examined < maxFeatures; j++) {
      // Partial Fisher-Yates: features[j] is a fresh random draw among the remaining ones.
      const r = j + random.int(F - j);
      const f = features[r]!;
      features[r] = features[j]!;
      features[j] = f;
      const nb = thresholds[f]!.length + 1;
      if (nb < 2) continue;
      // hist and cnt are all zero here; only the bins [lo, hi] this node touches are cleared after
      // use, so a small node near the leaves costs its size, not the number of bins.
      const range = arena
        ? regression
          ? arena.regressionHistogram(start, end, f * n, nb)
          : arena.classHistogram(start, end, f * n, S, nb)
        : regression
          ? regressionHistogram(idx, start, end, bins, f * n, y as Float64Array, weights, hist, cnt, nb)
          : classHistogram(idx, start, end, bins, f * n, y as Int32Array, weights, hist, cnt, S, nb);
      const lo = rangeLo(range);
      const hi = rangeHi(range);
      if (lo < hi) {
        examined++; // a feature constant in this node does not count towards maxFeatures
        scanSplits(hist, cnt, lo, hi, S, regression, stats, at, count, minLeaf, parentProxy, left, f, best);
      }
      clearBins(hist, cnt, lo, hi, S);
    }
    if (best.feature < 0) continue;
    importance[best.feature]! += best.gain;
    const split = arena ? arena.partition(start, end, best.feature * n, best.bin) : partition(idx, tmp, start, end, bins, best.feature * n, best.bin);
    const leftId = builder.add();
    const rightId = builder.add();
    builder.split(id, best.feature, best.bin, thresholds[best.feature]![best.bin]!, leftId, rightId);
    // The right child first (its statistics are the node's minus the left's), then the left, which
    // overwrites this entry: the left child is grown next.
    stack.push(rightId, split, end, depth + 1, stats, at, best.left);
    stack.push(leftId, start, split, depth + 1, best.left, 0, null);
  }
  return builder.finish();
}
