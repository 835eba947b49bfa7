import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { type ArenaLayout, HistogramArena, WasmHistogramKernel, histogramModule } from './hist-wasm.js';
import { buildHistogram } from './histogram.js';
import { CONTROL_INTS, DONE, END, IDENTITY, JOB_LIMIT, SLOT, START, STOP, WAKE, chunkBounds, claim, publish } from './hist-jobs.js';

/**
 * The arrays of a gradient-boosting fit (bins, sample indices, gradients, scores, histograms) and
 * the loops over them: gathering a node's gradients, summing its histogram, subtracting a sibling's,
 * partitioning its samples, adding a leaf's value to the scores. Histograms are summed on this
 * thread alone or split by features with one worker thread. All arrays the worker reads live in
 * shared memory; a job is announced through an
 * Int32Array with Atomics (no message round trip per node), and histogram slots created later are
 * handed over on a MessagePort the worker drains synchronously before each job. Each feature's
 * histogram is always summed by one thread in the same order, so threaded and single-threaded runs
 * give bit-identical models. The loops run in WebAssembly when the build has them (hist-wasm.ts: the
 * arrays then live in its memory), else in JavaScript here and in histogram.ts; same results.
 */
export interface HistogramEngine {
  /** The binned features the histograms read, [F, n] column-major (a copy of EngineData.bins). */
  readonly bins: Uint8Array;
  /** Gradients and hessians per output k (the booster writes them each iteration). */
  readonly g: Float64Array[];
  readonly h: Float64Array[];
  /** The boosting scores and the tree sums of the training samples, [n, K] (see HgbResult.treeSums). */
  readonly raw: Float64Array;
  readonly sums: Float64Array;
  /** Gathered gradients/hessians of the node being built (shared with the worker). */
  readonly og: Float64Array;
  readonly oh: Float64Array;
  /** Sample indices, partitioned by node (shared with the worker). */
  readonly idx: Uint32Array;
  /** A free histogram slot. */
  take(): number;
  release(slot: number): void;
  hist(slot: number): Float64Array;
  /** Gathers output k's gradients (and hessians) of the samples idx[start, end) into og/oh, in idx order. */
  gather(k: number, start: number, end: number): void;
  build(slot: number, start: number, end: number, identity: boolean): void;
  /** hist(slot) -= hist(from): the larger child's histogram from its parent's and its sibling's. */
  subtract(slot: number, from: number): void;
  /** Adds a leaf's value v to raw and sums at output k of its samples idx[start, end). */
  addLeaf(start: number, end: number, k: number, v: number): void;
  /** Stable partition of idx[start, end) by bin <= splitBin of `feature` (children keep reading bins in row order); returns where the right side starts. */
  partition(start: number, end: number, feature: number, splitBin: number): number;
  close(): Promise<void>;
}

export interface EngineData {
  bins: Uint8Array;
  n: number;
  /** Outputs: trees per iteration (classes for multiclass, else 1). */
  K: number;
  offsets: Int32Array;
  histLength: number;
  /** Every hessian is exactly 1: histograms count instead of summing them (see buildHistogram). */
  unitHessian: boolean;
  /** Histogram slots held at once at most (sizes the WebAssembly memory). */
  maxSlots: number;
  /** false: the JavaScript loops even when the WebAssembly ones are built (tests compare the two). */
  wasm?: boolean;
}

/** What the worker thread needs to run the WebAssembly loop in the same memory. */
export interface WasmShare {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  layout: ArenaLayout;
}

const WORKER_TIMEOUT_MS = 120_000;
/** Samples x features below which ThreadedEngine sums a histogram on the calling thread alone. */
const LOCAL_WORK = 40_000;

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

export class LocalEngine implements HistogramEngine {
  readonly bins: Uint8Array;
  readonly g: Float64Array[];
  readonly h: Float64Array[];
  readonly raw: Float64Array;
  readonly sums: Float64Array;
  readonly og: Float64Array;
  readonly oh: Float64Array;
  readonly idx: Uint32Array;
  protected readonly slots: Float64Array[] = [];
  private readonly free: number[] = [];
  /** Scratch of partition (the JavaScript one). */
  private tmp: Uint32Array | null = null;
  private readonly arena: HistogramArena | null;
  private readonly kernel: WasmHistogramKernel | null;
  /** The module and memory for the worker when the loop runs in WebAssembly. */
  protected readonly wasmShare: WasmShare | null = null;

  constructor(
    protected readonly data: EngineData,
    protected readonly F: number,
    private readonly shared = false,
  ) {
    const module = data.wasm === false ? null : histogramModule();
    this.arena = module && HistogramArena.create(data.bins, data.n, data.K, data.offsets, data.histLength, data.maxSlots);
    if (module && this.arena) {
      const { memory, layout } = this.arena;
      this.kernel = new WasmHistogramKernel(module, memory, layout);
      this.wasmShare = { module, memory, layout };
      ({ bins: this.bins, g: this.g, h: this.h, raw: this.raw, sums: this.sums, og: this.og, oh: this.oh, idx: this.idx } = this.arena);
      return;
    }
    this.kernel = null;
    this.bins = data.bins;
    const { n, K } = data;
    this.g = Array.from({ length: K }, () => new Float64Array(n));
    this.h = Array.from({ length: K }, () => new Float64Array(n));
    this.raw = new Float64Array(n * K);
    this.sums = new Float64Array(n * K);
    this.og = shared ? sharedF64(data.n) : new Float64Array(data.n);
    this.oh = shared ? sharedF64(data.n) : new Float64Array(data.n);
    this.idx = shared ? new Uint32Array(new SharedArrayBuffer(data.n * 4)) : new Uint32Array(data.n);
  }

