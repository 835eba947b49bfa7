import { describe, expect, it } from 'vitest';
import { type LeafWeights, MAX_DEPTH, type PointerTrees, accumulateHeap, heapForest } from '../../../src/model/tree-heap.js';

// The heap layout walks four trees at a time without branches, padding short branches: it must
// reach the same leaves as the pointer walk and sum their weights in the same order (float32
// rounding depends on it), for trees of any shape and for NaN features.

/** A deterministic generator (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Built extends PointerTrees, LeafWeights {}

/**
 * `trees` random trees over `width` features: branches stop at random depths (down to lone leaves),
 * up to `maxDepth`; each leaf carries `weightsPerLeaf` weights on random targets below `targets`.
 */
function randomForest(seed: number, trees: number, width: number, maxDepth: number, weightsPerLeaf: number, targets: number): Built {
  const random = rng(seed);
  const mode: number[] = [];
  const feature: number[] = [];
  const threshold: number[] = [];
  const yes: number[] = [];
  const no: number[] = [];
  const leafWeights: [number, number][][] = [];
  const node = (depth: number): number => {
    const i = mode.length;
    const leaf = depth === maxDepth || (depth > 0 && random() < 0.3) || (depth === 0 && random() < 0.1);
    mode.push(leaf ? 0 : 1);
    feature.push(leaf ? 0 : Math.floor(random() * width));
    threshold.push(leaf ? 0 : Math.fround(random() * 4 - 2));
    yes.push(0);
    no.push(0);
    leafWeights.push(leaf ? Array.from({ length: weightsPerLeaf }, () => [Math.floor(random() * targets), Math.fround(random() - 0.5)]) : []);
    if (!leaf) {
      yes[i] = node(depth + 1);
      no[i] = node(depth + 1);
    }
    return i;
  };
  const roots = Array.from({ length: trees }, () => node(0));
  const leafStart = new Int32Array(mode.length + 1);
  const target: number[] = [];
  const weight: number[] = [];
  leafWeights.forEach((ws, i) => {
    leafStart[i] = target.length;
    for (const [t, w] of ws) {
      target.push(t);
      weight.push(w);
    }
  });
  leafStart[mode.length] = target.length;
  return {
    roots: Int32Array.from(roots),
    mode: Uint8Array.from(mode),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    yes: Int32Array.from(yes),
    no: Int32Array.from(no),
    leafStart,
    target: Int32Array.from(target),
    weight: Float64Array.from(weight),
  };
}

/** The reference: the pointer walk, tree by tree, NaN to the "no" side. */
function pointerWalk(f: Built, x: Float32Array, base: number, acc: Float32Array): void {
  for (const root of f.roots) {
    let i = root;
    while (f.mode[i] !== 0) i = x[base + f.feature[i]!]! <= f.threshold[i]! ? f.yes[i]! : f.no[i]!;
    for (let k = f.leafStart[i]!; k < f.leafStart[i + 1]!; k++) acc[f.target[k]!]! += f.weight[k]!;
  }
}

/** Checks every row; returns how many distinct first-target sums the rows reached (a test of the test). */
function compare(f: Built, targets: number, width: number, rows: number): number {
  const h = heapForest(f, f);
  if (h === undefined) throw new Error('no heap layout');
  const random = rng(99);
  // Some features NaN, some exactly on a threshold (`<=` sends them to "yes"), the rest around them.
  const splits = f.threshold.filter((_, i) => f.mode[i] === 1);
  const value = (u: number) => (u < 0.05 ? Number.NaN : u < 0.2 && splits.length > 0 ? splits[Math.floor(random() * splits.length)]! : random() * 4.4 - 2.2);
  const x = Float32Array.from({ length: rows * width }, () => value(random()));
  let differing = 0;
  const sums = new Set<number>();
  for (let r = 0; r < rows; r++) {
    const want = new Float32Array(targets);
    const got = new Float32Array(targets);
    pointerWalk(f, x, r * width, want);
    accumulateHeap(h, f, x, r * width, got);
    expect(Array.from(got)).toEqual(Array.from(want));
    if (Array.from(want).some((v) => v !== want[0])) differing++;
    sums.add(want[0]!);
  }
  if (targets > 1) expect(differing).toBeGreaterThan(rows / 2);
  return sums.size;
}

