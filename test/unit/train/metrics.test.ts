import { describe, expect, it } from 'vitest';
import { classificationMetrics, regressionMetrics, rocAuc } from '../../../src/model/metrics.js';

describe('metrics against hand-computed values', () => {
  it('ROC AUC: the textbook example and ties counting half', () => {
    expect(rocAuc(Uint8Array.from([0, 0, 1, 1]), Float64Array.from([0.1, 0.4, 0.35, 0.8]))).toBe(0.75);
    expect(rocAuc(Uint8Array.from([0, 1]), Float64Array.from([0.5, 0.5]))).toBe(0.5);
    expect(rocAuc(Uint8Array.from([1, 1]), Float64Array.from([0.2, 0.3]))).toBeNull();
  });

  it('binary classification: accuracy, per-class and macro precision/recall/F1, log loss, confusion', () => {
    // y = [0, 0, 1, 1, 1], p(1) = [0.2, 0.6, 0.7, 0.4, 0.9] -> predicted [0, 1, 1, 0, 1]
    const p1 = [0.2, 0.6, 0.7, 0.4, 0.9];
    const proba = Float64Array.from(p1.flatMap((p) => [1 - p, p]));
    const m = classificationMetrics(Int32Array.from([0, 0, 1, 1, 1]), proba, Int32Array.from([0, 1, 1, 0, 1]), ['no', 'yes']);
    expect(m.accuracy).toBe(0.6);
    expect(m.confusion_matrix).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(m.per_class.no).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(m.per_class.yes).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(m.precision_macro).toBeCloseTo((0.5 + 2 / 3) / 2, 15);
    // AUC: positives {0.7, 0.4, 0.9} vs negatives {0.2, 0.6}: 5 of 6 pairs ordered.
    expect(m.roc_auc).toBeCloseTo(5 / 6, 15);
    const ll = -(Math.log(0.8) + Math.log(0.4) + Math.log(0.7) + Math.log(0.4) + Math.log(0.9)) / 5;
    expect(m.log_loss).toBeCloseTo(ll, 15);
  });

  it('multiclass AUC is the macro one-vs-rest average (sklearn multi_class="ovr")', () => {
    // Perfectly ranked probabilities: every one-vs-rest AUC is 1.
    const proba = Float64Array.from([0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8]);
    const m = classificationMetrics(Int32Array.from([0, 1, 2]), proba, Int32Array.from([0, 1, 2]), ['a', 'b', 'c']);
    expect(m.roc_auc).toBe(1);
    expect(m.f1_macro).toBe(1);
    expect(m.log_loss).toBeCloseTo(-Math.log(0.8), 15);
  });

  it('regression: RMSE, MAE and R2', () => {
    // errors [0.5, -0.5, 0, -1]; y mean 2.5, SS_tot = 5
    const m = regressionMetrics(Float64Array.from([1, 2, 3, 4]), Float64Array.from([0.5, 2.5, 3, 5]));
    expect(m.rmse).toBeCloseTo(Math.sqrt(1.5 / 4), 15);
    expect(m.mae).toBe(0.5);
    expect(m.r2).toBeCloseTo(1 - 1.5 / 5, 15);
  });
});
