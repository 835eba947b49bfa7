import { describe, expect, it } from 'vitest';
import { applyBins, fitBins } from '../../../src/train/tree/bins.js';

const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('binning, exact cases', () => {
  it('bins every feature of a row-major matrix wider than one transpose block (16)', () => {
    // 20 features, 6 rows: feature f holds f, f + 1, ..., so its thresholds are its 5 smallest.
    const F = 20;
    const X = Float32Array.from({ length: 6 * F }, (_, k) => (k % F) + 5 - Math.floor(k / F));
    const thresholds = fitBins(X, F, all(6), 255, 0);
    for (let f = 0; f < F; f++) expect(Array.from(thresholds[f]!)).toEqual([f, f + 1, f + 2, f + 3, f + 4]);
    const bins = applyBins(X, F, all(6), thresholds);
    // Row i holds f + 5 - i: the largest value (row 0) takes the last bin, 5.
    for (let f = 0; f < F; f++) expect(Array.from(bins.subarray(f * 6, f * 6 + 6))).toEqual([5, 4, 3, 2, 1, 0]);
  });

  it('keeps the sign of the first of equal values (-0 sorts before 0) as the threshold', () => {
    const thresholds = fitBins(Float32Array.from([0, 1, -0, 1]), 1, all(4), 255, 0);
    expect(thresholds[0]!.length).toBe(1);
    expect(Object.is(thresholds[0]![0], -0)).toBe(true);
  });

  it('puts values above every threshold, +Infinity and NaN in the last bin', () => {
    const thresholds = [Float32Array.from([-1, 0.5, 2])];
    const X = Float32Array.from([-5, -1, -0.5, 0.5, 1, 2, 2.5, Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(Array.from(applyBins(X, 1, all(10), thresholds))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 3, 0]);
  });

  it('searches 254 thresholds exactly (the fixed-depth search uses all 256 slots)', () => {
    const t = Float32Array.from({ length: 254 }, (_, i) => i * 2);
    const X = Float32Array.from({ length: 512 }, (_, i) => i - 1.5);
    const bins = applyBins(X, 1, all(512), [t]);
    // x <= 2b is bin b: x = i - 1.5 lands in ceil((i - 1.5) / 2), capped at 254.
    for (let i = 0; i < 512; i++) expect(bins[i]).toBe(Math.min(254, Math.max(0, Math.ceil((i - 1.5) / 2))));
  });
});