  take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    this.slots.push(this.newSlot(this.slots.length));
    return this.slots.length - 1;
  }

  protected newSlot(_slot: number): Float64Array {
    if (this.arena) return this.arena.newSlot();
    return this.shared ? sharedF64(this.data.histLength) : new Float64Array(this.data.histLength);
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  hist(slot: number): Float64Array {
    return this.slots[slot]!;
  }

  gather(k: number, start: number, end: number): void {
    const { unitHessian } = this.data;
    if (this.kernel) {
      this.kernel.gather(k, start, end, unitHessian);
      return;
    }
    const { idx, og, oh } = this;
    const g = this.g[k]!;
    const h = this.h[k]!;
    if (unitHessian) {
      for (let i = start; i < end; i++) og[i - start] = g[idx[i]!]!;
      return;
    }
    for (let i = start; i < end; i++) {
      const s = idx[i]!;
      og[i - start] = g[s]!;
      oh[i - start] = h[s]!;
    }
  }

  build(slot: number, start: number, end: number, identity: boolean): void {
    this.sum(this.slots[slot]!, start, end, 0, this.F, identity);
  }

  subtract(slot: number, from: number): void {
    const a = this.slots[slot]!;
    const b = this.slots[from]!;
    if (this.kernel) {
      this.kernel.subtract(a, b);
      return;
    }
    for (let j = 0; j < a.length; j++) a[j]! -= b[j]!;
  }

  addLeaf(start: number, end: number, k: number, v: number): void {
    if (this.kernel) {
      this.kernel.addLeaf(start, end, k, v);
      return;
    }
    const { idx, raw, sums } = this;
    const { K } = this.data;
    for (let i = start; i < end; i++) {
      const at = idx[i]! * K + k;
      raw[at]! += v;
      sums[at]! += v;
    }
  }

  partition(start: number, end: number, feature: number, splitBin: number): number {
    if (this.kernel) return this.kernel.partition(start, end, feature, splitBin);
    this.tmp ??= new Uint32Array(this.data.n);
    const { idx, bins, tmp } = this;
    const col = feature * this.data.n;
    let l = start;
    let r = 0;
    // Branch-free: each sample is written to both sides and only its own side's cursor moves
    // (+bool is 0 or 1). Which way a sample goes is a coin toss to the branch predictor; the
    // branching loop was 2.7x slower.
    for (let i = start; i < end; i++) {
      const s = idx[i]!;
      const left = +(bins[col + s]! <= splitBin);
      idx[l] = s;
      tmp[r] = s;
      l += left;
      r += 1 - left;
    }
    idx.set(tmp.subarray(0, r), l);
    return l;
  }

  /** Sums features [fFrom, fTo) of a histogram (see buildHistogram). */
  protected sum(hist: Float64Array, start: number, end: number, fFrom: number, fTo: number, identity: boolean): void {
    const { n, offsets, unitHessian } = this.data;
    if (this.kernel) this.kernel.sum(hist, start, end, fFrom, fTo, identity, unitHessian);
    else buildHistogram(hist, offsets, this.bins, n, this.idx, start, end, this.og, this.oh, fFrom, fTo, identity, unitHessian);
  }

  async close(): Promise<void> {}
}

export class ThreadedEngine extends LocalEngine {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly bounds: Int32Array;
  private job = 0;

  constructor(data: EngineData, F: number, script: URL) {
    super(data, F, true);
    this.bounds = chunkBounds(F);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(script, {
      workerData: {
        ctrl: this.ctrl,
        wasm: this.wasmShare,
        bins: this.bins,
        n: data.n,
        offsets: data.offsets,
        idx: this.idx,
        og: this.og,
        oh: this.oh,
        bounds: this.bounds,
        unitHessian: data.unitHessian,
        port: port2,
      },
      transferList: [port2],
    });
  }

  protected override newSlot(slot: number): Float64Array {
    const hist = super.newSlot(slot);
    this.port.postMessage({ slot, hist });
    return hist;
  }

  override build(slot: number, start: number, end: number, identity: boolean): void {
    // A small node is summed here whole: waking the worker costs more (30-50 us on an idle core,
    // often 0.2 ms or more on a busy machine) than its share of the work saves. In the bench's 100
    // trees, 1,177 of 3,100 histograms have under 2,000 rows (3% of the rows).
    if ((end - start) * this.F < LOCAL_WORK) {
      super.build(slot, start, end, identity);
      return;
    }
    const { ctrl, bounds } = this;
    const chunks = bounds.length - 1;
    ctrl[SLOT] = slot;
    ctrl[START] = start;
    ctrl[END] = end;
    ctrl[IDENTITY] = identity ? 1 : 0;
    this.job = (this.job + 1) % JOB_LIMIT;
    publish(ctrl, this.job);
    Atomics.add(ctrl, WAKE, 1);
    Atomics.notify(ctrl, WAKE);
    const hist = this.slots[slot]!;
    for (let c = claim(ctrl, this.job, chunks); c >= 0; c = claim(ctrl, this.job, chunks)) {
      this.sum(hist, start, end, bounds[c]!, bounds[c + 1]!, identity);
      Atomics.add(ctrl, DONE, 1);
    }
    // Every chunk is claimed; wait for those the worker is still summing (usually none or one).
    for (let done = Atomics.load(ctrl, DONE); done !== chunks; done = Atomics.load(ctrl, DONE)) {
      if (Atomics.wait(ctrl, DONE, done, WORKER_TIMEOUT_MS) === 'timed-out') {
        throw new Error('the histogram worker thread stopped responding');
      }
    }
  }

  override async close(): Promise<void> {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, WAKE, 1);
    Atomics.notify(this.ctrl, WAKE);
    this.port.close();
    await this.worker.terminate();
  }
}
