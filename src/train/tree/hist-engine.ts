import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { type Loss, addLeafValues, meanLoss } from './boosting-math.js';
import { type SplitCandidate, type SplitRequest, type SplitRules, buildHistogram, finishNodeJob } from './histogram.js';

/**
 * Builds node histograms for gradient boosting, on this thread alone or split by features with one
 * worker thread. All arrays the worker reads live in shared memory; a job is announced through an
 * Int32Array with Atomics (no message round trip per node), and histogram slots created later are
 * handed over on a MessagePort the worker drains synchronously before each job. Each feature's
 * histogram is always summed by one thread in the same order, so threaded and single-threaded runs
 * give bit-identical models.
 *
 * Each thread also subtracts its features' part of the larger sibling's histogram and searches
 * them for the best split (the main thread keeps the first best, as one scan would). Between
 * trees the worker sums the training loss of the learning curve alone in row order (the same
 * double) while the main thread computes the next gradients.
 */
export interface HistogramEngine {
  /** Gathered gradients/hessians of the node being built (shared with the worker). */
  readonly og: Float64Array;
  readonly oh: Float64Array;
  /** Sample indices, partitioned by node (shared with the worker). */
  readonly idx: Uint32Array;
  /** A free histogram slot. */
  take(): number;
  release(slot: number): void;
  hist(slot: number): Float64Array;
  /**
   * Sums slot's histogram from idx[start, end), then, if parent >= 0, subtracts it from parent's
   * (the larger sibling), then returns the best split of each request.
   */
  build(slot: number, start: number, end: number, identity: boolean, parent: number, requests: SplitRequest[]): (SplitCandidate | null)[];
  /** Boosting scores [n, K] (shared with the worker) and leaf sums (see HgbResult.treeSums). */
  readonly raw: Float64Array;
  readonly sums: Float64Array;
  /** Adds each leaf's value (start, end, value in leafTable) to raw and sums, output k. */
  addLeaves(count: number, k: number): void;
  /** Leaves of the current tree for addLeaves: start, end, value per leaf. */
  readonly leafTable: Float64Array;
  /** Starts the mean training loss of raw; lossResult() returns it (nothing may change raw in between). */
  startLoss(): void;
  lossResult(): number;
  close(): Promise<void>;
}

/** The boosting state the engine's jobs read. */
export interface BoostData {
  loss: Loss;
  K: number;
  y: Int32Array | Float64Array;
  w: Float64Array;
  /** Most leaves a tree can have (sizes leafTable). */
  maxLeaves: number;
}

export interface EngineData {
  bins: Uint8Array;
  n: number;
  offsets: Int32Array;
  histLength: number;
  rules: SplitRules;
}

/**
 * Control block: [0] job generation, [1] finished generation, [2] slot (-1 = stop), [3] start,
 * [4] end, [5] identity (k of a leaf update), [6] job kind, [7] parent slot, [8] requests,
 * [9..10] their slots (their totals in args).
 */
const CONTROL_INTS = 11;
/** Most split requests in one job (the two children of a split). */
const MAX_REQUESTS = 2;
/** Per split candidate in `out`: gain, feature (-1: none), bin, gl, hl, nl. */
const CANDIDATE = 6;
export const JOB_HISTOGRAM = 0;
export const JOB_LOSS = 1;
export { CANDIDATE, MAX_REQUESTS };
const WORKER_TIMEOUT_MS = 120_000;

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

function f64(n: number, shared: boolean): Float64Array {
  return shared ? sharedF64(n) : new Float64Array(n);
}

export class LocalEngine implements HistogramEngine {
  readonly og: Float64Array;
  readonly oh: Float64Array;
  readonly idx: Uint32Array;
  readonly raw: Float64Array;
  readonly sums: Float64Array;
  readonly leafTable: Float64Array;
  protected readonly slots: Float64Array[] = [];
  private readonly free: number[] = [];
  private loss = Number.NaN;

  constructor(
    protected readonly data: EngineData,
    protected readonly F: number,
    protected readonly boost: BoostData,
    shared = false,
  ) {
    this.og = f64(data.n, shared);
    this.oh = f64(data.n, shared);
    this.idx = shared ? new Uint32Array(new SharedArrayBuffer(data.n * 4)) : new Uint32Array(data.n);
    this.raw = f64(data.n * boost.K, shared);
    // Only this thread updates the scores (the worker reads raw for the loss).
    this.sums = new Float64Array(data.n * boost.K);
    this.leafTable = new Float64Array(3 * Math.min(boost.maxLeaves, data.n));
  }

