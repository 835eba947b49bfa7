import { wasmModule } from '../../core/wasm.js';

/** What the arena copies of cart.ts's BinnedData (named here, not imported: cart.ts imports this module). */
interface ArenaData {
  bins: Uint8Array;
  n: number;
  F: number;
  y: Int32Array | Float64Array;
  classes: number;
}

/**
 * CART's per-node loops in WebAssembly (cart.wat): the histograms of a node's samples in one
 * feature and the partition of its samples. WebAssembly reads only its own memory, so the arrays
 * those loops touch live in a CartArena: the binned features and targets (copied once per thread,
 * for every tree of that thread over the same data), the tree's weights, the sample indices, and
 * the histogram. cart.ts's scan of the splits reads the histogram through the arena's views.
 */
export interface CartArena {
  /** Sample indices (the first samples.length are a tree's) and the partition's scratch. */
  idx: Uint32Array;
  tmp: Uint32Array;
  /** S doubles per bin, and one count per bin: zero between uses. */
  hist: Float64Array;
  cnt: Int32Array;
  /** The tree's weight per sample index. */
  weights: Float64Array;
  /** cart.ts classHistogram / regressionHistogram over the feature whose bins start at `base`. */
  classHistogram(start: number, end: number, base: number, S: number, nb: number): number;
  regressionHistogram(start: number, end: number, base: number, nb: number): number;
  /** cart.ts partition: idx[start, end) by `bins[base + s] <= bin`; where the right side starts. */
  partition(start: number, end: number, base: number, bin: number): number;
}

const PAGE = 65_536;
/** A wasm32 memory holds at most 65,536 pages (4 GiB). */
const MAX_PAGES = 65_536;
const align8 = (x: number) => Math.ceil(x / 8) * 8;

type Kernels = {
  classHistogram: (...args: number[]) => number;
  regressionHistogram: (...args: number[]) => number;
  partition: (...args: number[]) => number;
};

/** One arena per data set and thread (a forest's trees reuse it); null: the JavaScript loops. */
const arenas = new WeakMap<ArenaData, CartArena | null>();

/** The arena for trees over `data` with S statistics per bin, or null without the module (or room). */
export function cartArena(data: ArenaData, S: number, maxBins: number): CartArena | null {
  if (arenas.has(data)) return arenas.get(data)!;
  const arena = createArena(data, S, maxBins);
  arenas.set(data, arena);
  return arena;
}

function createArena(data: ArenaData, S: number, maxBins: number): CartArena | null {
  const module = wasmModule('train/tree/cart');
  if (!module) return null;
  const { n, F } = data;
  const regression = data.classes === 0;
  const hist = 0;
  const cnt = align8(hist + 8 * maxBins * S);
  const idx = align8(cnt + 4 * maxBins);
  const tmp = idx + 4 * n;
  const weights = align8(tmp + 4 * n);
  const y = weights + 8 * n;
  const bins = y + (regression ? 8 : 4) * n;
  const pages = Math.ceil((bins + n * F) / PAGE) || 1;
  if (pages > MAX_PAGES) return null;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
  const buffer = memory.buffer;
  new Uint8Array(buffer, bins, n * F).set(data.bins);
  if (regression) new Float64Array(buffer, y, n).set(data.y as Float64Array);
  else new Int32Array(buffer, y, n).set(data.y as Int32Array);
  return {
    idx: new Uint32Array(buffer, idx, n),
    tmp: new Uint32Array(buffer, tmp, n),
    hist: new Float64Array(buffer, hist, maxBins * S),
    cnt: new Int32Array(buffer, cnt, maxBins),
    weights: new Float64Array(buffer, weights, n),
    classHistogram: (start, end, base, s, nb) => k.classHistogram(idx, start, end, bins + base, y, weights, hist, cnt, s, nb),
    regressionHistogram: (start, end, base, nb) => k.regressionHistogram(idx, start, end, bins + base, y, weights, hist, cnt, nb),
    partition: (start, end, base, bin) => k.partition(idx, tmp, start, end, bins + base, bin),
  };
}
