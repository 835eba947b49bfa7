import { holdOut, takeRows } from '../data/split.js';
import { Random, deriveSeed } from '../random.js';
import { interrupted, workerScript, yieldToEventLoop } from '../threads.js';
import type { BinnedData } from './cart.js';
import { type HistogramEngine, LocalEngine, ThreadedEngine } from './hist-engine.js';
import { bestSplit, histogramLayout, type SplitCandidate } from './histogram.js';
import { type Tree, TreeBuilder, leafOfBinned } from './tree.js';
import type { LearningPoint } from '../../model/plots.js';

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
  /** 2 or more: one worker thread shares the histograms (chunks of features, see hist-jobs.ts). */
  threads: number;
  /** 'js': the JavaScript loops of hist-engine.ts even when the WebAssembly ones are built (tests compare them). */
  histogramKernel?: 'wasm' | 'js';
}


export interface HgbResult {
  trees: Tree[];
  /** Output index each tree adds to (the class for multiclass, else 0). */
  targets: number[];
  base: Float64Array;
  importance: Float64Array;
  curve: LearningPoint[];
  /**
   * Per row of the data fitted on [n, K]: its trees' leaf values summed in tree order from 0, base
   * not added, so the same doubles the scorer computes from the features (see scoreFromTreeSums).
   */
  treeSums: Float64Array;
}

const MIN_HESSIAN = 1e-3;
const EPS = 1e-15;
/**
 * The learning curve's training loss is taken on at most this many training rows (a fixed seeded
 * sample), as scikit-learn scores the training set on a 10,000-row subsample: on 144,000 rows the
 * full loss cost more CPU than the gradients. It is only reported (early stopping reads the
 * validation loss), so the model does not change.
 */
const TRAIN_LOSS_ROWS = 10_000;

type Loss = 'logistic' | 'softmax' | 'squared';

/** Rows of a column-major binned matrix (in shared memory when a worker thread will read it). */
function subsetBins(bins: Uint8Array, n: number, F: number, rows: Uint32Array | null, shared: boolean): Uint8Array {
  const m = rows ? rows.length : n;
  const out = new Uint8Array(shared ? new SharedArrayBuffer(F * m) : new ArrayBuffer(F * m));
  if (!rows) {
    out.set(bins);
    return out;
  }
  for (let f = 0; f < F; f++) {
    const src = f * n;
    const dst = f * m;
    for (let i = 0; i < m; i++) out[dst + i] = bins[src + rows[i]!]!;
  }
  return out;
}

