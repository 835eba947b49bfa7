import type { Tree } from '../tree/tree.js';

/**
 * mlpipe's own scorer of a fitted model: the predictions metrics are computed from, and the
 * reference model.onnx must reproduce. Weights are float32-rounded when the model is built, and
 * trees compare float32 inputs with float32 thresholds and sum their leaves in double, exactly as
 * onnxruntime does with the double-precision graph ./onnx.ts writes (labels then agree bit for
 * bit, also for forests whose votes land on 0.5).
 *
 * The output is, per row: for regression one value; for classifiers the class probabilities.
 */
export type Link = 'identity' | 'logistic' | 'softmax' | 'probability';

export type Scorer =
  | { kind: 'linear'; features: number; classes: number; coef: Float64Array; intercept: Float64Array; link: Link }
  | {
      kind: 'trees';
      features: number;
      classes: number;
      trees: Tree[];
      /** First output each tree adds to. */
      targets: number[];
      base: Float64Array;
      link: Link;
    };

/** Number of raw scores per row: one for regression and binary, one per class otherwise. */
export function rawWidth(classes: number): number {
  return classes <= 2 ? 1 : classes;
}

function rawScores(scorer: Scorer, X: Float32Array, n: number): Float64Array {
  const F = scorer.features;
  const W = rawWidth(scorer.classes);
  const raw = new Float64Array(n * W);
  if (scorer.kind === 'linear') {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < W; k++) {
        let s = scorer.intercept[k]!;
        for (let f = 0; f < F; f++) s += scorer.coef[k * F + f]! * X[i * F + f]!;
        raw[i * W + k] = s;
      }
    }
    return raw;
  }
  // The ONNX contract (./onnx.ts): leaf weights summed in double in tree order, then the base
  // value added, as onnxruntime's TreeEnsemble kernels do with double thresholds.
  for (let t = 0; t < scorer.trees.length; t++) addTree(scorer.trees[t]!, scorer.targets[t]!, W, X, F, n, raw);
  return addBase(scorer, raw, n);
}

/**
 * Adds one tree's leaf values to every row's raw scores: the walk of tree.ts's `leafOf`, written
 * out over this tree's arrays held in locals and float32 rows only (one shape for V8 to compile;
 * scoring a 40,000-row test set with 100 trees took ~3x longer through leafOf's call per row).
 */
function addTree(tree: Tree, target: number, W: number, X: Float32Array, F: number, n: number, raw: Float64Array): void {
  const { feature, threshold, left, right, value, outputs } = tree;
  for (let i = 0, row = 0; i < n; i++, row += F) {
    let node = 0;
    for (let f = feature[0]!; f >= 0; f = feature[node]!) node = X[row + f]! <= threshold[node]! ? left[node]! : right[node]!;
    if (outputs === 1) raw[i * W + target]! += value[node]!;
    else for (let k = 0; k < outputs; k++) raw[i * W + target + k]! += value[node * outputs + k]!;
  }
}

function addBase(scorer: Scorer & { kind: 'trees' }, raw: Float64Array, n: number): Float64Array {
  const W = rawWidth(scorer.classes);
  for (let i = 0; i < n; i++) for (let k = 0; k < W; k++) raw[i * W + k]! += scorer.base[k]!;
  return raw;
}

/** Regression values [n] or class probabilities [n, classes]. */
export function score(scorer: Scorer, X: Float32Array, n: number): Float64Array {
  return applyLink(scorer, rawScores(scorer, X, n), n);
}

/**
 * What score() returns for rows whose leaf values a fit already summed ([n, rawWidth], in tree
 * order from 0, base not added): gradient boosting knows each training row's leaf in every tree,
 * so its training metrics need no second walk down every tree.
 */
export function scoreFromTreeSums(scorer: Scorer & { kind: 'trees' }, sums: Float64Array, n: number): Float64Array {
  return applyLink(scorer, addBase(scorer, Float64Array.from(sums), n), n);
}

function applyLink(scorer: Scorer, raw: Float64Array, n: number): Float64Array {
  const C = scorer.classes;
  if (C === 0) return raw;
  const out = new Float64Array(n * C);
  if (C === 2) {
    for (let i = 0; i < n; i++) {
      const p = scorer.link === 'logistic' ? 1 / (1 + Math.exp(-raw[i]!)) : raw[i]!;
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    if (scorer.link === 'softmax') {
      let max = -Infinity;
      for (let k = 0; k < C; k++) max = Math.max(max, raw[i * C + k]!);
      let z = 0;
      for (let k = 0; k < C; k++) z += Math.exp(raw[i * C + k]! - max);
      for (let k = 0; k < C; k++) out[i * C + k] = Math.exp(raw[i * C + k]! - max) / z;
    } else for (let k = 0; k < C; k++) out[i * C + k] = raw[i * C + k]!;
  }
  return out;
}

/** Index of the most probable class per row (first on ties, like onnxruntime's argmax). */
export function argmax(proba: Float64Array, C: number): Int32Array {
  const n = proba.length / C;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < C; k++) if (proba[i * C + k]! > proba[i * C + best]!) best = k;
    out[i] = best;
  }
  return out;
}
