import type { Model, Predictions } from '../model/load.js';

/** Response bodies for predictions, in each protocol's shape. */

/** MLflow: `{"predictions": [...]}`, labels (or values), or per-class probability lists with `proba`. */
export function mlflowBody(p: Predictions, classCount: number, proba: boolean): string {
  if (proba && p.probabilities) return `{"predictions":${JSON.stringify(nested(p.probabilities, p.rows, classCount))}}`;
  if (p.labels && p.rows === 1) return oneLabelBody(p.labels[0]!);
  return `{"predictions":${JSON.stringify(p.labels ?? Array.from(p.values!))}}`;
}

/**
 * The body of a 1-row label answer, kept per label (a model has few classes; at most
 * ONE_LABEL_MAX are kept): one map lookup instead of a stringify and two concatenations per
 * request, and a flat string, which node measures (Content-Length) and writes without first
 * flattening a rope.
 */
const oneLabel = new Map<string, string>();
const ONE_LABEL_MAX = 1024;
function oneLabelBody(label: string): string {
  let body = oneLabel.get(label);
  if (body === undefined) {
    body = JSON.stringify({ predictions: [label] });
    if (oneLabel.size < ONE_LABEL_MAX) oneLabel.set(label, body);
  }
  return body;
}

function nested(flat: ArrayLike<number>, rows: number, width: number): number[][] {
  const out = new Array<number[]>(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.prototype.slice.call(flat, r * width, (r + 1) * width) as number[];
  return out;
}

export interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
}

/** The outputs a model declares in V2 metadata (-1 = the batch dimension). */
export function v2OutputSpecs(model: Model): V2Output[] {
  if (model.meta.task === 'regression') return [{ name: 'prediction', datatype: 'FP64', shape: [-1] }];
  return [
    { name: 'label', datatype: 'BYTES', shape: [-1] },
    { name: 'probabilities', datatype: 'FP32', shape: [-1, model.classCount] },
  ];
}

/** The V2 `outputs` list for a batch, restricted to `wanted` names when the request lists some. */
export function v2Outputs(p: Predictions, classCount: number, wanted: string[] | undefined): unknown[] {
  const all: Record<string, () => unknown> = p.labels
    ? {
        label: () => ({ name: 'label', shape: [p.rows], datatype: 'BYTES', data: p.labels }),
        probabilities: () => ({ name: 'probabilities', shape: [p.rows, classCount], datatype: 'FP32', data: Array.from(p.probabilities ?? []) }),
      }
    : { prediction: () => ({ name: 'prediction', shape: [p.rows], datatype: 'FP64', data: Array.from(p.values!) }) };
  return (wanted ?? Object.keys(all)).map((name) => all[name]!());
}
