import type { ModelMeta } from './artifact.js';
import { type HeapForest, type LeafWeights, type PointerTrees, accumulateHeap, heapForest } from './tree-heap.js';

/**
 * Pure TypeScript scoring of the ai.onnx.ml operators mlpipe's models use (TreeEnsembleRegressor,
 * TreeEnsembleClassifier, LinearRegressor, LinearClassifier), compiled from the ONNX graph itself
 * into flat typed arrays. For a request of a few rows it beats onnxruntime-node, whose `run` costs a
 * native round trip and a setImmediate hop, and whose tree kernels are built for large batches.
 * Semantics follow onnxruntime's kernels (tree_ensemble_aggregator.h, linearclassifier.cc):
 * comparisons in the input's precision, `missing_value_tracks_true`, the binary classifier's
 * single-score case, label = the class label at the arg-max score. Tree scores are summed in the
 * thresholds' precision, in tree order, then the base values added: float32 for `nodes_values`,
 * double for `nodes_values_as_tensor` behind a Cast to double (the graph mlpipe writes, see
 * train/model/onnx.ts). Graphs with anything else are not compiled (`compileOnnx` returns the
 * reason) and score through onnxruntime.
 */

/** Raw scores of a batch: the integer label ORT would output, and probabilities or values. */
export interface RawScores {
  /** Class label values (classlabels_ints) per row, as onnxruntime's label output. */
  labels: Int32Array | null;
  /** Row-major [rows, classes]. */
  probabilities: Float64Array | null;
  values: Float64Array | null;
}

export interface TsScorer {
  readonly op: string;
  score(x: ArrayLike<number>, rows: number): RawScores;
}

type Tensor = { dataType?: number; doubleData?: number[]; floatData?: number[]; rawData?: Uint8Array };
type Attr = { name: string; f?: number; i?: number | Long; s?: Uint8Array; floats?: number[]; ints?: (number | Long)[]; strings?: Uint8Array[]; t?: Tensor | null };
type Long = { toNumber(): number };
export type Node = { opType: string; domain: string; input: string[]; output: string[]; attribute: Attr[] };

const FLOAT = 1;
const DOUBLE = 11;
const toNum = (v: number | Long): number => (typeof v === 'number' ? v : v.toNumber());
const text = new TextDecoder();

