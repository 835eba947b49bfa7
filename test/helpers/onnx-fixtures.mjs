// Small ONNX models (ai.onnx.ml operators) for the serving tests and benchmarks, written the way a
// foreign exporter (skl2onnx, onnxmltools) would: hand-built graphs, not mlpipe's own export, so the
// loader is tested on models it did not write. Plain JavaScript over the `onnx-proto` npm package
// (no Python), so `npm test` needs nothing outside npm; the bench scripts import it too.
// Types: ./onnx-fixtures.d.mts. test/unit/serve/onnx-fixtures.test.ts checks the bytes with the
// reference onnx.checker when python3-onnx is installed.
//   linear     multiclass LinearClassifier, 5 features, classes 0/1/2, softmax
//   tree       TreeEnsembleRegressor, 3 features, 2 hand-written trees (values known by hand)
//   boosting   binary TreeEnsembleClassifier, logistic: N_TREES random full trees of DEPTH on FEATURES
//   forest     binary TreeEnsembleClassifier voting probabilities (weights >= 0, no post_transform)
import { writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;
const T = onnx.TensorProto.DataType;
const enc = new TextEncoder();

/** One attribute, typed the way onnx.helper.make_attribute types a Python value. */
function attr(name, v) {
  if (typeof v === 'string') return { name, type: A.STRING, s: enc.encode(v) };
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (v.floats) return { name, type: A.FLOATS, floats: v.floats };
  if (v.every((x) => typeof x === 'string')) return { name, type: A.STRINGS, strings: v.map((s) => enc.encode(s)) };
  return { name, type: A.INTS, ints: v };
}

const floats = (values) => ({ floats: values });

function tensor(name, elemType, width) {
  const dim = [{ dimParam: 'N' }];
  if (width !== undefined) dim.push({ dimValue: width });
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function encode(op, attrs, width, outputs) {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnx-test-exporter',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    graph: {
      name: 'g',
      node: [{ opType: op, domain: 'ai.onnx.ml', input: ['input'], output: outputs.map((o) => o.name), attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) }],
      input: [tensor('input', T.FLOAT, width)],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

const classifierOutputs = (classes) => [tensor('label', T.INT64), tensor('probabilities', T.FLOAT, classes)];

/** z = W·x + b over 5 features, softmax; W and b are repeated in test/unit/serve/fixtures.ts. */
export function linearOnnx() {
  const coef = [0.5, -1.0, 2.0, 0.0, 0.0, -0.5, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0];
  return encode(
    'LinearClassifier',
    { coefficients: floats(coef), intercepts: floats([0.1, -0.1, 0.0]), classlabels_ints: [0, 1, 2], post_transform: 'SOFTMAX' },
    5,
    classifierOutputs(3),
  );
}

/** tree 0: x0 <= 1.5 ? (x1 <= 10 ? 1 : 2) : 3        tree 1: x2 <= 0.5 ? 10 : 20 */
export function treeOnnx() {
  return encode(
    'TreeEnsembleRegressor',
    {
      n_targets: 1,
      aggregate_function: 'SUM',
      nodes_treeids: [0, 0, 0, 0, 0, 1, 1, 1],
      nodes_nodeids: [0, 1, 2, 3, 4, 0, 1, 2],
      nodes_featureids: [0, 1, 0, 0, 0, 2, 0, 0],
      nodes_values: floats([1.5, 10.0, 0, 0, 0, 0.5, 0, 0]),
      nodes_modes: ['BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF'],
      nodes_truenodeids: [1, 3, 0, 0, 0, 1, 0, 0],
      nodes_falsenodeids: [2, 4, 0, 0, 0, 2, 0, 0],
      nodes_missing_value_tracks_true: new Array(8).fill(0),
      target_treeids: [0, 0, 0, 1, 1],
      target_nodeids: [2, 3, 4, 1, 2],
      target_ids: new Array(5).fill(0),
      target_weights: floats([3.0, 1.0, 2.0, 10.0, 20.0]),
    },
    3,
    [tensor('variable', T.FLOAT, 1)],
  );
}

/** A seeded generator (LCG) with uniform [0, 1) and Box-Muller normal draws. */
function seeded(seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const gauss = (mu, sigma) => mu + sigma * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, gauss, below: (n) => Math.floor(uniform() * n) };
}

const round4 = (x) => Math.round(x * 1e4) / 1e4;

/**
 * N_TREES full binary trees of DEPTH on N_FEATURES random features and thresholds. Boosting: leaf
 * weights ~ N(0, 0.1), logistic. Forest: weights in [0, 1/N_TREES), no post_transform (onnxruntime's
 * binary case that reports [1 - p, p] only when every weight is non-negative).
 */
export function treesOnnx(nTrees, depth, nFeatures, { forest = false, seed = 7 } = {}) {
  const rng = seeded(seed);
  const n = { treeids: [], nodeids: [], featureids: [], values: [], modes: [], true: [], false: [] };
  const c = { treeids: [], nodeids: [], ids: [], weights: [] };
  const internal = 2 ** depth - 1;
  for (let tid = 0; tid < nTrees; tid++) {
    for (let nid = 0; nid < 2 ** (depth + 1) - 1; nid++) {
      n.treeids.push(tid);
      n.nodeids.push(nid);
      const leaf = nid >= internal;
      n.featureids.push(leaf ? 0 : rng.below(nFeatures));
      n.values.push(leaf ? 0 : round4(rng.gauss(0, 1)));
      n.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      n.true.push(leaf ? 0 : 2 * nid + 1);
      n.false.push(leaf ? 0 : 2 * nid + 2);
      if (!leaf) continue;
      c.treeids.push(tid);
      c.nodeids.push(nid);
      c.ids.push(0);
      c.weights.push(forest ? round4(rng.uniform() / nTrees) : round4(rng.gauss(0, 0.1)));
    }
  }
  return encode(
    'TreeEnsembleClassifier',
    {
      classlabels_int64s: [0, 1],
      post_transform: forest ? 'NONE' : 'LOGISTIC',
      base_values: floats([0.0]),
      nodes_treeids: n.treeids,
      nodes_nodeids: n.nodeids,
      nodes_featureids: n.featureids,
      nodes_values: floats(n.values),
      nodes_modes: n.modes,
      nodes_truenodeids: n.true,
      nodes_falsenodeids: n.false,
      nodes_missing_value_tracks_true: new Array(n.treeids.length).fill(0),
      class_treeids: c.treeids,
      class_nodeids: c.nodeids,
      class_ids: c.ids,
      class_weights: floats(c.weights),
    },
    nFeatures,
    classifierOutputs(2),
  );
}

/** Writes one fixture: kind is linear | tree | boosting | forest (the last two take trees, depth, features). */
export function makeOnnx(kind, out, ...args) {
  const bytes =
    kind === 'linear'
      ? linearOnnx()
      : kind === 'tree'
        ? treeOnnx()
        : treesOnnx(args[0] ?? 10, args[1] ?? 3, args[2] ?? 4, { forest: kind === 'forest' });
  writeFileSync(out, bytes);
}
