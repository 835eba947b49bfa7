import { type WasmName, wasmModule } from '../core/wasm.js';
import type { ModelMeta } from './artifact.js';
import type { finalizeTreeSums } from './ort-finalize.js';
import { type Forest, compileForest, decodeOperator } from './ts-scorer.js';

/**
 * Batch scoring of mlpipe's tree models in WebAssembly (tree-walk.wat), with onnxruntime's outputs
 * bit for bit: the walk compares the float32 input widened to double with the double thresholds
 * and adds each row's leaf weights in double in tree order, as onnxruntime's tree kernel does on
 * the graphs mlpipe writes (a Cast to double before the ensemble); ort-finalize.ts then turns the
 * sums into the outputs with onnxruntime's float32 operations. The plan covers one score per row:
 * regressors and binary classifiers (gradient boosting, forests, single trees). Anything else (more
 * classes, other split modes, a missing-value direction, a leaf with several weights) is left to
 * onnxruntime: `treeWalkPlan` says why.
 *
 * About 3x onnxruntime's speed on one thread for a 100-tree model (bench/predict.mjs; see
 * tree-walk.wat): the walk chooses each child with `select` instead of a branch, walks eight trees
 * side by side, and compares float32s.
 */

export type FinalKind = Parameters<typeof finalizeTreeSums>[0];

/** Everything the scoring thread needs to score with the walk (structured-cloneable). */
export interface TreeWalkPlan extends WalkImage {
  module: WebAssembly.Module;
  /** Features per row (float32). */
  width: number;
  kind: FinalKind;
  /** The base value added to every sum; null when the graph has none. */
  base: number | null;
  /** The class label values of the negative and positive class (classifiers). */
  classLabels: [number, number];
}

const MODULE: WasmName = 'model/tree-walk';
const LANES = 8;
const NODE_BYTES = 16;
const GROUP_BYTES = 4 + 8 * LANES;

/** tree-walk.wat's memory image and where its parts are (byte addresses). */
interface WalkImage {
  image: Uint8Array;
  groupsEnd: number;
  /** Node a's leaf weight is at weights + a / 2. */
  weights: number;
  /** The scratch row: one f64 per tree. */
  scratch: number;
  trees: number;
}

/** The walk's plan for this model, or why it has none (then onnxruntime scores every batch). */
export async function treeWalkPlan(bytes: Uint8Array, meta: ModelMeta): Promise<TreeWalkPlan | string> {
  const module = wasmModule(MODULE);
  if (!module) return 'the build has no tree-walk.wasm';
  if (meta.onnx.inputType !== 'float32') return 'the model input is not float32';
  const decoded = await decodeOperator(bytes, meta);
  if (typeof decoded === 'string') return decoded;
  const { node, attrs, precision } = decoded;
  if (precision !== 'double') return 'the ensemble compares in float32 (only double thresholds are walked)';
  const width = meta.features.length;
  const { label, probabilities, value } = meta.onnx.outputs;
  const post = attrs.string('post_transform', 'NONE');
  let kind: FinalKind;
  let forest: Forest | string;
  let classLabels: [number, number] = [0, 1];
  if (node.opType === 'TreeEnsembleRegressor') {
    if (node.output[0] !== value || node.output.length !== 1) return 'the operator output is not the model output';
    if (attrs.int('n_targets', 1) !== 1 || attrs.string('aggregate_function', 'SUM') !== 'SUM' || post !== 'NONE') {
      return 'only single-target SUM regressors without a transform are walked';
    }
    forest = compileForest(attrs, 'target', width, precision);
    kind = 'regression';
  } else if (node.opType === 'TreeEnsembleClassifier') {
    if (!probabilities || node.output[0] !== label || node.output[1] !== probabilities) return 'the operator outputs are not the model outputs (label and probabilities)';
    const labels = attrs.ints('classlabels_int64s');
    if (labels.length !== 2) return 'only binary classifiers with integer labels are walked';
    classLabels = [labels[0]!, labels[1]!];
    forest = compileForest(attrs, 'class', width, precision);
    if (typeof forest === 'string') return forest;
    if (!forest.target.every((t) => t === 0)) return 'a classifier with a score per class is not walked';
    const nonNegative = forest.weight.every((w) => w >= 0);
    if (nonNegative) {
      if (post !== 'NONE') return `post_transform ${post} on non-negative binary scores is not walked`;
      kind = 'probability';
    } else if (post === 'LOGISTIC' || post === 'NONE') kind = post === 'LOGISTIC' ? 'logistic' : 'margin';
    else return `post_transform ${post} is not walked`;
  } else return `operator ${node.opType} is not walked`;
  if (typeof forest === 'string') return forest;
  if (!forest.plainLeq) return 'only x <= threshold splits without a missing-value direction are walked';
  const base = attrs.values('base_values');
  if (base.length > 1) return 'more than one base value';
  const image = forestImage(forest);
  if (typeof image === 'string') return image;
  return { module, ...image, width, kind, base: base[0] ?? (kind === 'regression' ? 0 : null), classLabels };
}

