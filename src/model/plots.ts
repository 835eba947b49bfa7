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

function csv(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
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

export function classificationPlots(y: Int32Array, proba: Float64Array, predicted: Int32Array, labels: string[]): PlotFiles {
  const C = labels.length;
  const n = y.length;
  const files: PlotFiles = {
    'confusion.csv': csv(
      ['actual', 'predicted'],
      Array.from(y, (a, i) => [labels[a]!, labels[predicted[i]!]!]),
    ),
  };
  // ROC and PR of the positive class (binary) or of each class against the rest (multiclass).
  const roc: (string | number)[][] = [];
  const pr: (string | number)[][] = [];
  for (let k = C === 2 ? 1 : 0; k < C; k++) {
    const positive = new Uint8Array(n);
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      positive[i] = y[i] === k ? 1 : 0;
      score[i] = proba[i * C + k]!;
    }
    const { fpr, tpr, threshold } = rocPoints(positive, score);
    for (const j of corners(fpr, tpr)) roc.push([labels[k]!, round(fpr[j]!), round(tpr[j]!), round(Math.min(threshold[j]!, 1))]);
    const P = positive.reduce((a, b) => a + b, 0);
    const N = n - P;
    for (let j = 1; j < fpr.length; j++) {
      const tp = tpr[j]! * P;
      const fp = fpr[j]! * N;
      pr.push([labels[k]!, round(tpr[j]!), round(tp + fp > 0 ? tp / (tp + fp) : 1), round(threshold[j]!)]);
    }
  }
  files['roc.csv'] = csv(['class', 'fpr', 'tpr', 'threshold'], roc);
  files['precision_recall.csv'] = csv(['class', 'recall', 'precision', 'threshold'], pr);
  return files;
}

export function regressionPlots(y: Float64Array, predicted: Float64Array): PlotFiles {
  return { 'predictions.csv': csv(['actual', 'predicted'], Array.from(y, (a, i) => [round(a), round(predicted[i]!)])) };
}

export function importancePlot(features: string[], importance: Float64Array): PlotFiles {
  const total = importance.reduce((a, b) => a + b, 0) || 1;
  const rows = features.map((f, i) => [f, round(importance[i]! / total)] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { 'feature_importance.csv': csv(['feature', 'importance'], rows) };
}

export function learningCurvePlot(curve: LearningPoint[]): PlotFiles {
  const valid = curve.some((p) => p.valid_loss !== undefined);
  const header = valid ? ['iteration', 'train_loss', 'valid_loss'] : ['iteration', 'train_loss'];
  return {
    'learning_curve.csv': csv(
      header,
      curve.map((p) => (valid ? [p.iteration, round(p.train_loss), round(p.valid_loss ?? Number.NaN)] : [p.iteration, round(p.train_loss)])),
    ),
  };
}
