import onnxProto from 'onnx-proto';
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
const { onnx } = onnxProto;
type Attr = onnxProto.onnx.IAttributeProto;
const A = onnx.AttributeProto.AttributeType;
const ML = 'ai.onnx.ml';

const enc = new TextEncoder();
const ints = (name: string, v: ArrayLike<number>): Attr => ({ name, type: A.INTS, ints: Array.from(v) });
const int = (name: string, v: number): Attr => ({ name, type: A.INT, i: v });
const floats = (name: string, v: ArrayLike<number>): Attr => ({ name, type: A.FLOATS, floats: Array.from(v) });
const str = (name: string, v: string): Attr => ({ name, type: A.STRING, s: enc.encode(v) });
const strs = (name: string, v: string[]): Attr => ({ name, type: A.STRINGS, strings: v.map((s) => enc.encode(s)) });
/** A 1-D double tensor attribute (the `*_as_tensor` attributes of ai.onnx.ml opset 3). */
const doubles = (name: string, v: ArrayLike<number>): Attr => ({
  name,
  type: A.TENSOR,
  t: { dataType: onnx.TensorProto.DataType.DOUBLE, dims: [v.length], doubleData: Array.from(v) },
});

function tensor(name: string, elemType: number, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function postTransform(scorer: Scorer): string {
  if (scorer.link === 'logistic') return 'LOGISTIC';
  if (scorer.link === 'softmax') return 'SOFTMAX';
  return 'NONE';
}

/** The node attributes shared by TreeEnsembleClassifier and TreeEnsembleRegressor. */
function treeNodes(scorer: Scorer & { kind: 'trees' }, leafPrefix: 'class' | 'target'): Attr[] {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const leafTree: number[] = [];
  const leafNode: number[] = [];
  const leafOut: number[] = [];
  const leafWeight: number[] = [];
  scorer.trees.forEach((tree, t) => {
    for (let node = 0; node < tree.feature.length; node++) {
      treeIds.push(t);
      nodeIds.push(node);
      const leaf = tree.feature[node]! < 0;
      featureIds.push(leaf ? 0 : tree.feature[node]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      values.push(leaf ? 0 : tree.threshold[node]!);
      trueIds.push(leaf ? 0 : tree.left[node]!);
      falseIds.push(leaf ? 0 : tree.right[node]!);
      if (!leaf) continue;
      for (let k = 0; k < tree.outputs; k++) {
        leafTree.push(t);
        leafNode.push(node);
        leafOut.push(scorer.targets[t]! + k);
        leafWeight.push(tree.value[node * tree.outputs + k]!);
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
      ? [tensor(ONNX_OUTPUTS.value, onnx.TensorProto.DataType.FLOAT, ['N', 1])]
      : [
          tensor(ONNX_OUTPUTS.label, onnx.TensorProto.DataType.INT64, ['N']),
          tensor(ONNX_OUTPUTS.probabilities, onnx.TensorProto.DataType.FLOAT, ['N', C]),
        ];
  // Trees read the input cast to double (see the header); linear models read it as it is.
  const treeInput = `${ONNX_INPUT}_double`;
  const nodes: onnxProto.onnx.INodeProto[] =
    scorer.kind === 'trees'
      ? [
          { opType: 'Cast', name: 'Cast', input: [ONNX_INPUT], output: [treeInput], attribute: [int('to', onnx.TensorProto.DataType.DOUBLE)] },
          { opType: op, domain: ML, name: op, input: [treeInput], output: outputs.map((o) => o.name!), attribute: attrs },
        ]
      : [{ opType: op, domain: ML, name: op, input: [ONNX_INPUT], output: outputs.map((o) => o.name!), attribute: attrs }];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'mlpipe',
    producerVersion: options.producerVersion,
    docString: options.docString,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: ML, version: 3 },
    ],
    graph: {
      name: options.name,
      node: nodes,
      input: [tensor(ONNX_INPUT, onnx.TensorProto.DataType.FLOAT, ['N', scorer.features])],
      output: outputs,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
