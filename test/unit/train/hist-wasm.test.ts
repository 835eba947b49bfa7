import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/train/random.js';
import type { BinnedData } from '../../../src/train/tree/cart.js';
import { type HgbOptions, fitHgb } from '../../../src/train/tree/hgb.js';
import { HistogramArena, WasmHistogramKernel, arenaLayout, histogramModule } from '../../../src/train/tree/hist-wasm.js';
import { buildHistogram, histogramLayout } from '../../../src/train/tree/histogram.js';

// The WebAssembly histogram loop (histogram.wat) must give the JavaScript loop's doubles bit for
// bit: models may not depend on which one ran. `npm test` builds first, so the module exists.

/** Random data: F features of n samples with 2-256 bins each, gradients of mixed sign and scale. */
function data(F: number, n: number, seed: number) {
  const rnd = new Random(seed);
  const thresholds = Array.from({ length: F }, (_, f) => new Float32Array(f === 0 ? 255 : 1 + Math.floor(rnd.float() * 200)));
  const { offsets, length } = histogramLayout(thresholds);
  const bins = new Uint8Array(F * n);
  for (let f = 0; f < F; f++) {
    const count = thresholds[f]!.length + 1;
    // Skewed: many samples share the low bins (back-to-back adds to one bin).
    for (let i = 0; i < n; i++) bins[f * n + i] = Math.floor(rnd.float() * rnd.float() * count);
  }
  const g = Float64Array.from({ length: n }, () => (rnd.float() - 0.5) * 10 ** Math.floor(rnd.float() * 6 - 3));
  const h = Float64Array.from({ length: n }, () => rnd.float() * 0.25);
  // A node: a random half of the samples in increasing order.
  const node = Uint32Array.from(Array.from({ length: n }, (_, i) => i).filter(() => rnd.float() < 0.5));
  return { thresholds, offsets, length, bins, g, h, node };
}

const bitsOf = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));

describe('the WebAssembly histogram loop', () => {
  it('is built, and sums every feature chunk to the JavaScript loop bits (identity and node, with and without hessians)', () => {
    const module = histogramModule();
    expect(module).not.toBeNull();
    const F = 11; // two fours and three left over
    const n = 5000;
    const d = data(F, n, 7);
    const arena = HistogramArena.create(d.bins, n, 1, d.offsets, d.length, 2)!;
    const kernel = new WasmHistogramKernel(module!, arena.memory, arena.layout);
    const slot = arena.newSlot();
    const expected = new Float64Array(d.length);
    const js = { idx: new Uint32Array(n), og: new Float64Array(n), oh: new Float64Array(n) };
    let compared = 0;
    for (const identity of [true, false]) {
      const rows = identity ? Uint32Array.from({ length: n }, (_, i) => i) : d.node;
      // The node's samples start part-way into idx, as a child's do.
      const start = identity ? 0 : 100;
      for (const idx of [arena.idx, js.idx]) idx.set(rows, start);
      for (const [og, oh] of [[arena.og, arena.oh], [js.og, js.oh]] as const) {
        rows.forEach((s, i) => {
          og[i] = d.g[s]!;
          oh[i] = d.h[s]!;
        });
      }
      for (const unitHessian of [false, true]) {
        for (const [fFrom, fTo] of [[0, F], [0, 4], [4, 10], [8, 11], [10, 11], [3, 3]] as const) {
          slot.fill(Number.NaN); // what the loop does not write must stay as it was
          expected.fill(Number.NaN);
          kernel.sum(slot, start, start + rows.length, fFrom, fTo, identity, unitHessian);
          buildHistogram(expected, d.offsets, d.bins, n, js.idx, start, start + rows.length, js.og, js.oh, fFrom, fTo, identity, unitHessian);
          expect(bitsOf(slot)).toEqual(bitsOf(expected));
          compared++;
        }
      }
    }
    expect(compared).toBe(24);
    // A known value: feature 0's counts add up to the node's samples.
    kernel.sum(slot, 100, 100 + d.node.length, 0, 1, false, false);
    let count = 0;
    for (let b = 0; b < 256; b++) count += slot[b * 3 + 2]!;
    expect(count).toBe(d.node.length);
  });

  it('grows its memory for new slots without moving the views taken before', () => {
    const d = data(3, 100, 1);
    const arena = HistogramArena.create(d.bins, 100, 1, d.offsets, d.length, 2000)!;
    const first = arena.newSlot();
    first[0] = 42;
    const before = arena.memory.buffer.byteLength;
    const slots = Array.from({ length: 200 }, () => arena.newSlot());
    expect(arena.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(first[0]).toBe(42);
    expect(slots[199]!.byteOffset).toBe(slots[0]!.byteOffset + 199 * d.length * 8);
    expect(Array.from(arena.bins.subarray(0, 5))).toEqual(Array.from(d.bins.subarray(0, 5)));
  });

  it('is not used past what a 4 GiB memory holds (the JavaScript loop is)', () => {
    // offsets 80 bytes, bins 20,000, idx and tmp 4,000 each, og and oh 8,000 each, then for 3
    // outputs g, h, raw and sums 24,000 each
    expect(arenaLayout(20, 1000, 3, 1000, 10)?.slots).toBe(140_080);
    expect(arenaLayout(1000, 5_000_000, 1, 1000, 10)).toBeNull(); // 5 GB of bins
    expect(arenaLayout(20, 1000, 1, 10_000, 60_000)).toBeNull();
  });

  it('fits the same boosted trees as the JavaScript loops, binary, regression and multiclass, on one thread and two', async () => {
    const F = 9;
    const n = 30_000; // past the size below which the worker is not woken
    const d = data(F, n, 3);
    const rnd = new Random(11);
    const yReg = Float64Array.from({ length: n }, (_, i) => d.bins[i]! * 0.5 + d.bins[3 * n + i]! - d.bins[5 * n + i]! * 2 + rnd.float());
    const yBin = Int32Array.from(yReg, (v) => (v > 60 ? 1 : 0));
    const yMulti = Int32Array.from(yReg, (v) => (v > 80 ? 2 : v > 40 ? 1 : 0));
    const options: HgbOptions = {
      maxIter: 8, learningRate: 0.1, maxLeafNodes: 31, maxDepth: 1000, minSamplesLeaf: 20, l2: 0,
      earlyStopping: true, validationFraction: 0.1, nIterNoChange: 10, tol: 1e-7, seed: 5, threads: 1,
    };
    for (const [y, classes, trees] of [[yBin, 2, 8], [yReg, 0, 8], [yMulti, 3, 24]] as const) {
      const binned: BinnedData = { bins: d.bins, n, F, thresholds: d.thresholds, y, classes };
      const js = await fitHgb(binned, null, { ...options, histogramKernel: 'js' }, () => {});
      for (const threads of [1, 2]) {
        const wasm = await fitHgb(binned, null, { ...options, threads }, () => {});
        expect(wasm.trees.length).toBe(trees);
        expect(wasm.trees.map((t) => [Array.from(t.feature), Array.from(t.threshold), Array.from(t.value)])).toEqual(
          js.trees.map((t) => [Array.from(t.feature), Array.from(t.threshold), Array.from(t.value)]),
        );
        expect(bitsOf(wasm.treeSums)).toEqual(bitsOf(js.treeSums));
      }
    }
  });
});