export class Attrs {
  private readonly byName: Map<string, Attr>;
  constructor(node: Node) {
    this.byName = new Map(node.attribute.map((a) => [a.name, a]));
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  ints(name: string): number[] {
    return (this.byName.get(name)?.ints ?? []).map(toNum);
  }
  floats(name: string): number[] {
    return this.byName.get(name)?.floats ?? [];
  }
  /** A double (or float) tensor attribute's values; undefined when absent or of another type. */
  tensor(name: string): number[] | undefined {
    const t = this.byName.get(name)?.t;
    if (!t) return undefined;
    if (t.dataType === DOUBLE) {
      if (t.doubleData && t.doubleData.length > 0) return t.doubleData;
      const raw = t.rawData ?? new Uint8Array(0);
      return Array.from(new Float64Array(raw.slice().buffer));
    }
    if (t.dataType === FLOAT) {
      if (t.floatData && t.floatData.length > 0) return t.floatData;
      const raw = t.rawData ?? new Uint8Array(0);
      return Array.from(new Float32Array(raw.slice().buffer));
    }
    return undefined;
  }
  /** `NAME_as_tensor` when present (double precision), else the float list `NAME`. */
  values(name: string): number[] {
    return this.tensor(`${name}_as_tensor`) ?? this.floats(name);
  }
  strings(name: string): string[] {
    return (this.byName.get(name)?.strings ?? []).map((s) => text.decode(s));
  }
  string(name: string, fallback: string): string {
    const s = this.byName.get(name)?.s;
    return s && s.length > 0 ? text.decode(s) : fallback;
  }
  int(name: string, fallback: number): number {
    const i = this.byName.get(name)?.i;
    return i === undefined ? fallback : toNum(i);
  }
}

/** The model's one ai.onnx.ml operator, its attributes, and the precision it compares and sums in. */
export interface DecodedOperator {
  node: Node;
  attrs: Attrs;
  precision: Precision;
}

/**
 * Decodes the model's ONNX graph down to its single ai.onnx.ml operator (after an optional Cast
 * to double), or says why the graph is not of that shape.
 */
export async function decodeOperator(bytes: Uint8Array, meta: ModelMeta): Promise<DecodedOperator | string> {
  const { default: proto } = await import('onnx-proto');
  const graph = proto.onnx.ModelProto.decode(bytes).graph;
  let nodes = (graph?.node ?? []) as unknown as Node[];
  // mlpipe's tree graphs: Cast(input -> double) feeding the ensemble (train/model/onnx.ts).
  let precision: Precision = 'float';
  const cast = nodes[0];
  if (nodes.length === 2 && cast?.opType === 'Cast' && (cast.domain ?? '') === '' && cast.input[0] === meta.onnx.input) {
    if (new Attrs(cast).int('to', 0) !== DOUBLE) return 'a Cast to a type other than double is not compiled';
    if (nodes[1]!.input[0] !== cast.output[0]) return 'the operator does not read the cast input';
    precision = 'double';
    nodes = [{ ...nodes[1]!, input: [meta.onnx.input] }];
  } else if (meta.onnx.inputType === 'float64') precision = 'double';
  if (nodes.length !== 1) return `the graph has ${nodes.length} nodes (only single-operator graphs, or a Cast to double before one, are compiled)`;
  const node = nodes[0]!;
  if (node.domain !== 'ai.onnx.ml') return `operator ${node.domain}.${node.opType} is not compiled`;
  if (node.input[0] !== meta.onnx.input) return 'the operator does not read the model input';
  if (precision === 'double' && !node.opType.startsWith('TreeEnsemble')) return 'a Cast before a linear operator is not compiled';
  return { node, attrs: new Attrs(node), precision };
}

/** Compiles the model's ONNX graph, or says why it cannot (then onnxruntime scores everything). */
export async function compileOnnx(bytes: Uint8Array, meta: ModelMeta): Promise<TsScorer | string> {
  const decoded = await decodeOperator(bytes, meta);
  if (typeof decoded === 'string') return decoded;
  const { node, attrs: a, precision } = decoded;
  const width = meta.features.length;
  const { label, probabilities, value } = meta.onnx.outputs;
  switch (node.opType) {
    case 'TreeEnsembleRegressor':
      if (node.output[0] !== value) return 'the operator output is not the model output';
      return compileTreeRegressor(a, width, precision);
    case 'TreeEnsembleClassifier':
      if (node.output[0] !== label || (probabilities && node.output[1] !== probabilities)) return 'the operator outputs are not the model outputs';
      return compileTreeClassifier(a, width, precision);
    case 'LinearClassifier':
      if (node.output[0] !== label || (probabilities && node.output[1] !== probabilities)) return 'the operator outputs are not the model outputs';
      return compileLinearClassifier(a, width);
    case 'LinearRegressor':
      if (node.output[0] !== value) return 'the operator output is not the model output';
      return compileLinearRegressor(a, width);
    default:
      return `operator ${node.opType} is not compiled`;
  }
}

const LEAF = 0;
const MODES: Record<string, number> = { LEAF, BRANCH_LEQ: 1, BRANCH_LT: 2, BRANCH_GTE: 3, BRANCH_GT: 4, BRANCH_EQ: 5, BRANCH_NEQ: 6 };

/**
 * Trees as flat arrays: node i tests x[feature[i]] against threshold[i] and jumps to yes[i] or no[i]
 * (PointerTrees); leaf i's weights are entries leafStart[i] .. leafStart[i+1]-1 of target / weight
 * (LeafWeights).
 */
export interface Forest extends PointerTrees, LeafWeights {
  missingYes: Uint8Array;
  /** Every split is BRANCH_LEQ without missing_value_tracks_true. */
  plainLeq: boolean;
  /** The same trees in heap order (./tree-heap.ts) when every split is plain and no tree is too deep. */
  heap: HeapForest | undefined;
}

/**
 * The precision onnxruntime compares and sums in: the thresholds' type, which is the input's
 * (float input with float `nodes_values`; double input with `nodes_values_as_tensor`).
 */
export type Precision = 'float' | 'double';

/** A per-row accumulator whose `+=` rounds like onnxruntime's (a Float32Array rounds each sum). */
const accumulator = (precision: Precision, n: number): Float32Array | Float64Array => (precision === 'float' ? new Float32Array(n) : new Float64Array(n));
const rounded = (precision: Precision, v: number): number => (precision === 'float' ? Math.fround(v) : v);

export function compileForest(a: Attrs, prefix: 'target' | 'class', width: number, precision: Precision): Forest | string {
  const tensors = ['nodes_values', `${prefix}_weights`, 'base_values'].filter((name) => a.has(`${name}_as_tensor`));
  if (tensors.length > 0 && precision !== 'double') return 'tensor-valued thresholds on a float input are not compiled';
  const treeIds = a.ints('nodes_treeids');
  const nodeIds = a.ints('nodes_nodeids');
  const n = treeIds.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(`${treeIds[i]}:${nodeIds[i]}`, i);
  const modes = a.strings('nodes_modes');
  const features = a.ints('nodes_featureids');
  const values = a.values('nodes_values');
  const yesIds = a.ints('nodes_truenodeids');
  const noIds = a.ints('nodes_falsenodeids');
  const missing = a.ints('nodes_missing_value_tracks_true');
  const f: Forest = {
    roots: new Int32Array(0),
    mode: new Uint8Array(n),
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    yes: new Int32Array(n),
    no: new Int32Array(n),
    missingYes: new Uint8Array(n),
    leafStart: new Int32Array(n + 1),
    target: new Int32Array(0),
    weight: new Float64Array(0),
    plainLeq: false,
    heap: undefined,
  };
  const isChild = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const mode = MODES[modes[i] ?? ''];
    if (mode === undefined) return `node mode ${modes[i]} is not compiled`;
    f.mode[i] = mode;
    if (mode === LEAF) continue;
    const yes = index.get(`${treeIds[i]}:${yesIds[i]}`);
    const no = index.get(`${treeIds[i]}:${noIds[i]}`);
    const feature = features[i]!;
    if (yes === undefined || no === undefined || feature < 0 || feature >= width) return `tree ${treeIds[i]} node ${nodeIds[i]} is malformed`;
    f.feature[i] = feature;
    f.threshold[i] = values[i]!;
    f.yes[i] = yes;
    f.no[i] = no;
    f.missingYes[i] = missing[i] ?? 0;
    isChild[yes] = 1;
    isChild[no] = 1;
  }
  const roots: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (isChild[i] || seen.has(treeIds[i]!)) continue;
    seen.add(treeIds[i]!);
    roots.push(i);
  }
  f.roots = Int32Array.from(roots);
  // Group leaf weights by leaf node.
  const wTrees = a.ints(`${prefix}_treeids`);
  const wNodes = a.ints(`${prefix}_nodeids`);
  const wTargets = a.ints(`${prefix}_ids`);
  const wValues = a.values(`${prefix}_weights`);
  const perLeaf: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < wTrees.length; k++) {
    const leaf = index.get(`${wTrees[k]}:${wNodes[k]}`);
    if (leaf === undefined) return `a weight names missing node ${wTrees[k]}:${wNodes[k]}`;
    perLeaf[leaf]!.push(k);
  }
  f.target = new Int32Array(wTrees.length);
  f.weight = new Float64Array(wTrees.length);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    f.leafStart[i] = pos;
    for (const k of perLeaf[i]!) {
      f.target[pos] = wTargets[k]!;
      f.weight[pos] = wValues[k]!;
      pos++;
    }
  }
  f.leafStart[n] = pos;
  f.plainLeq = f.mode.every((m, i) => m === LEAF || (m === MODES.BRANCH_LEQ && f.missingYes[i] === 0));
  if (f.plainLeq) f.heap = heapForest(f, f);
  return f;
}

