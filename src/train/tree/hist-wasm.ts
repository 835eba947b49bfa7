import { wasmModule } from '../../core/wasm.js';

/**
 * Gradient boosting's inner loops in WebAssembly (histogram.wat, compiled by `npm run build` into
 * dist/train/tree/histogram.wasm): the histogram sums (histogram.ts buildHistogram), the partition
 * of a node's samples, the gather of their gradients, the leaf updates of the scores and the
 * histogram subtraction. Each does the same IEEE operations in the same order as the JavaScript
 * loops in hist-engine.ts and histogram.ts, so models are the same bit for bit; V8 runs the
 * histogram loop about 1.8x faster (no bounds check on each typed-array access).
 *
 * WebAssembly code reads only its own memory, so every array those loops touch lives in one
 * HistogramArena: the binned features, the sample indices, gradients and hessians, the scores and
 * tree sums, the node's gathered gradients and the histogram slots. The memory is shared (a
 * SharedArrayBuffer): the worker thread sums its chunks of features in the same memory, and growing
 * it for more slots never moves or detaches the views taken before.
 */

const PAGE = 65_536;
/** A wasm32 memory holds at most 65,536 pages (4 GiB). */
const MAX_PAGES = 65_536;

export interface ArenaLayout {
  F: number;
  n: number;
  /** Outputs (trees per iteration): K gradient and hessian arrays, K scores per sample. */
  K: number;
  histLength: number;
  /** Byte addresses of the feature offsets (i32), bins (u8), idx and tmp (u32), og and oh (f64). */
  offs: number;
  bins: number;
  idx: number;
  /** Scratch for partitioning idx. */
  tmp: number;
  og: number;
  oh: number;
  /** Gradients and hessians per output ([K][n] f64), the boosting scores and the tree sums ([n, K] f64). */
  g: number;
  h: number;
  raw: number;
  sums: number;
  /** Where the histogram slots start. */
  slots: number;
}

/** The compiled module; null when the build has none (no wabt) or WebAssembly is off (--jitless). */
export function histogramModule(): WebAssembly.Module | null {
  return wasmModule('train/tree/histogram');
}

const align8 = (x: number) => Math.ceil(x / 8) * 8;

/** The arena's layout for F features of n samples and K outputs, or null when `slots` histograms would not fit in 4 GiB. */
export function arenaLayout(F: number, n: number, K: number, histLength: number, slots: number): ArenaLayout | null {
  const offs = 0;
  const bins = align8(offs + 4 * F);
  const idx = align8(bins + F * n);
  const tmp = idx + 4 * n;
  const og = align8(tmp + 4 * n);
  const oh = og + 8 * n;
  const g = oh + 8 * n;
  const h = g + 8 * K * n;
  const raw = h + 8 * K * n;
  const sums = raw + 8 * n * K;
  const layout = { F, n, K, histLength, offs, bins, idx, tmp, og, oh, g, h, raw, sums, slots: sums + 8 * n * K };
  return layout.slots + slots * histLength * 8 <= MAX_PAGES * PAGE ? layout : null;
}

