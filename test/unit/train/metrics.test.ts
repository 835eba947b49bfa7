import { describe, expect, it } from 'vitest';
import { classificationMetrics, regressionMetrics, rocAuc, rocPoints } from '../../../src/model/metrics.js';
import { plotNumber } from '../../../src/model/plots.js';
import { Random } from '../../../src/train/random.js';

/** The ROC points as first written: an index sort by descending score, one point per run of equal scores. */
function rocByIndexSort(positive: Uint8Array, score: Float64Array) {
  const order = Array.from(score.keys()).sort((a, b) => score[b]! - score[a]!);
  const P = positive.reduce((a, b) => a + b, 0);
  const N = positive.length - P;
  const out = { fpr: [0], tpr: [0], threshold: [Number.POSITIVE_INFINITY] };
  let tp = 0;
  let fp = 0;
  order.forEach((i, j) => {
    if (positive[i]) tp++;
    else fp++;
    if (j + 1 < order.length && score[order[j + 1]!] === score[i]) return;
    out.fpr.push(N > 0 ? fp / N : 0);
    out.tpr.push(P > 0 ? tp / P : 0);
    out.threshold.push(score[i]!);
  });
  return out;
}

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

  it('ROC points: the merged typed-array sorts give the index sort\'s points (ties, zeros, one class)', () => {
    expect(rocPoints(Uint8Array.from([0, 0, 1, 1]), Float64Array.from([0.1, 0.4, 0.35, 0.8]))).toEqual({
      fpr: [0, 0, 0.5, 0.5, 1],
      tpr: [0, 0.5, 0.5, 1, 1],
      threshold: [Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1],
    });
    const random = new Random(3);
    for (let t = 0; t < 40; t++) {
      const n = 1 + random.int(400);
      const levels = 1 + random.int(t % 2 ? 5 : 1000);
      const positive = Uint8Array.from({ length: n }, () => (random.float() < (t % 7) / 6 ? 1 : 0));
      const score = Float64Array.from({ length: n }, () => random.int(levels) / levels);
      expect(rocPoints(positive, score)).toEqual(rocByIndexSort(positive, score));
    }
  });
});

describe('plot numbers', () => {
  it('plotNumber(v) is String(Number(v.toPrecision(8))) on a million values of every magnitude', () => {
    const special = [0, -0, 1, -1, 0.1, 1 / 3, 1e-6, 9.99999999e-7, 5e-7, 1e-7, 99999999.5, 1e8, 123456789, 44764170, -1234567, 1e21, 1e-320, Number.MIN_VALUE, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const random = new Random(5);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const values = [...special];
    for (let i = 0; i < 1_000_000; i++) {
      if (i % 3 === 0) values.push(random.float());
      else if (i % 3 === 1) values.push((random.float() - 0.5) * 10 ** (random.int(44) - 22));
      else {
        words[0] = random.uint32();
        words[1] = random.uint32();
        values.push(bits[0]!);
      }
    }
    const wrong = values.filter((v) => plotNumber(v) !== String(Number(v.toPrecision(8))));
    expect(wrong).toEqual([]);
    expect(special.slice(0, 15).map(plotNumber)).toEqual(['0', '0', '1', '-1', '0.1', '0.33333333', '0.000001', '0.000001', '5e-7', '1e-7', '100000000', '100000000', '123456790', '44764170', '-1234567']);
  }, 60_000);
});