/** Adds every tree's leaf weights for row `base` of x into `acc` (one slot per target/class). */
function accumulate(f: Forest, x: ArrayLike<number>, base: number, acc: Float32Array | Float64Array): void {
  if (f.heap) {
    accumulateHeap(f.heap, f, x, base, acc);
    return;
  }
  const { roots, mode, feature, threshold, yes, no, missingYes, leafStart, target, weight } = f;
  for (let t = 0; t < roots.length; t++) {
    let i = roots[t]!;
    if (f.plainLeq) {
      // The common case (every split `x <= t`, NaN goes right): one comparison per level.
      while (mode[i] !== LEAF) i = x[base + feature[i]!]! <= threshold[i]! ? yes[i]! : no[i]!;
    } else for (let m = mode[i]!; m !== LEAF; m = mode[i]!) {
      const v = x[base + feature[i]!]!;
      const th = threshold[i]!;
      // As onnxruntime: the comparison (false for NaN except !=), or the missing-value direction.
      const go = (m === 1 ? v <= th : m === 2 ? v < th : m === 3 ? v >= th : m === 4 ? v > th : m === 5 ? v === th : v !== th) || (missingYes[i] === 1 && Number.isNaN(v));
      i = go ? yes[i]! : no[i]!;
    }
    for (let k = leafStart[i]!, end = leafStart[i + 1]!; k < end; k++) acc[target[k]!]! += weight[k]!;
  }
}

