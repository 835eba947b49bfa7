import { ProtoWriter } from './proto-writer.js';
import type { Scorer } from './scorer.js';

/**
 * Writes a fitted model as standard ONNX with the `ai.onnx.ml` operators (opset 17 + ai.onnx.ml 3),
 * per docs/architecture.md "The model artifact": one float input `input` [N, F]; classifiers output
 * `label` (int64 class index) and `probabilities` [N, C]; regressors `variable` [N, 1].
 *
 * Pitfalls followed (../shared/docs/machine-notes.md): a binary TreeEnsembleClassifier carries
 * weights for the positive class only, under class id 0 (onnxruntime then emits [1 - p, p], after
 * the logistic for boosting, and picks the label from it).
 *
 * Tree ensembles score in double precision (the parity contract with mlpipe's scorer, ./scorer.ts):
 * the float32 input is cast to double (exact) and compared with the float32 thresholds stored as
 * doubles (exact), so every row takes the branches mlpipe's scorer takes; leaf weights are float32
 * values stored as doubles, and onnxruntime sums them in double, as the scorer does. With float
 * thresholds onnxruntime would sum in float32, in an order that depends on its thread count (trees
 * are split across threads when there are more than 80 and few rows), so a forest whose votes land
 * on 0.5 got a label that depended on the machine (issue 12.22). Sums of float32 votes are exact in
 * double, hence independent of the order.
 */
const ML = 'ai.onnx.ml';

/** ONNX's TensorProto.DataType values used here. */
const DataType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
/** ONNX's AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** A node attribute, as written by writeAttribute. */
type Attr =
  | { name: string; int: number }
  | { name: string; string: string }
  | { name: string; ints: ArrayLike<number> }
  | { name: string; floats: ArrayLike<number> }
  | { name: string; strings: string[] }
  /** A 1-D double tensor attribute (the `*_as_tensor` attributes of ai.onnx.ml opset 3). */
  | { name: string; doubles: ArrayLike<number> };

const ints = (name: string, v: ArrayLike<number>): Attr => ({ name, ints: v });
const int = (name: string, v: number): Attr => ({ name, int: v });
const floats = (name: string, v: ArrayLike<number>): Attr => ({ name, floats: v });
const str = (name: string, v: string): Attr => ({ name, string: v });
const strs = (name: string, v: string[]): Attr => ({ name, strings: v });
const doubles = (name: string, v: ArrayLike<number>): Attr => ({ name, doubles: v });

/** The UTF-8 bytes of each distinct string, once: a forest has 100,000s of 'LEAF' and 'BRANCH_LEQ'. */
function encodeEach(values: string[]): Uint8Array[] {
  const encoded = new Map<string, Uint8Array>();
  const utf8 = new TextEncoder();
  return values.map((v) => {
    let bytes = encoded.get(v);
    if (!bytes) {
      bytes = utf8.encode(v);
      encoded.set(v, bytes);
    }
    return bytes;
  });
}

/** AttributeProto: name (1), i (3), s (4), t (5), floats (7), ints (8), strings (9), type (20). */
function writeAttribute(w: ProtoWriter, a: Attr): void {
  w.string(1, a.name);
  if ('int' in a) w.int(3, a.int).int(20, AttrType.INT);
  else if ('string' in a) w.string(4, a.string).int(20, AttrType.STRING);
  else if ('doubles' in a) {
    // TensorProto: dims (1), data_type (2), double_data (10).
    w.message(5, () => w.packedInts(1, [a.doubles.length]).int(2, DataType.DOUBLE).packedDoubles(10, a.doubles)).int(20, AttrType.TENSOR);
  } else if ('floats' in a) w.packedFloats(7, a.floats).int(20, AttrType.FLOATS);
  else if ('ints' in a) w.packedInts(8, a.ints).int(20, AttrType.INTS);
  else {
    for (const bytes of encodeEach(a.strings)) w.bytes(9, bytes);
    w.int(20, AttrType.STRINGS);
  }
}

interface Node {
  opType: string;
  domain?: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Attr[];
}

/** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7). */
function writeNode(w: ProtoWriter, node: Node): void {
  for (const i of node.input) w.string(1, i);
  for (const o of node.output) w.string(2, o);
  w.string(3, node.name).string(4, node.opType);
  for (const a of node.attribute) w.message(5, () => writeAttribute(w, a));
  if (node.domain !== undefined) w.string(7, node.domain);
}

/** A tensor's name, element type and shape (a number is a fixed size, a string a named one). */
interface ValueInfo {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

/**
 * ValueInfoProto: name (1), type (2) > TypeProto: tensor_type (1) > elem_type (1), shape (2) >
 * TensorShapeProto: dim (1) > dim_value (1) or dim_param (2).
 */
function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, () =>
    w.message(1, () =>
      w.int(1, v.elemType).message(2, () => {
        for (const d of v.dims) w.message(1, () => (typeof d === 'number' ? w.int(1, d) : w.string(2, d)));
      }),
    ),
  );
}

const tensor = (name: string, elemType: number, dims: (number | string)[]): ValueInfo => ({ name, elemType, dims });

function postTransform(scorer: Scorer): string {
  if (scorer.link === 'logistic') return 'LOGISTIC';
  if (scorer.link === 'softmax') return 'SOFTMAX';
  return 'NONE';
}

/** The node attributes shared by TreeEnsembleClassifier and TreeEnsembleRegressor. */
function treeNodes(scorer: Scorer & { kind: 'trees' }, leafPrefix: 'class' | 'target'): Attr[] {
  // Sized first, then filled: a forest has 100,000s of nodes.
  let nodes = 0;
  let leafOutputs = 0;
  for (const tree of scorer.trees) {
    nodes += tree.feature.length;
    for (let node = 0; node < tree.feature.length; node++) if (tree.feature[node]! < 0) leafOutputs += tree.outputs;
  }
  const treeIds = new Int32Array(nodes);
  const nodeIds = new Int32Array(nodes);
  const featureIds = new Int32Array(nodes);
  const modes: string[] = new Array(nodes);
  const values = new Float64Array(nodes);
  const trueIds = new Int32Array(nodes);
  const falseIds = new Int32Array(nodes);
  const leafTree = new Int32Array(leafOutputs);
  const leafNode = new Int32Array(leafOutputs);
  const leafOut = new Int32Array(leafOutputs);
  const leafWeight = new Float64Array(leafOutputs);
  let at = 0;
  let leafAt = 0;
  scorer.trees.forEach((tree, t) => {
    for (let node = 0; node < tree.feature.length; node++, at++) {
      treeIds[at] = t;
      nodeIds[at] = node;
      const leaf = tree.feature[node]! < 0;
      featureIds[at] = leaf ? 0 : tree.feature[node]!;
      modes[at] = leaf ? 'LEAF' : 'BRANCH_LEQ';
      values[at] = leaf ? 0 : tree.threshold[node]!;
      trueIds[at] = leaf ? 0 : tree.left[node]!;
      falseIds[at] = leaf ? 0 : tree.right[node]!;
      if (!leaf) continue;
      for (let k = 0; k < tree.outputs; k++, leafAt++) {
        leafTree[leafAt] = t;
        leafNode[leafAt] = node;
        leafOut[leafAt] = scorer.targets[t]! + k;
        leafWeight[leafAt] = tree.value[node * tree.outputs + k]!;
      }
    }
  });
  return [
    ints('nodes_treeids', treeIds),
    ints('nodes_nodeids', nodeIds),
    ints('nodes_featureids', featureIds),
    strs('nodes_modes', modes),
    doubles('nodes_values_as_tensor', values),
    ints('nodes_truenodeids', trueIds),
    ints('nodes_falsenodeids', falseIds),
    ints(`${leafPrefix}_treeids`, leafTree),
    ints(`${leafPrefix}_nodeids`, leafNode),
    ints(`${leafPrefix}_ids`, leafOut),
    doubles(`${leafPrefix}_weights_as_tensor`, leafWeight),
    doubles('base_values_as_tensor', scorer.base),
    str('post_transform', postTransform(scorer)),
  ];
}

