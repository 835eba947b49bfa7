import { Random, deriveSeed } from '../random.js';
import { interrupted, runPool, threadCount, workerScript, yieldToEventLoop } from '../threads.js';
import { type BinnedData, type CartOptions, growCart } from './cart.js';
import type { Tree } from './tree.js';

/**
 * Random forest: bootstrap samples, a random feature subset at each split, leaves averaged. Trees
 * are independent, so they are grown in parallel on worker threads over shared binned data; tree t
 * always uses seed deriveSeed(seed, t), which makes the forest identical for any thread count.
 */
export interface ForestOptions extends Omit<CartOptions, 'seed' | 'leafScale'> {
  trees: number;
  bootstrap: boolean;
  seed: number;
  threads: number;
}

export interface ForestJob {
  data: BinnedData;
  /** Per-sample weight before bootstrapping (class weights), or null for all ones. */
  sampleWeight: Float64Array | null;
  options: ForestOptions;
}

export interface TreeResult {
  tree: Tree;
  importance: Float64Array;
}

/** Grows tree number t of the forest. */
export function growForestTree(job: ForestJob, t: number): TreeResult {
  const { data, sampleWeight, options } = job;
  const seed = deriveSeed(options.seed, t);
  const weights = new Float64Array(data.n);
  if (options.bootstrap) {
    const random = new Random(seed ^ 0xa5a5a5a5);
    for (let i = 0; i < data.n; i++) weights[random.int(data.n)]! += 1;
  } else weights.fill(1);
  let m = 0;
  for (let i = 0; i < data.n; i++) if (weights[i]! > 0) m++;
  const samples = new Uint32Array(m);
  m = 0;
  for (let i = 0; i < data.n; i++) {
    if (weights[i]! > 0) {
      samples[m++] = i;
      if (sampleWeight) weights[i]! *= sampleWeight[i]!;
    }
  }
  const importance = new Float64Array(data.F);
  const tree = growCart(data, samples, weights, { ...options, seed, leafScale: 1 / options.trees }, importance);
  return { tree, importance };
}

/** Copies a typed array into shared memory so workers read it without a copy each. */
function shared<T extends Uint8Array | Int32Array | Float64Array>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

export async function fitForest(job: ForestJob, onTree: () => void, signal?: AbortSignal): Promise<{ trees: Tree[]; importance: Float64Array }> {
  const { trees: count } = job.options;
  const results: TreeResult[] = new Array(count);
  const threads = Math.min(threadCount(job.options.threads), count);
  const script = threads > 1 ? workerScript('tree/forest-worker') : null;
  if (script) {
    const sharedJob: ForestJob = {
      ...job,
      data: { ...job.data, bins: shared(job.data.bins), y: shared(job.data.y) },
      sampleWeight: job.sampleWeight && shared(job.sampleWeight),
    };
    await runPool<TreeResult>({
      script,
      workerData: sharedJob,
      tasks: count,
      threads,
      signal,
      onResult: (t, r) => {
        results[t] = r;
        onTree();
      },
      inline: (t) => growForestTree(job, t),
    });
  } else {
    for (let t = 0; t < count; t++) {
      if (signal?.aborted) throw interrupted();
      results[t] = growForestTree(job, t);
      onTree();
      await yieldToEventLoop();
    }
  }
  // Summed in tree order, so the importances do not depend on completion order.
  const importance = new Float64Array(job.data.F);
  for (const r of results) if (r) for (let f = 0; f < importance.length; f++) importance[f]! += r.importance[f]!;
  return { trees: results.map((r) => r.tree), importance };
}