function compileTreeRegressor(a: Attrs, width: number, precision: Precision): TsScorer | string {
  if (a.int('n_targets', 1) !== 1) return 'multi-target regression is not compiled';
  const aggregate = a.string('aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') return `aggregate ${aggregate} is not compiled`;
  if (a.string('post_transform', 'NONE') !== 'NONE') return 'a regressor post_transform is not compiled';
  const forest = compileForest(a, 'target', width, precision);
  if (typeof forest === 'string') return forest;
  const base = a.values('base_values')[0] ?? 0;
  const scale = aggregate === 'AVERAGE' ? 1 / forest.roots.length : 1;
  const acc = accumulator(precision, 1);
  return {
    op: 'TreeEnsembleRegressor',
    score(x, rows) {
      const values = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        acc[0] = 0;
        accumulate(forest, x, r * width, acc);
        values[r] = rounded(precision, rounded(precision, acc[0]! * scale) + base);
      }
      return { labels: null, probabilities: null, values };
    },
  };
}

/** Applies post_transform to one row's scores in place. */
function transform(kind: string, s: Float64Array, from: number, count: number): void {
  if (kind === 'LOGISTIC') {
    for (let c = 0; c < count; c++) s[from + c] = 1 / (1 + Math.exp(-s[from + c]!));
  } else if (kind === 'SOFTMAX') {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < count; c++) max = Math.max(max, s[from + c]!);
    let sum = 0;
    for (let c = 0; c < count; c++) {
      const e = Math.exp(s[from + c]! - max);
      s[from + c] = e;
      sum += e;
    }
    for (let c = 0; c < count; c++) s[from + c]! /= sum;
  }
}

const TRANSFORMS = new Set(['NONE', 'LOGISTIC', 'SOFTMAX']);

function argmax(s: Float64Array, from: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (s[from + c]! > s[from + best]!) best = c;
  return best;
}

