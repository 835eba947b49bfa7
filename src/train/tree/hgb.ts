import { holdOut } from '../data/split.js';
import { interrupted, yieldToEventLoop } from '../threads.js';
import type { BinnedData } from './cart.js';
import { bestSplit, buildHistogram, histogramLayout, type SplitCandidate } from './histogram.js';
import { type Tree, TreeBuilder, leafOfBinned } from './tree.js';

/**
 * Histogram gradient boosting (the algorithm of LightGBM and scikit-learn's
 * HistGradientBoosting): binned features, leaf-wise growth up to max_leaf_nodes, the histogram of
 * the larger child obtained by subtracting the smaller child's from the parent's, second-order
 * leaf values with L2 regularisation, shrinkage, and early stopping on a held-out validation part.
 */
export interface HgbOptions {
  maxIter: number;
  learningRate: number;
  maxLeafNodes: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  seed: number;
}

export interface LearningPoint {
  iteration: number;
  train_loss: number;
  valid_loss?: number;
}

export interface HgbResult {
  trees: Tree[];
  /** Output index each tree adds to (the class for multiclass, else 0). */
  targets: number[];
  base: Float64Array;
  importance: Float64Array;
  curve: LearningPoint[];
}

const MIN_HESSIAN = 1e-3;
const EPS = 1e-15;

type Loss = 'logistic' | 'softmax' | 'squared';

/** Rows of a column-major binned matrix. */
function subsetBins(bins: Uint8Array, n: number, F: number, rows: Uint32Array): Uint8Array {
  const m = rows.length;
  const out = new Uint8Array(F * m);
  for (let f = 0; f < F; f++) {
    const src = f * n;
    const dst = f * m;
    for (let i = 0; i < m; i++) out[dst + i] = bins[src + rows[i]!]!;
  }
  return out;
}

function take<T extends Int32Array | Float64Array>(a: T, rows: Uint32Array): T {
  const Ctor = a.constructor as new (n: number) => T;
  const out = new Ctor(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]!]!;
  return out;
}

/** Mean loss of raw scores; also fills gradients and hessians when g is given. */
function lossAndGradients(
  loss: Loss,
  raw: Float64Array,
  y: Int32Array | Float64Array,
  w: Float64Array,
  K: number,
  g?: Float64Array[],
  h?: Float64Array[],
): number {
  const n = y.length;
  let total = 0;
  let wsum = 0;
  const p = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    wsum += wi;
    if (loss === 'squared') {
      const d = raw[i]! - y[i]!;
      total += wi * d * d;
      if (g) {
        g[0]![i] = wi * d;
        h![0]![i] = wi;
      }
    } else if (loss === 'logistic') {
      const f = raw[i]!;
      const yi = y[i]!;
      // log(1 + e^f) - y f, computed without overflow.
      total += wi * ((f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - yi * f);
      if (g) {
        const pi = 1 / (1 + Math.exp(-f));
        g[0]![i] = wi * (pi - yi);
        h![0]![i] = wi * pi * (1 - pi);
      }
    } else {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, raw[i * K + k]!);
      let z = 0;
      for (let k = 0; k < K; k++) {
        p[k] = Math.exp(raw[i * K + k]! - max);
        z += p[k]!;
      }
      const yi = y[i]!;
      total += wi * -Math.log(Math.max(p[yi]! / z, EPS));
      if (g) {
        for (let k = 0; k < K; k++) {
          const pk = p[k]! / z;
          g[k]![i] = wi * (pk - (k === yi ? 1 : 0));
          h![k]![i] = wi * pk * (1 - pk);
        }
      }
    }
  }
  return total / wsum;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  hist: Float64Array | null;
  split: SplitCandidate | null;
}

/** Grows one tree on (g, h) and returns it with each training sample's leaf value added to raw. */
class TreeGrower {
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly og: Float64Array;
  private readonly oh: Float64Array;
  private readonly offsets: Int32Array;
  private readonly histLength: number;
  private readonly binCounts: Int32Array;
  private readonly pool: Float64Array[] = [];

  constructor(
    private readonly data: BinnedData,
    private readonly options: HgbOptions,
    private readonly importance: Float64Array,
  ) {
    this.idx = new Uint32Array(data.n);
    this.tmp = new Uint32Array(data.n);
    this.og = new Float64Array(data.n);
    this.oh = new Float64Array(data.n);
    const layout = histogramLayout(data.thresholds);
    this.offsets = layout.offsets;
    this.histLength = layout.length;
    this.binCounts = Int32Array.from(data.thresholds, (t) => t.length + 1);
  }