/** Lays the forest out as tree-walk.wat's records: groups, nodes, leaf weights, scratch row. */
function forestImage(f: Forest): WalkImage | string {
  const n = f.mode.length;
  for (let i = 0; i < n; i++) {
    const weights = f.leafStart[i + 1]! - f.leafStart[i]!;
    if (weights !== (f.mode[i] === 0 ? 1 : 0)) return 'a leaf without exactly one weight is not walked';
  }
  const trees = f.roots.length;
  const depth = new Int32Array(trees);
  for (let t = 0; t < trees; t++) {
    depth[t] = treeDepth(f, f.roots[t]!);
    if (depth[t]! < 0) return `tree ${t} is not a tree (a node is reached twice)`;
  }
  // Trees of like depth walk together: a group takes as many steps as its deepest tree.
  const order = Array.from({ length: trees }, (_, t) => t).sort((a, b) => depth[a]! - depth[b]! || a - b);
  const groups = Math.ceil(trees / LANES);
  const groupsEnd = groups * GROUP_BYTES;
  const nodes = Math.ceil(groupsEnd / 16) * 16;
  // Slots: each root, then its splits' children in pairs (the "no" child right after the "yes").
  const slot = new Int32Array(n).fill(-1);
  let used = 0;
  for (let t = 0; t < trees; t++) {
    const queue = [f.roots[t]!];
    slot[queue[0]!] = used++;
    for (let q = 0; q < queue.length; q++) {
      const i = queue[q]!;
      if (f.mode[i] === 0) continue;
      slot[f.yes[i]!] = used++;
      slot[f.no[i]!] = used++;
      queue.push(f.yes[i]!, f.no[i]!);
    }
  }
  const weightsStart = nodes + used * NODE_BYTES;
  const scratch = weightsStart + 8 * used;
  const buffer = new ArrayBuffer(scratch + 8 * trees);
  const view = new DataView(buffer);
  const address = (i: number) => nodes + slot[i]! * NODE_BYTES;
  // Node a's weight is at weights + a / 2 (tree-walk.wat).
  const weights = weightsStart - nodes / 2;
  for (let i = 0; i < n; i++) {
    if (slot[i]! < 0) continue; // in no tree
    const at = address(i);
    if (f.mode[i] === 0) {
      view.setFloat32(at, Number.NaN, true);
      view.setInt32(at + 8, at - NODE_BYTES, true);
      view.setFloat64(weights + at / 2, f.weight[f.leafStart[i]!]!, true);
      continue;
    }
    view.setFloat32(at, float32AtMost(f.threshold[i]!), true);
    view.setInt32(at + 4, 4 * f.feature[i]!, true);
    view.setInt32(at + 8, address(f.yes[i]!), true);
  }
  for (let g = 0; g < groups; g++) {
    const at = g * GROUP_BYTES;
    const members = order.slice(g * LANES, (g + 1) * LANES);
    // A short last group repeats its last tree: the same weight lands in the same slot twice.
    while (members.length < LANES) members.push(members[members.length - 1]!);
    view.setInt32(at, Math.max(...members.map((t) => depth[t]!)), true);
    members.forEach((t, lane) => {
      view.setInt32(at + 4 + 4 * lane, address(f.roots[t]!), true);
      view.setInt32(at + 4 + 4 * LANES + 4 * lane, 8 * t, true);
    });
  }
  return { image: new Uint8Array(buffer), groupsEnd, weights, scratch, trees };
}

/**
 * The largest float32 at most t. For every float32 x, `x <= it` holds exactly when `x <= t` does
 * in double (NaN: false both ways), so the walk compares float32s.
 */
export function float32AtMost(t: number): number {
  const f = Math.fround(t);
  if (!(f > t)) return f; // t is a float32, was rounded down, or is NaN
  // Rounded up: step one float32 down (for f > t, f is not the smallest float32).
  const bits = new Float32Array([f]);
  const word = new Int32Array(bits.buffer);
  if (f > 0) word[0]! -= 1;
  else if (f === 0) word[0] = 0x80000001; // the smallest negative subnormal
  else word[0]! += 1;
  return bits[0]!;
}

/** Splits on the longest path from `root` to a leaf; -1 when the "tree" has a cycle or a shared node. */
function treeDepth(f: Forest, root: number): number {
  const seen = new Set<number>();
  const stack: [number, number][] = [[root, 0]];
  let deepest = 0;
  while (stack.length > 0) {
    const [i, depth] = stack.pop()!;
    if (seen.has(i)) return -1;
    seen.add(i);
    if (f.mode[i] === 0) {
      deepest = Math.max(deepest, depth);
      continue;
    }
    stack.push([f.yes[i]!, depth + 1], [f.no[i]!, depth + 1]);
  }
  return deepest;
}