function compileTreeClassifier(a: Attrs, width: number, precision: Precision): TsScorer | string {
  const labels = a.ints('classlabels_int64s');
  if (labels.length === 0) return 'string class labels are not compiled';
  const post = a.string('post_transform', 'NONE');
  if (!TRANSFORMS.has(post)) return `post_transform ${post} is not compiled`;
  const forest = compileForest(a, 'class', width, precision);
  if (typeof forest === 'string') return forest;
  const classes = labels.length;
  const base = a.values('base_values');
  const oneScore = classes === 2 && forest.target.every((t) => t === 0);
  // onnxruntime's binary case with only non-negative weights (forests voting a probability) reads
  // the score as P(class 1); it is compiled for post_transform NONE, the way forests export.
  const probabilityScore = oneScore && forest.weight.every((w) => w >= 0);
  if (probabilityScore && post !== 'NONE') return `post_transform ${post} on non-negative binary scores is not compiled`;
  const acc = accumulator(precision, classes);
  return {
    op: 'TreeEnsembleClassifier',
    score(x, rows) {
      const out = new Int32Array(rows);
      const proba = new Float64Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        acc.fill(0);
        accumulate(forest, x, r * width, acc);
        const o = r * classes;
        if (probabilityScore) {
          const s = rounded(precision, acc[0]! + (base[0] ?? 0));
          out[r] = labels[s > 0.5 ? 1 : 0]!;
          proba[o] = 1 - s;
          proba[o + 1] = s;
        } else if (oneScore) {
          // Binary with one score s: label by its sign, scores [-s, s] (onnxruntime's binary case).
          const s = rounded(precision, acc[0]! + (base[0] ?? 0));
          out[r] = labels[s > 0 ? 1 : 0]!;
          proba[o] = -s;
          proba[o + 1] = s;
        } else {
          for (let c = 0; c < classes; c++) proba[o + c] = rounded(precision, acc[c]! + (base[c] ?? 0));
          out[r] = labels[argmax(proba, o, classes)]!;
        }
        transform(post, proba, o, classes);
      }
      return { labels: out, probabilities: proba, values: null };
    },
  };
}

function compileLinearClassifier(a: Attrs, width: number): TsScorer | string {
  const labels = a.ints('classlabels_ints');
  if (labels.length === 0) return 'string class labels are not compiled';
  const coef = a.floats('coefficients');
  const intercepts = a.floats('intercepts');
  const classes = labels.length;
  if (coef.length !== classes * width || a.int('multi_class', 0) !== 0) return 'only one coefficient row per class is compiled';
  const post = a.string('post_transform', 'NONE');
  if (!TRANSFORMS.has(post)) return `post_transform ${post} is not compiled`;
  const w = Float64Array.from(coef);
  return {
    op: 'LinearClassifier',
    score(x, rows) {
      const out = new Int32Array(rows);
      const proba = new Float64Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        const o = r * classes;
        for (let c = 0; c < classes; c++) {
          let s = intercepts[c] ?? 0;
          for (let j = 0; j < width; j++) s += w[c * width + j]! * x[r * width + j]!;
          proba[o + c] = s;
        }
        out[r] = labels[argmax(proba, o, classes)]!;
        transform(post, proba, o, classes);
      }
      return { labels: out, probabilities: proba, values: null };
    },
  };
}

function compileLinearRegressor(a: Attrs, width: number): TsScorer | string {
  if (a.int('targets', 1) !== 1 || a.string('post_transform', 'NONE') !== 'NONE') return 'only single-target, untransformed linear regression is compiled';
  const w = Float64Array.from(a.floats('coefficients'));
  if (w.length !== width) return 'the coefficients do not match the feature count';
  const b = a.floats('intercepts')[0] ?? 0;
  return {
    op: 'LinearRegressor',
    score(x, rows) {
      const values = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let s = b;
        for (let j = 0; j < width; j++) s += w[j]! * x[r * width + j]!;
        values[r] = s;
      }
      return { labels: null, probabilities: null, values };
    },
  };
}
