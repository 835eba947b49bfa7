import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/train/random.js';
import { buildHistogram, histogramLayout } from '../../../src/train/tree/histogram.js';

/** 7 features (so one group of four and three left over), 500 rows, up to 9 bins each. */
function data() {
  const rnd = new Random(7);
  const n = 500;
  const thresholds = Array.from({ length: 7 }, (_, f) => new Float32Array(2 + f));
  const bins = new Uint8Array(7 * n);
  thresholds.forEach((t, f) => {
    for (let i = 0; i < n; i++) bins[f * n + i] = rnd.int(t.length + 1);
  });
  const idx = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rnd.float() < 0.6);
  const g = Float64Array.from({ length: n }, () => rnd.float() - 0.5);
  const h = Float64Array.from({ length: n }, () => rnd.float());
  return { n, thresholds, bins, idx, g, h, ...histogramLayout(thresholds) };
}

/** The plain per-feature, per-sample loop the builder must match bit for bit. */
function reference(d: ReturnType<typeof data>, h: Float64Array): Float64Array {
  const out = new Float64Array(d.length);
  for (let f = 0; f < d.thresholds.length; f++) {
    for (const s of d.idx) {
      const x = d.offsets[f]! + d.bins[f * d.n + s]! * 3;
      out[x]! += d.g[s]!;
      out[x + 1]! += h[s]!;
      out[x + 2]! += 1;
    }
  }
  return out;
}

describe('histogram builder', () => {
  it('sums each feature in sample order, whatever the feature grouping and range split', () => {
    const d = data();
    const og = Float64Array.from(d.idx, (s) => d.g[s]!);
    const oh = Float64Array.from(d.idx, (s) => d.h[s]!);
    const whole = new Float64Array(d.length).fill(Number.NaN);
    buildHistogram(whole, d.offsets, d.bins, d.n, d.idx, 0, d.idx.length, og, oh, 0, 7, false, false);
    expect(Array.from(whole)).toEqual(Array.from(reference(d, d.h)));
    // Two threads' halves (features [0, 4) and [4, 7)) fill the same array with the same doubles.
    const halves = new Float64Array(d.length).fill(Number.NaN);
    buildHistogram(halves, d.offsets, d.bins, d.n, d.idx, 0, d.idx.length, og, oh, 0, 4, false, false);
    buildHistogram(halves, d.offsets, d.bins, d.n, d.idx, 0, d.idx.length, og, oh, 4, 7, false, false);
    expect(Array.from(halves)).toEqual(Array.from(whole));
    // Counts are exact: 500 * 0.6 rows, each counted once per feature.
    let counted = 0;
    for (let x = 2; x < d.length; x += 3) counted += whole[x]!;
    expect(counted).toBe(7 * d.idx.length);
  });

  it('with unit hessians, counts them instead of summing and gets the same doubles', () => {
    const d = data();
    const ones = new Float64Array(d.n).fill(1);
    const og = Float64Array.from(d.idx, (s) => d.g[s]!);
    const summed = new Float64Array(d.length);
    buildHistogram(summed, d.offsets, d.bins, d.n, d.idx, 0, d.idx.length, og, new Float64Array(d.idx.length).fill(1), 0, 7, false, false);
    const counted = new Float64Array(d.length).fill(Number.NaN);
    // oh's values must not matter (the remainder loops add them, the count copy overwrites them).
    buildHistogram(counted, d.offsets, d.bins, d.n, d.idx, 0, d.idx.length, og, new Float64Array(d.idx.length).fill(Number.NaN), 0, 7, false, true);
    expect(Array.from(counted)).toEqual(Array.from(summed));
    expect(Array.from(counted)).toEqual(Array.from(reference(d, ones)));
  });

  it('reads the root without idx when identity is set', () => {
    const d = data();
    const all = Uint32Array.from({ length: d.n }, (_, i) => i);
    const full = { ...d, idx: all };
    const hist = new Float64Array(d.length);
    // idx is garbage here: identity must not read it.
    buildHistogram(hist, d.offsets, d.bins, d.n, new Uint32Array(d.n).fill(0xffffffff), 0, d.n, d.g, d.h, 0, 7, true, false);
    expect(Array.from(hist)).toEqual(Array.from(reference(full, d.h)));
  });
});