function modelNode(scorer: Scorer): { op: string; attrs: Attr[] } {
  const C = scorer.classes;
  if (scorer.kind === 'trees') {
    if (C === 0) {
      return {
        op: 'TreeEnsembleRegressor',
        attrs: [...treeNodes(scorer, 'target'), int('n_targets', 1), str('aggregate_function', 'SUM')],
      };
    }
    return {
      op: 'TreeEnsembleClassifier',
      attrs: [...treeNodes(scorer, 'class'), ints('classlabels_int64s', Array.from({ length: C }, (_, k) => k))],
    };
  }
  if (C === 0) {
    return {
      op: 'LinearRegressor',
      attrs: [floats('coefficients', scorer.coef), floats('intercepts', scorer.intercept), int('targets', 1)],
    };
  }
  if (C === 2) {
    // softmax([0, s]) = [1 - sigmoid(s), sigmoid(s)]: two explicit rows avoid the single-row
    // special cases of LinearClassifier and give exactly the logistic probabilities.
    const F = scorer.features;
    return {
      op: 'LinearClassifier',
      attrs: [
        floats('coefficients', [...new Array(F).fill(0), ...scorer.coef]),
        floats('intercepts', [0, scorer.intercept[0]!]),
        ints('classlabels_ints', [0, 1]),
        str('post_transform', 'SOFTMAX'),
      ],
    };
  }
  return {
    op: 'LinearClassifier',
    attrs: [
      floats('coefficients', scorer.coef),
      floats('intercepts', scorer.intercept),
      ints('classlabels_ints', Array.from({ length: C }, (_, k) => k)),
      str('post_transform', 'SOFTMAX'),
    ],
  };
}

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUTS = { label: 'label', probabilities: 'probabilities', value: 'variable' } as const;

/** Serialises the model; `name` and `docString` land in the graph metadata. */
export function toOnnx(scorer: Scorer, options: { name: string; docString: string; producerVersion: string }): Uint8Array {
  const { op, attrs } = modelNode(scorer);
  const C = scorer.classes;
  const outputs =
    C === 0
      ? [tensor(ONNX_OUTPUTS.value, DataType.FLOAT, ['N', 1])]
      : [tensor(ONNX_OUTPUTS.label, DataType.INT64, ['N']), tensor(ONNX_OUTPUTS.probabilities, DataType.FLOAT, ['N', C])];
  // Trees read the input cast to double (see the header); linear models read it as it is.
  const treeInput = `${ONNX_INPUT}_double`;
  const outputNames = outputs.map((o) => o.name);
  const nodes: Node[] =
    scorer.kind === 'trees'
      ? [
          { opType: 'Cast', name: 'Cast', input: [ONNX_INPUT], output: [treeInput], attribute: [int('to', DataType.DOUBLE)] },
          { opType: op, domain: ML, name: op, input: [treeInput], output: outputNames, attribute: attrs },
        ]
      : [{ opType: op, domain: ML, name: op, input: [ONNX_INPUT], output: outputNames, attribute: attrs }];
  const opsets = [
    { domain: '', version: 17 },
    { domain: ML, version: 3 },
  ];
  // ModelProto: ir_version (1), producer_name (2), producer_version (3), doc_string (6), graph (7),
  // opset_import (8) > domain (1), version (2). GraphProto: node (1), name (2), input (11), output (12).
  const w = new ProtoWriter();
  w.int(1, 8).string(2, 'mlpipe').string(3, options.producerVersion).string(6, options.docString);
  w.message(7, () => {
    for (const node of nodes) w.message(1, () => writeNode(w, node));
    w.string(2, options.name);
    w.message(11, () => writeValueInfo(w, tensor(ONNX_INPUT, DataType.FLOAT, ['N', scorer.features])));
    for (const o of outputs) w.message(12, () => writeValueInfo(w, o));
  });
  for (const o of opsets) w.message(8, () => w.string(1, o.domain).int(2, o.version));
  return w.finish();
}
