import { describe, expect, it } from 'vitest';
import { holdOut, kFold } from '../../../src/train/data/split.js';
import { Random } from '../../../src/train/random.js';

/** The splits as first written: per-class shuffled groups, parts collected in lists and sorted. */
function groups(n: number, classes: Int32Array | null, k: number, seed: number): number[][] {
  const random = new Random(seed);
  const out: number[][] = Array.from({ length: classes ? k : 1 }, () => []);
  for (let i = 0; i < n; i++) out[classes ? classes[i]! : 0]!.push(i);
  for (const g of out) random.shuffle(g);
  return out;
}
const sorted = (a: number[]) => Uint32Array.from(a).sort();

function holdOutByLists(n: number, fraction: number, seed: number, classes: Int32Array | null, k: number) {
  const train: number[] = [];
  const test: number[] = [];
  for (const g of groups(n, classes, k, seed)) {
    const t = Math.round(g.length * fraction);
    g.forEach((r, i) => {
      (i < t ? test : train).push(r);
    });
  }
  return { train: sorted(train), test: sorted(test) };
}

function kFoldByLists(n: number, folds: number, seed: number, classes: Int32Array | null, k: number) {
  const gs = groups(n, classes, k, seed);
  return Array.from({ length: folds }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (const g of gs) {
      g.forEach((r, i) => {
        (i % folds === f ? test : train).push(r);
      });
    }
    return { train: sorted(train), test: sorted(test) };
  });
}

describe('row splits', () => {
  it('holds out a stratified 20% in row order', () => {
    const classes = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const s = holdOut(10, 0.2, 42, classes, 2);
    expect(s.test.length).toBe(2);
    expect(Array.from(s.test).map((r) => classes[r])).toEqual([0, 1]);
    expect(Array.from(s.train).concat(Array.from(s.test)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s).toEqual(holdOutByLists(10, 0.2, 42, classes, 2));
  });

  it('gives the same rows as the list-and-sort splits on seeded random cases', () => {
    const random = new Random(9);
    for (let t = 0; t < 60; t++) {
      const n = random.int(3000);
      const k = 1 + random.int(5);
      const classes = t % 3 === 0 ? null : Int32Array.from({ length: n }, () => random.int(k));
      const fraction = [0.1, 0.2, 0.25, 0.5, 0.9][t % 5]!;
      expect(holdOut(n, fraction, t, classes, k)).toEqual(holdOutByLists(n, fraction, t, classes, k));
      const folds = 2 + (t % 6);
      expect(kFold(n, folds, t, classes, k)).toEqual(kFoldByLists(n, folds, t, classes, k));
    }
  }, 60_000);
});