/** The memory every array of one fit lives in, and typed views of them. */
export class HistogramArena {
  readonly bins: Uint8Array;
  readonly idx: Uint32Array;
  readonly og: Float64Array;
  readonly oh: Float64Array;
  readonly g: Float64Array[];
  readonly h: Float64Array[];
  readonly raw: Float64Array;
  readonly sums: Float64Array;
  private next: number;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly layout: ArenaLayout,
    bins: Uint8Array,
    offsets: Int32Array,
  ) {
    const { buffer } = memory;
    new Int32Array(buffer, layout.offs, layout.F).set(offsets);
    this.bins = new Uint8Array(buffer, layout.bins, layout.F * layout.n);
    this.bins.set(bins);
    this.idx = new Uint32Array(buffer, layout.idx, layout.n);
    this.og = new Float64Array(buffer, layout.og, layout.n);
    this.oh = new Float64Array(buffer, layout.oh, layout.n);
    const { K, n } = layout;
    this.g = Array.from({ length: K }, (_, k) => new Float64Array(buffer, layout.g + 8 * k * n, n));
    this.h = Array.from({ length: K }, (_, k) => new Float64Array(buffer, layout.h + 8 * k * n, n));
    this.raw = new Float64Array(buffer, layout.raw, n * K);
    this.sums = new Float64Array(buffer, layout.sums, n * K);
    this.next = layout.slots;
  }

  /**
   * An arena holding a copy of `bins` ([F, n] column-major) with room to grow to `maxSlots`
   * histograms, or null when that would not fit in a wasm32 memory or the memory cannot be had.
   */
  static create(bins: Uint8Array, n: number, K: number, offsets: Int32Array, histLength: number, maxSlots: number): HistogramArena | null {
    const layout = arenaLayout(offsets.length, n, K, histLength, maxSlots);
    if (!layout) return null;
    let memory: WebAssembly.Memory;
    try {
      // Room for two slots at first (a tree needs a few); newSlot grows it.
      const initial = Math.ceil((layout.slots + 2 * histLength * 8) / PAGE);
      memory = new WebAssembly.Memory({ initial: Math.min(initial, MAX_PAGES), maximum: MAX_PAGES, shared: true });
    } catch {
      return null; // no address space for it (a ulimit -v): the JavaScript loop instead
    }
    return new HistogramArena(memory, layout, bins, offsets);
  }

  /** A new zeroed histogram slot in the arena (growing the memory when it is full). */
  newSlot(): Float64Array {
    const bytes = this.layout.histLength * 8;
    const end = this.next + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    const slot = new Float64Array(this.memory.buffer, this.next, this.layout.histLength);
    this.next = end;
    return slot;
  }
}

/** Calls into one instance of the module (one per thread). */
export class WasmHistogramKernel {
  private readonly build: (...args: number[]) => void;
  private readonly split: (...args: number[]) => number;
  private readonly gatherAt: (...args: number[]) => void;
  private readonly addLeafAt: (...args: number[]) => void;
  private readonly subtractAt: (...args: number[]) => void;
  private readonly offsets: Int32Array;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, private readonly layout: ArenaLayout) {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.build = instance.exports.buildHistogram as (...args: number[]) => void;
    this.split = instance.exports.partition as (...args: number[]) => number;
    this.gatherAt = instance.exports.gather as (...args: number[]) => void;
    this.addLeafAt = instance.exports.addLeaf as (...args: number[]) => void;
    this.subtractAt = instance.exports.subtract as (...args: number[]) => void;
    this.offsets = new Int32Array(memory.buffer, layout.offs, layout.F);
  }

  /** LocalEngine.partition: idx[start, end) stably by bin <= splitBin of `feature`; returns the first right index. */
  partition(start: number, end: number, feature: number, splitBin: number): number {
    const { layout } = this;
    return start + this.split(layout.idx + 4 * start, layout.tmp, end - start, layout.bins + feature * layout.n, splitBin);
  }

  /** LocalEngine.gather: output k's gradients (and hessians unless unitHessian) of idx[start, end) into og/oh. */
  gather(k: number, start: number, end: number, unitHessian: boolean): void {
    const { layout } = this;
    const at = 8 * k * layout.n;
    this.gatherAt(layout.idx + 4 * start, end - start, layout.g + at, layout.h + at, layout.og, layout.oh, unitHessian ? 1 : 0);
  }

  /** LocalEngine.addLeaf: v added to raw and sums at output k of the samples idx[start, end). */
  addLeaf(start: number, end: number, k: number, v: number): void {
    const { layout } = this;
    this.addLeafAt(layout.idx + 4 * start, end - start, layout.raw, layout.sums, layout.K, k, v);
  }

  /** a -= b, two histogram slots of this arena. */
  subtract(a: Float64Array, b: Float64Array): void {
    this.subtractAt(a.byteOffset, b.byteOffset, a.length);
  }

  /**
   * buildHistogram (histogram.ts) of features [fFrom, fTo) into `hist`, a slot of this arena, from
   * the samples idx[start, end) whose gradients are gathered in og/oh.
   */
  sum(hist: Float64Array, start: number, end: number, fFrom: number, fTo: number, identity: boolean, unitHessian: boolean): void {
    const { layout, offsets } = this;
    const from = offsets[fFrom]!;
    const to = fTo < layout.F ? offsets[fTo]! : layout.histLength;
    this.build(hist.byteOffset, layout.offs, layout.bins, layout.n, layout.idx + 4 * start, end - start, layout.og, layout.oh, fFrom, fTo, from, to, identity ? 1 : 0, unitHessian ? 1 : 0);
  }
}