/** Mean weighted loss of raw scores [n, K] (one loop per loss keeps each loop monomorphic). */
function meanLoss(loss: Loss, raw: Float64Array, y: Int32Array | Float64Array, w: Float64Array, K: number): number {
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
function gradients(loss: Loss, raw: Float64Array, y: Int32Array | Float64Array, w: Float64Array, K: number, g: Float64Array[], h: Float64Array[]): void {
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

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  /** Histogram slot in the engine, or -1 once released. */
  slot: number;
  split: SplitCandidate | null;
}

/** Grows one tree leaf-wise on the engine's gradients and adds each training sample's leaf value to its scores. */
class TreeGrower {
  private readonly offsets: Int32Array;
  private readonly binCounts: Int32Array;

  constructor(
    private readonly data: BinnedData,
    private readonly options: HgbOptions,
    private readonly importance: Float64Array,
    private readonly engine: HistogramEngine,
  ) {
    this.offsets = histogramLayout(data.thresholds).offsets;
    this.binCounts = Int32Array.from(data.thresholds, (t) => t.length + 1);
  }

  /** Gathers the node's gradients of output k in idx order, then sums its histogram. */
  private fillHist(node: GrowNode, k: number): void {
    this.engine.gather(k, node.start, node.end);
    node.slot = this.engine.take();
    this.engine.build(node.slot, node.start, node.end, node.depth === 0);
  }

  private findSplit(node: GrowNode): void {
    const count = node.end - node.start;
    const o = this.options;
    node.split =
      count >= 2 * o.minSamplesLeaf && node.depth < o.maxDepth
        ? bestSplit(this.engine.hist(node.slot), this.offsets, this.binCounts, node.G, node.H, count, o.l2, o.minSamplesLeaf, MIN_HESSIAN)
        : null;
  }

  /**
   * Grows a tree on output k's gradients; adds each sample's leaf value to the engine's raw (the
   * boosting scores) and sums (see HgbResult.treeSums).
   */
  grow(k: number): Tree {
    const { data, options, engine } = this;
    const { idx } = engine;
    const g = engine.g[k]!;
    const h = engine.h[k]!;
    let G = 0;
    let H = 0;
    for (let i = 0; i < data.n; i++) {
      idx[i] = i;
      G += g[i]!;
      H += h[i]!;
    }
    const builder = new TreeBuilder(1);
    const root: GrowNode = { id: builder.add(), start: 0, end: data.n, depth: 0, G, H, slot: -1, split: null };
    this.fillHist(root, k);
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
      const l = engine.partition(node.start, node.end, split.feature, split.bin);
      const child = (start: number, end: number, G: number, H: number): GrowNode => ({
        id: builder.add(),
        start,
        end,
        depth: node.depth + 1,
        G,
        H,
        slot: -1,
        split: null,
      });
      const left = child(node.start, l, split.gl, split.hl);
      const right = child(l, node.end, node.G - split.gl, node.H - split.hl);
      builder.split(node.id, split.feature, split.bin, data.thresholds[split.feature]![split.bin]!, left.id, right.id);
      // Histogram subtraction: build the smaller child, the larger one is parent minus smaller.
      const [small, large] = l - node.start <= node.end - l ? [left, right] : [right, left];
      this.fillHist(small, k);
      engine.subtract(node.slot, small.slot);
      large.slot = node.slot;
      this.findSplit(left);
      this.findSplit(right);
      // A child that cannot split no longer needs its histogram.
      for (const c of [left, right]) {
        if (!c.split) {
          engine.release(c.slot);
          c.slot = -1;
        }
      }
      leaves.splice(bestAt, 1, left, right);
    }
    for (const leaf of leaves) {
      builder.setValue(leaf.id, 0, (-options.learningRate * leaf.G) / (leaf.H + options.l2));
      engine.addLeaf(leaf.start, leaf.end, k, builder.getValue(leaf.id, 0));
      if (leaf.slot >= 0) engine.release(leaf.slot);
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
  const script = options.threads > 1 && data.F > 1 ? workerScript('tree/hgb-worker') : null;
  const weightsAll = sampleWeight ?? new Float64Array(data.n).fill(1);
  let train: BinnedData = { ...data, bins: subsetBins(data.bins, data.n, data.F, null, script !== null) };
  let w = weightsAll;
  let valid: { bins: Uint8Array; n: number; y: Int32Array | Float64Array; w: Float64Array; raw: Float64Array; sums: Float64Array } | null = null;
  let rowsOf: { train: Uint32Array; valid: Uint32Array } | null = null;
  if (options.earlyStopping) {
    const split = holdOut(data.n, options.validationFraction, options.seed, loss === 'squared' ? null : (data.y as Int32Array), data.classes || 1);
    train = { ...data, bins: subsetBins(data.bins, data.n, data.F, split.train, script !== null), n: split.train.length, y: takeRows(data.y, split.train) };
    w = takeRows(weightsAll, split.train);
    valid = {
      bins: subsetBins(data.bins, data.n, data.F, split.test, false),
      n: split.test.length,
      y: takeRows(data.y, split.test),
      w: takeRows(weightsAll, split.test),
      raw: new Float64Array(split.test.length * K),
      sums: new Float64Array(split.test.length * K),
    };
    rowsOf = { train: split.train, valid: split.test };
  }
  const base = baseline(loss, train.y, w, K);
  if (valid) for (let i = 0; i < valid.n; i++) for (let k = 0; k < K; k++) valid.raw[i * K + k] = base[k]!;
  const importance = new Float64Array(data.F);
  const layout = histogramLayout(train.thresholds);
  // Squared loss with unit weights: every hessian is 1.0 (see buildHistogram).
  const unitHessian = loss === 'squared' && w.every((v) => v === 1);
  // A slot per leaf that may still split, the parent's (reused by the larger child), the smaller child's.
  const maxSlots = Math.min(options.maxLeafNodes, train.n) + 2;
  const engineData = { bins: train.bins, n: train.n, K, offsets: layout.offsets, histLength: layout.length, unitHessian, maxSlots, wasm: options.histogramKernel !== 'js' };
  const engine = script ? new ThreadedEngine(engineData, data.F, script) : new LocalEngine(engineData, data.F);
  // The engine's copy of the bins (in WebAssembly memory when the loop runs there); this one can go.
  train = { ...train, bins: engine.bins };
  const { g, h, raw, sums } = engine;
  for (let i = 0; i < train.n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = base[k]!;
  const grower = new TreeGrower(train, options, importance, engine);
  const lossSample = trainLossSample(train.n, train.y, w, K, options.seed);
  const trees: Tree[] = [];
  const targets: number[] = [];
  const curve: LearningPoint[] = [];
  const validLosses: number[] = [];
  try {
    for (let it = 1; it <= options.maxIter; it++) {
      if (signal?.aborted) throw interrupted();
      gradients(loss, raw, train.y, w, K, g, h);
      for (let k = 0; k < K; k++) {
        const tree = grower.grow(k);
        trees.push(tree);
        targets.push(k);
        if (valid) {
          for (let i = 0; i < valid.n; i++) {
            const v = tree.value[leafOfBinned(tree, valid.bins, valid.n, i)]!;
            valid.raw[i * K + k]! += v;
            valid.sums[i * K + k]! += v;
          }
        }
      }
      const trainLoss = lossSample ? meanLoss(loss, takeScores(raw, lossSample.rows, K, lossSample.raw), lossSample.y, lossSample.w, K) : meanLoss(loss, raw, train.y, w, K);
      const point: LearningPoint = { iteration: it, train_loss: trainLoss };
      if (valid) {
        point.valid_loss = meanLoss(loss, valid.raw, valid.y, valid.w, K);
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
  } finally {
    await engine.close();
  }
  return { trees, targets, base, importance, curve, treeSums: rowsOf && valid ? scatterRows(data.n, K, [rowsOf.train, sums], [rowsOf.valid, valid.sums]) : sums };
}

/** The fixed rows the training loss is taken on when there are more than TRAIN_LOSS_ROWS (else null). */
export function trainLossSample(n: number, y: Int32Array | Float64Array, w: Float64Array, K: number, seed: number) {
  if (n <= TRAIN_LOSS_ROWS) return null;
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const rows = new Random(deriveSeed(seed, 0x7105)).shuffle(all).subarray(0, TRAIN_LOSS_ROWS).sort();
  return { rows, y: takeRows(y, rows), w: takeRows(w, rows), raw: new Float64Array(TRAIN_LOSS_ROWS * K) };
}

/** The raw scores [n, K] of some rows, into out. */
function takeScores(raw: Float64Array, rows: Uint32Array, K: number, out: Float64Array): Float64Array {
  for (let i = 0; i < rows.length; i++) for (let k = 0; k < K; k++) out[i * K + k] = raw[rows[i]! * K + k]!;
  return out;
}

/** Rows of parts ([rows, values per row]) put back at their places in n rows. */
function scatterRows(n: number, K: number, ...parts: [Uint32Array, Float64Array][]): Float64Array {
  const out = new Float64Array(n * K);
  for (const [rows, values] of parts) {
    for (let i = 0; i < rows.length; i++) for (let k = 0; k < K; k++) out[rows[i]! * K + k] = values[i * K + k]!;
  }
  return out;
}
