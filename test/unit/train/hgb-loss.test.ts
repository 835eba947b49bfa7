import { describe, expect, it } from 'vitest';
import { trainLossSample } from '../../../src/train/tree/hgb.js';

describe('training loss sample of the learning curve', () => {
  it('takes every row up to 10,000 and a fixed sorted sample of 10,000 distinct rows above', () => {
    const y = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 2);
    const w = (n: number) => new Float64Array(n).fill(1);
    expect(trainLossSample(10_000, y(10_000), w(10_000), 1, 42)).toBeNull();
    const n = 25_000;
    const ys = Int32Array.from({ length: n }, (_, i) => i * 7);
    const ws = Float64Array.from({ length: n }, (_, i) => i / 2);
    const s = trainLossSample(n, ys, ws, 3, 42)!;
    expect(s.rows.length).toBe(10_000);
    for (let i = 1; i < s.rows.length; i++) expect(s.rows[i]!).toBeGreaterThan(s.rows[i - 1]!);
    expect(s.rows[s.rows.length - 1]!).toBeLessThan(n);
    // The sample's targets and weights are those rows' (row r has y = 7r, w = r / 2).
    for (let i = 0; i < s.rows.length; i += 997) {
      expect(s.y[i]).toBe(s.rows[i]! * 7);
      expect(s.w[i]).toBe(s.rows[i]! / 2);
    }
    expect(s.raw.length).toBe(30_000);
    // Same seed, same rows; another seed, other rows.
    expect(Array.from(trainLossSample(n, ys, ws, 3, 42)!.rows)).toEqual(Array.from(s.rows));
    expect(Array.from(trainLossSample(n, ys, ws, 3, 7)!.rows)).not.toEqual(Array.from(s.rows));
  });
});
