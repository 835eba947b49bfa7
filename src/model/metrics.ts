/**
 * Test metrics, with scikit-learn's definitions (so that a side-by-side run compares like with like):
 * precision/recall/F1 are 0 when undefined, ROC AUC uses the trapezoidal rule over all distinct
 * thresholds (ties count half), multiclass AUC is the macro average of one-vs-rest, log loss clips
 * probabilities to [1e-15, 1 - 1e-15].
 */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  roc_auc: number | null;
  log_loss: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  per_class: Record<string, ClassMetrics>;
  /** confusion_matrix[actual][predicted], classes in model order. */
  confusion_matrix: number[][];
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** Points of the ROC curve (false positive rate, true positive rate) at each distinct threshold, best first. */
export function rocPoints(positive: Uint8Array, score: Float64Array): { fpr: number[]; tpr: number[]; threshold: number[] } {
  let P = 0;
  for (const p of positive) P += p;
  const N = positive.length - P;
  // The scores of the positive and of the negative rows, each sorted by the typed-array sort (no
  // comparator call per pair: 40,000 test rows took ~40 ms with an index sort), then merged from
  // the top, one distinct score at a time. NaN has no place in that order: such scores take the
  // index sort, whose (inconsistent) comparator decided where they went before.
  const pos = new Float64Array(P);
  const neg = new Float64Array(N);
  let a = 0;
  let b = 0;
  for (let i = 0; i < score.length; i++) {
    const s = score[i]!;
    if (Number.isNaN(s)) return rocPointsIndexSort(positive, score);
    if (positive[i]) pos[a++] = s;
    else neg[b++] = s;
  }
  pos.sort();
  neg.sort();
  const fpr = [0];
  const tpr = [0];
  const threshold = [Number.POSITIVE_INFINITY];
  let i = P - 1;
  let j = N - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    // The next distinct score (-0 and 0 are one score, as === groups them).
    const s = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    while (i >= 0 && pos[i] === s) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === s) {
      fp++;
      j--;
    }
    fpr.push(N > 0 ? fp / N : 0);
    tpr.push(P > 0 ? tp / P : 0);
    threshold.push(s);
  }
  return { fpr, tpr, threshold };
}

function rocPointsIndexSort(positive: Uint8Array, score: Float64Array): { fpr: number[]; tpr: number[]; threshold: number[] } {
  const order = Array.from(score.keys()).sort((a, b) => score[b]! - score[a]!);
  let P = 0;
  for (const p of positive) P += p;
  const N = positive.length - P;
  const fpr = [0];
  const tpr = [0];
  const threshold = [Number.POSITIVE_INFINITY];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    if (positive[i]) tp++;
    else fp++;
    if (j + 1 < order.length && score[order[j + 1]!] === score[i]) continue;
    fpr.push(N > 0 ? fp / N : 0);
    tpr.push(P > 0 ? tp / P : 0);
    threshold.push(score[i]!);
  }
  return { fpr, tpr, threshold };
}

export function rocAuc(positive: Uint8Array, score: Float64Array): number | null {
  let P = 0;
  for (const p of positive) P += p;
  if (P === 0 || P === positive.length) return null;
  const { fpr, tpr } = rocPoints(positive, score);
  let area = 0;
  for (let j = 1; j < fpr.length; j++) area += ((fpr[j]! - fpr[j - 1]!) * (tpr[j]! + tpr[j - 1]!)) / 2;
  return area;
}

export function classificationMetrics(y: Int32Array, proba: Float64Array, predicted: Int32Array, labels: string[]): ClassificationMetrics {
  const C = labels.length;
  const n = y.length;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    confusion[y[i]!]![predicted[i]!]!++;
    if (y[i] === predicted[i]) correct++;
    const p = Math.min(Math.max(proba[i * C + y[i]!]!, 1e-15), 1 - 1e-15);
    logLoss -= Math.log(p);
  }
  const perClass: Record<string, ClassMetrics> = {};
  let sp = 0;
  let sr = 0;
  let sf = 0;
  const aucs: number[] = [];
  for (let k = 0; k < C; k++) {
    let predictedK = 0;
    let support = 0;
    for (let a = 0; a < C; a++) {
      predictedK += confusion[a]![k]!;
      support += confusion[k]![a]!;
    }
    const tp = confusion[k]![k]!;
    const precision = predictedK > 0 ? tp / predictedK : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[labels[k]!] = { precision, recall, f1, support };
    sp += precision;
    sr += recall;
    sf += f1;
    if (C > 2 || k === 1) {
      const positive = new Uint8Array(n);
      const score = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        positive[i] = y[i] === k ? 1 : 0;
        score[i] = proba[i * C + k]!;
      }
      const auc = rocAuc(positive, score);
      if (auc !== null) aucs.push(auc);
    }
  }
  return {
    accuracy: n > 0 ? correct / n : 0,
    roc_auc: aucs.length > 0 ? aucs.reduce((a, b) => a + b, 0) / aucs.length : null,
    log_loss: n > 0 ? logLoss / n : 0,
    precision_macro: sp / C,
    recall_macro: sr / C,
    f1_macro: sf / C,
    per_class: perClass,
    confusion_matrix: confusion,
  };
}

export function regressionMetrics(y: Float64Array, predicted: Float64Array): RegressionMetrics {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= n;
  let se = 0;
  let ae = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i]! - predicted[i]!;
    se += d * d;
    ae += Math.abs(d);
    ss += (y[i]! - mean) * (y[i]! - mean);
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: ss > 0 ? 1 - se / ss : 0 };
}
