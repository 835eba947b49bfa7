import { rocPoints } from './metrics.js';

/**
 * Plot data as small CSV files with named x/y columns, the shape DVC's plot templates (and
 * `mlpipe plots show`) read: roc.csv (fpr, tpr), precision_recall.csv (recall, precision),
 * confusion.csv (actual, predicted per test row, for the confusion template),
 * feature_importance.csv (feature, importance), learning_curve.csv (iteration, train_loss,
 * valid_loss), predictions.csv (actual, predicted) for regression.
 */
export type PlotFiles = Record<string, string>;

/** One boosting iteration's losses (written by training as learning_curve.csv). */
export interface LearningPoint {
  iteration: number;
  train_loss: number;
  valid_loss?: number;
}

/** A CSV cell of text: quoted when it holds a quote, comma or newline. */
const text = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** A CSV file: the header line, then the rows' lines (each already joined), each ending in a newline. */
function csv(header: string[], lines: string[]): string {
  return `${[header.map(text).join(','), ...lines].join('\n')}\n`;
}

/** Drops points that lie on a straight segment between their neighbours (sklearn's drop_intermediate). */
function corners(x: number[], y: number[]): number[] {
  const keep: number[] = [];
  for (let j = 0; j < x.length; j++) {
    if (j === 0 || j === x.length - 1) keep.push(j);
    else if (x[j + 1]! - 2 * x[j]! + x[j - 1]! !== 0 || y[j + 1]! - 2 * y[j]! + y[j - 1]! !== 0) keep.push(j);
  }
  return keep;
}

const round = (v: number) => Number(v.toPrecision(8));

/**
 * `String(round(v))` (8 significant digits, as the plot files have always held them) without the
 * trip through a number and back: `toPrecision`'s text with its trailing zeros removed is that
 * string wherever both print the same notation: not from 1e8 up (toPrecision turns to an exponent,
 * String does not), not for subnormals (whose double may have a shorter decimal), not for NaN and
 * the infinities. A test set's precision-recall curve has a row per distinct score, so this runs
 * for every test row (4-5x faster; test/unit/train/metrics.test.ts compares both on 10^6 values).
 */
export function plotNumber(v: number): string {
  const s = v.toPrecision(8);
  const e = s.indexOf('e');
  if (e === -1 ? !(Math.abs(v) < 1e8) : s.charCodeAt(e + 1) === 43 || Math.abs(v) < 2.2250738585072014e-308) return String(Number(s));
  if (e === -1 && !s.includes('.')) return s;
  const at = e === -1 ? s.length : e;
  let end = at;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return end === at ? s : s.slice(0, end) + s.slice(at);
}

export function classificationPlots(y: Int32Array, proba: Float64Array, predicted: Int32Array, labels: string[]): PlotFiles {
  const C = labels.length;
  const n = y.length;
  const quoted = labels.map(text);
  const files: PlotFiles = {
    'confusion.csv': csv(
      ['actual', 'predicted'],
      Array.from(y, (a, i) => `${quoted[a]},${quoted[predicted[i]!]}`),
    ),
  };
  // ROC and PR of the positive class (binary) or of each class against the rest (multiclass).
  const roc: string[] = [];
  const pr: string[] = [];
  for (let k = C === 2 ? 1 : 0; k < C; k++) {
    const positive = new Uint8Array(n);
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      positive[i] = y[i] === k ? 1 : 0;
      score[i] = proba[i * C + k]!;
    }
    const { fpr, tpr, threshold } = rocPoints(positive, score);
    const label = quoted[k]!;
    for (const j of corners(fpr, tpr)) roc.push(`${label},${plotNumber(fpr[j]!)},${plotNumber(tpr[j]!)},${plotNumber(Math.min(threshold[j]!, 1))}`);
    const P = positive.reduce((a, b) => a + b, 0);
    const N = n - P;
    for (let j = 1; j < fpr.length; j++) {
      const tp = tpr[j]! * P;
      const fp = fpr[j]! * N;
      pr.push(`${label},${plotNumber(tpr[j]!)},${plotNumber(tp + fp > 0 ? tp / (tp + fp) : 1)},${plotNumber(threshold[j]!)}`);
    }
  }
  files['roc.csv'] = csv(['class', 'fpr', 'tpr', 'threshold'], roc);
  files['precision_recall.csv'] = csv(['class', 'recall', 'precision', 'threshold'], pr);
  return files;
}

export function regressionPlots(y: Float64Array, predicted: Float64Array): PlotFiles {
  return { 'predictions.csv': csv(['actual', 'predicted'], Array.from(y, (a, i) => `${plotNumber(a)},${plotNumber(predicted[i]!)}`)) };
}

export function importancePlot(features: string[], importance: Float64Array): PlotFiles {
  const total = importance.reduce((a, b) => a + b, 0) || 1;
  const rows = features.map((f, i) => [f, round(importance[i]! / total)] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { 'feature_importance.csv': csv(['feature', 'importance'], rows.map(([f, v]) => `${text(f)},${v}`)) };
}

export function learningCurvePlot(curve: LearningPoint[]): PlotFiles {
  const valid = curve.some((p) => p.valid_loss !== undefined);
  const header = valid ? ['iteration', 'train_loss', 'valid_loss'] : ['iteration', 'train_loss'];
  return {
    'learning_curve.csv': csv(
      header,
      curve.map((p) => `${p.iteration},${plotNumber(p.train_loss)}${valid ? `,${plotNumber(p.valid_loss ?? Number.NaN)}` : ''}`),
    ),
  };
}