describe('heap layout of a tree ensemble', () => {
  it('sums the leaves the pointer walk reaches, in its order, for trees of uneven depth and NaN features', () => {
    for (const trees of [1, 3, 4, 9, 50]) {
      const f = randomForest(trees, trees, 7, 8, 1, 1);
      expect(compare(f, 1, 7, 400)).toBeGreaterThan(trees === 1 ? 3 : 20);
    }
  });

  it('handles several weights per leaf on several targets (one-vs-rest multi-class leaves)', () => {
    const f = randomForest(5, 13, 5, 6, 3, 3);
    expect(heapForest(f, f)!.slotWeight).toBeUndefined();
    // The targets' sums differ from one another (checked), so a weight added to the wrong target shows.
    expect(compare(f, 3, 5, 300)).toBeGreaterThan(20);
    const single = randomForest(6, 13, 5, 6, 1, 3);
    expect(heapForest(single, single)!.slotWeight).toBeInstanceOf(Float32Array);
    expect(compare(single, 3, 5, 300)).toBeGreaterThan(20);
  });

  it('narrows thresholds, weights and feature indices only when no value changes', () => {
    const f = randomForest(8, 9, 5, 6, 1, 2);
    const h = heapForest(f, f)!;
    expect([h.threshold, h.slotWeight, h.feature, h.slotTarget].map((a) => a!.constructor.name)).toEqual(['Float32Array', 'Float32Array', 'Uint16Array', 'Uint16Array']);
    // Thresholds and weights that are not float32 values (1e-9 off, far below a float32's step
    // near 1) stay doubles, and rows still land where the pointer walk sends them.
    const doubles: Built = { ...f, threshold: f.threshold.map((t) => t + 1e-9), weight: f.weight.map((w) => w + 1e-9) };
    const hd = heapForest(doubles, doubles)!;
    expect([hd.threshold, hd.slotWeight].map((a) => a!.constructor.name)).toEqual(['Float64Array', 'Float64Array']);
    expect(compare(doubles, 1, 5, 300)).toBeGreaterThan(20);
    const wide: Built = { ...f, feature: f.feature.map((x) => x + 70_000) };
    expect(heapForest(wide, wide)!.feature).toBeInstanceOf(Int32Array);
  });

  it('pads each group of four trees to its deepest tree, and leaves forests deeper than MAX_DEPTH to the pointer walk', () => {
    const f = randomForest(11, 6, 4, 5, 1, 1);
    const h = heapForest(f, f)!;
    expect(h.lastGroupSize).toBe(2);
    expect(h.feature.length).toBe(4 * (2 ** h.groupDepth[0]! - 1) + 2 * (2 ** h.groupDepth[1]! - 1));
    expect(h.leafOf.length).toBe(4 * 2 ** h.groupDepth[0]! + 2 * 2 ** h.groupDepth[1]!);
    // A lone leaf is a tree of depth 0: one slot.
    const lone = randomForest(1, 1, 2, 0, 1, 1);
    expect(Array.from(heapForest(lone, lone)!.groupDepth)).toEqual([0]);
    expect(compare(lone, 1, 2, 10)).toBe(1);
    // A chain of `depth` splits, each with a leaf on its "yes" side.
    const chain = (depth: number): Built => {
      const n = 2 * depth + 1;
      const splits = (i: number) => i % 2 === 0 && i < n - 1;
      const mode = Uint8Array.from({ length: n }, (_, i) => (splits(i) ? 1 : 0));
      // Leaves are the odd nodes and the last one: each holds one weight.
      const leafStart = Int32Array.from({ length: n + 1 }, (_, i) => (i === n ? depth + 1 : i >> 1));
      return {
        roots: Int32Array.of(0),
        mode,
        feature: new Int32Array(n),
        threshold: Float64Array.from({ length: n }, (_, i) => i / 10 - 1),
        yes: Int32Array.from({ length: n }, (_, i) => (splits(i) ? i + 1 : 0)),
        no: Int32Array.from({ length: n }, (_, i) => (splits(i) ? i + 2 : 0)),
        leafStart,
        target: new Int32Array(depth + 1),
        weight: Float64Array.from({ length: depth + 1 }, (_, k) => k + 1),
      };
    };
    expect(heapForest(chain(MAX_DEPTH + 1), chain(MAX_DEPTH + 1))).toBeUndefined();
    const deepest = chain(MAX_DEPTH);
    expect(Array.from(heapForest(deepest, deepest)!.groupDepth)).toEqual([MAX_DEPTH]);
    // Rows stop at every one of the chain's leaves (x from -2.2 to 2.2, thresholds -1 to 1).
    expect(compare(deepest, 1, 1, 200)).toBe(MAX_DEPTH + 1);
  });
});