  private takeHist(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histLength);
  }

  private fillHist(node: GrowNode): void {
    const { idx, og, oh } = this;
    node.hist = this.takeHist();
    for (let i = node.start; i < node.end; i++) {
      og[i - node.start] = this.g[idx[i]!]!;
      oh[i - node.start] = this.h[idx[i]!]!;
    }
    const identity = node.start === 0 && node.end === this.data.n && node.depth === 0;
    buildHistogram(node.hist, this.offsets, this.data.bins, this.data.n, idx, node.start, node.end, og, oh, 0, this.data.F, identity);
  }

  private findSplit(node: GrowNode): void {
    const count = node.end - node.start;
    const o = this.options;
    node.split =
      count >= 2 * o.minSamplesLeaf && node.depth < o.maxDepth
        ? bestSplit(node.hist!, this.offsets, this.binCounts, node.G, node.H, count, o.l2, o.minSamplesLeaf, MIN_HESSIAN)
        : null;
  }

  private g: Float64Array = new Float64Array(0);
  private h: Float64Array = new Float64Array(0);

  grow(g: Float64Array, h: Float64Array, raw: Float64Array, K: number, k: number): Tree {
    this.g = g;
    this.h = h;
    const { data, options, idx } = this;
    for (let i = 0; i < data.n; i++) idx[i] = i;
    let G = 0;
    let H = 0;
    for (let i = 0; i < data.n; i++) {
      G += g[i]!;
      H += h[i]!;
    }
    const builder = new TreeBuilder(1);
    const root: GrowNode = { id: builder.add(), start: 0, end: data.n, depth: 0, G, H, hist: null, split: null };
    this.fillHist(root);
    this.findSplit(root);
    const leaves: GrowNode[] = [root];
    while (leaves.length < options.maxLeafNodes) {
      let bestAt = -1;
      for (let j = 0; j < leaves.length; j++) {
        const s = leaves[j]!.split;
        if (s && (bestAt < 0 || s.gain > leaves[bestAt]!.split!.gain)) bestAt = j;
      }
      if (bestAt < 0) break;
      const node = leaves[bestAt]!;
      const split = node.split!;
      this.importance[split.feature]! += split.gain;
      // Stable partition of the node's samples, so that children read bins in row order.
      const col = split.feature * data.n;
      let l = node.start;
      let r = 0;
      for (let i = node.start; i < node.end; i++) {
        const s = idx[i]!;
        if (data.bins[col + s]! <= split.bin) idx[l++] = s;
        else this.tmp[r++] = s;
      }
      idx.set(this.tmp.subarray(0, r), l);
      const left: GrowNode = { id: builder.add(), start: node.start, end: l, depth: node.depth + 1, G: split.gl, H: split.hl, hist: null, split: null };
      const right: GrowNode = { id: builder.add(), start: l, end: node.end, depth: node.depth + 1, G: node.G - split.gl, H: node.H - split.hl, hist: null, split: null };
      builder.split(node.id, split.feature, split.bin, data.thresholds[split.feature]![split.bin]!, left.id, right.id);
      // Histogram subtraction: build the smaller child, the larger one is parent minus smaller.
      const [small, large] = l - node.start <= node.end - l ? [left, right] : [right, left];
      this.fillHist(small);
      const parentHist = node.hist!;
      const smallHist = small.hist!;
      for (let j = 0; j < parentHist.length; j++) parentHist[j]! -= smallHist[j]!;
      large.hist = parentHist;
      node.hist = null;
      this.findSplit(left);
      this.findSplit(right);
      leaves.splice(bestAt, 1, left, right);
    }
    for (const leaf of leaves) {
      builder.setValue(leaf.id, 0, (-options.learningRate * leaf.G) / (leaf.H + options.l2));
      const v = builder.getValue(leaf.id, 0);
      for (let i = leaf.start; i < leaf.end; i++) raw[idx[i]! * K + k]! += v;
      if (leaf.hist) this.pool.push(leaf.hist);
    }
    return builder.finish();
  }
}

