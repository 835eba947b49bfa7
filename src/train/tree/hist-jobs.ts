/**
 * The protocol between ThreadedEngine (hist-engine.ts) and its worker (hgb-worker.ts): one
 * histogram is cut into chunks of features, and the main thread and the worker claim chunks from a
 * shared counter until none is left. A worker that wakes late (a busy machine can keep it off the
 * CPU for milliseconds) claims nothing and costs nothing: the main thread has summed the chunks
 * itself instead of waiting for a fixed half. Whoever sums a chunk sums each of its features over
 * the samples in idx order, so the model does not depend on who took which chunk.
 *
 * Control block (Int32Array over a SharedArrayBuffer):
 *   [WAKE]  incremented for each job; the worker sleeps on it
 *   [CLAIM] job * CHUNK_LIMIT + next chunk: a claim is a compare-and-swap that only succeeds for
 *           the current job, so a worker holding a stale job number never touches a later job
 *   [DONE]  chunks of the current job summed so far (the main thread waits for all of them)
 *   [SLOT], [START], [END], [IDENTITY]: the job, written before CLAIM publishes it
 *   [STOP]  1: the worker exits
 */
export const WAKE = 0;
export const CLAIM = 1;
export const DONE = 2;
export const SLOT = 3;
export const START = 4;
export const END = 5;
export const IDENTITY = 6;
export const STOP = 7;
export const CONTROL_INTS = 8;

/** Chunks per histogram at most; job numbers wrap at JOB_LIMIT so CLAIM stays a positive int32. */
const CHUNK_LIMIT = 1024;
export const JOB_LIMIT = 2 ** 21;

/**
 * Chunk boundaries over F features: fours (the builder's fastest grouping) while more than four
 * are left, then pairs and a single, so the two threads end within a pair of each other. Past
 * 4,064 features the chunks grow so that there are never more than CHUNK_LIMIT - 8 (the claim
 * counter's field).
 */
export function chunkBounds(F: number): Int32Array {
  const size = 4 * Math.max(1, Math.ceil(F / (4 * (CHUNK_LIMIT - 8))));
  const bounds = [0];
  let f = 0;
  while (F - f > size) {
    f += size;
    bounds.push(f);
  }
  if (size > 4) {
    // Very wide data: chunks of `size`, the last one the rest (at most CHUNK_LIMIT - 8 in all).
    if (F > f) bounds.push(F);
    return Int32Array.from(bounds);
  }
  while (F - f > 0) {
    f += Math.min(2, F - f);
    bounds.push(f);
  }
  return Int32Array.from(bounds);
}

/** Opens job `job` for claims (after its SLOT..IDENTITY are written). */
export function publish(ctrl: Int32Array, job: number): void {
  Atomics.store(ctrl, DONE, 0);
  Atomics.store(ctrl, CLAIM, job * CHUNK_LIMIT);
}

/** The job whose chunks CLAIM currently hands out. */
export function currentJob(ctrl: Int32Array): number {
  return Atomics.load(ctrl, CLAIM) >> 10;
}

/** Claims the next chunk of `job`, or -1 when that job has none left (or is over). */
export function claim(ctrl: Int32Array, job: number, chunks: number): number {
  for (;;) {
    const v = Atomics.load(ctrl, CLAIM);
    if (v >> 10 !== job) return -1;
    const c = v & (CHUNK_LIMIT - 1);
    if (c >= chunks) return -1;
    if (Atomics.compareExchange(ctrl, CLAIM, v, v + 1) === v) return c;
  }
}

/**
 * Records one chunk summed by the worker. The main thread only waits for the count to reach
 * `chunks` (and never while it adds its own), so only the last one wakes it: a notify per chunk
 * cost the worker 0.2 s per fit.
 */
export function chunkDone(ctrl: Int32Array, chunks: number): void {
  if (Atomics.add(ctrl, DONE, 1) + 1 === chunks) Atomics.notify(ctrl, DONE);
}