  take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    this.slots.push(this.newSlot(this.slots.length));
    return this.slots.length - 1;
  }

  protected newSlot(_slot: number): Float64Array {
    return new Float64Array(this.data.histLength);
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  hist(slot: number): Float64Array {
    return this.slots[slot]!;
  }

  build(slot: number, start: number, end: number, identity: boolean, parent: number, requests: SplitRequest[]): (SplitCandidate | null)[] {
    const { bins, n, offsets } = this.data;
    buildHistogram(this.slots[slot]!, offsets, bins, n, this.idx, start, end, this.og, this.oh, 0, this.F, identity);
    return finishNodeJob(this.slots, slot, parent, requests, this.data.rules, 0, this.F);
  }

  addLeaves(count: number, k: number): void {
    addLeafValues(this.leafTable, 0, count, this.idx, this.raw, this.sums, this.boost.K, k);
  }

  startLoss(): void {
    const { loss, y, w, K } = this.boost;
    this.loss = meanLoss(loss, this.raw, y, w, K);
  }

  lossResult(): number {
    return this.loss;
  }

  async close(): Promise<void> {}
}

export class ThreadedEngine extends LocalEngine {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** Features [0, mid) are summed here, [mid, F) by the worker. */
  private readonly mid: number;
  /** [0]: the training loss the worker computed; then its split candidates. */
  private readonly out = sharedF64(1 + CANDIDATE * MAX_REQUESTS);
  /** Totals (G, H, count) of each split request. */
  private readonly args = sharedF64(3 * MAX_REQUESTS);
  private lossPending = 0;

  constructor(data: EngineData, F: number, boost: BoostData, script: URL) {
    super(data, F, boost, true);
    this.mid = Math.ceil(F / 2);
    const shared = <T extends Int32Array | Float64Array>(a: T): T => {
      const copy = (a instanceof Int32Array ? new Int32Array(new SharedArrayBuffer(a.length * 4)) : sharedF64(a.length)) as T;
      copy.set(a);
      return copy;
    };
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(script, {
      workerData: {
        ctrl: this.ctrl,
        bins: data.bins,
        n: data.n,
        offsets: data.offsets,
        idx: this.idx,
        og: this.og,
        oh: this.oh,
        fFrom: this.mid,
        fTo: F,
        rules: data.rules,
        args: this.args,
        port: port2,
        raw: this.raw,
        out: this.out,
        loss: boost.loss,
        K: boost.K,
        y: shared(boost.y),
        w: shared(boost.w),
      },
      transferList: [port2],
    });
  }

  protected override newSlot(slot: number): Float64Array {
    const hist = sharedF64(this.data.histLength);
    this.port.postMessage({ slot, hist });
    return hist;
  }

  /** Announces a job to the worker; returns its generation (for wait). */
  private post(kind: number, slot: number, start: number, end: number, flag: number): number {
    const { ctrl } = this;
    ctrl[2] = slot;
    ctrl[3] = start;
    ctrl[4] = end;
    ctrl[5] = flag;
    ctrl[6] = kind;
    const generation = Atomics.add(ctrl, 0, 1) + 1;
    Atomics.notify(ctrl, 0);
    return generation;
  }

  private wait(generation: number): void {
    const { ctrl } = this;
    for (let done = Atomics.load(ctrl, 1); done !== generation; done = Atomics.load(ctrl, 1)) {
      if (Atomics.wait(ctrl, 1, done, WORKER_TIMEOUT_MS) === 'timed-out') {
        throw new Error('the histogram worker thread stopped responding');
      }
    }
  }

  override build(slot: number, start: number, end: number, identity: boolean, parent: number, requests: SplitRequest[]): (SplitCandidate | null)[] {
    const { ctrl, args, out, mid } = this;
    ctrl[7] = parent;
    ctrl[8] = requests.length;
    requests.forEach((r, j) => {
      ctrl[9 + j] = r.slot;
      args[3 * j] = r.G;
      args[3 * j + 1] = r.H;
      args[3 * j + 2] = r.count;
    });
    const generation = this.post(JOB_HISTOGRAM, slot, start, end, identity ? 1 : 0);
    const { bins, n, offsets } = this.data;
    buildHistogram(this.slots[slot]!, offsets, bins, n, this.idx, start, end, this.og, this.oh, 0, mid, identity);
    const mine = finishNodeJob(this.slots, slot, parent, requests, this.data.rules, 0, mid);
    this.wait(generation);
    // Features [mid, F) come after this thread's in a single scan: theirs win only with a higher gain.
    return mine.map((best, j) => {
      const o = 1 + CANDIDATE * j;
      const feature = out[o + 1]!;
      if (feature < 0 || (best && !(out[o]! > best.gain))) return best;
      return { gain: out[o]!, feature, bin: out[o + 2]!, gl: out[o + 3]!, hl: out[o + 4]!, nl: out[o + 5]! };
    });
  }

  override startLoss(): void {
    this.lossPending = this.post(JOB_LOSS, 0, 0, 0, 0);
  }

  override lossResult(): number {
    this.wait(this.lossPending);
    return this.out[0]!;
  }

  override async close(): Promise<void> {
    this.ctrl[2] = -1;
    Atomics.add(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
    this.port.close();
    await this.worker.terminate();
  }
}