function baseline(loss: Loss, y: Int32Array | Float64Array, w: Float64Array, K: number): Float64Array {
  const base = new Float64Array(K);
  let wsum = 0;
  for (let i = 0; i < y.length; i++) wsum += w[i]!;
  if (loss === 'squared') {
    for (let i = 0; i < y.length; i++) base[0]! += w[i]! * y[i]!;
    base[0] = Math.fround(base[0]! / wsum);
  } else {
    const counts = new Float64Array(loss === 'logistic' ? 2 : K);
    for (let i = 0; i < y.length; i++) counts[y[i]!]! += w[i]!;
    if (loss === 'logistic') {
      const p = Math.min(Math.max(counts[1]! / wsum, EPS), 1 - EPS);
      base[0] = Math.fround(Math.log(p / (1 - p)));
    } else for (let k = 0; k < K; k++) base[k] = Math.fround(Math.log(Math.max(counts[k]! / wsum, EPS)));
  }
  return base;
}

/**
 * Fits on `data` (the training rows). `classes`: 0 regression, 2 binary (one output), K multiclass
 * (one tree per class and iteration). `onIteration` sees each point of the learning curve.
 */
export async function fitHgb(
  data: BinnedData,
  sampleWeight: Float64Array | null,
  options: HgbOptions,
  onIteration: (point: LearningPoint) => void,
  signal?: AbortSignal,
): Promise<HgbResult> {
  const loss: Loss = data.classes === 0 ? 'squared' : data.classes === 2 ? 'logistic' : 'softmax';
  const K = loss === 'softmax' ? data.classes : 1;
  const weightsAll = sampleWeight ?? new Float64Array(data.n).fill(1);
  let train = data;
  let w = weightsAll;
  let valid: { bins: Uint8Array; n: number; y: Int32Array | Float64Array; w: Float64Array; raw: Float64Array } | null = null;
  if (options.earlyStopping) {
    const split = holdOut(data.n, options.validationFraction, options.seed, loss === 'squared' ? null : (data.y as Int32Array), data.classes || 1);
    train = { ...data, bins: subsetBins(data.bins, data.n, data.F, split.train), n: split.train.length, y: take(data.y, split.train) };
    w = take(weightsAll, split.train);
    valid = {
      bins: subsetBins(data.bins, data.n, data.F, split.test),
      n: split.test.length,
      y: take(data.y, split.test),
      w: take(weightsAll, split.test),
      raw: new Float64Array(split.test.length * K),
    };
  }
  const base = baseline(loss, train.y, w, K);
  const raw = new Float64Array(train.n * K);
  for (let i = 0; i < train.n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = base[k]!;
  if (valid) for (let i = 0; i < valid.n; i++) for (let k = 0; k < K; k++) valid.raw[i * K + k] = base[k]!;
  const g = Array.from({ length: K }, () => new Float64Array(train.n));
  const h = Array.from({ length: K }, () => new Float64Array(train.n));
  const importance = new Float64Array(data.F);
  const grower = new TreeGrower(train, options, importance);
  const trees: Tree[] = [];
  const targets: number[] = [];
  const curve: LearningPoint[] = [];
  const validLosses: number[] = [];
  const lossOf = (raw: Float64Array, y: Int32Array | Float64Array, w: Float64Array) => lossAndGradients(loss, raw, y, w, K);
  for (let it = 1; it <= options.maxIter; it++) {
    if (signal?.aborted) throw interrupted();
    lossAndGradients(loss, raw, train.y, w, K, g, h);
    for (let k = 0; k < K; k++) {
      const tree = grower.grow(g[k]!, h[k]!, raw, K, k);
      trees.push(tree);
      targets.push(k);
      if (valid) for (let i = 0; i < valid.n; i++) valid.raw[i * K + k]! += tree.value[leafOfBinned(tree, valid.bins, valid.n, i)]!;
    }
    const point: LearningPoint = { iteration: it, train_loss: lossOf(raw, train.y, w) };
    if (valid) {
      point.valid_loss = lossOf(valid.raw, valid.y, valid.w);
      validLosses.push(point.valid_loss);
    }
    curve.push(point);
    onIteration(point);
    // scikit-learn's rule: stop when none of the last n_iter_no_change scores beat the one before
    // them by more than tol.
    const n = options.nIterNoChange;
    if (valid && validLosses.length > n) {
      const reference = validLosses[validLosses.length - n - 1]!;
      if (validLosses.slice(-n).every((l) => l > reference - options.tol)) break;
    }
    await yieldToEventLoop();
  }
  return { trees, targets, base, importance, curve };
}
