import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source.js';

/**
 * Hashes many files in parallel. Measured on the shared 2-core build machine (noisy, load 10+):
 * 10,000 files of 200-700 B hashed only: in-process synchronous reads 0.33-1.9 s, an async pool of
 * 4 1.2-2.1 s, of 16 5.2 s, two worker threads 0.41-0.59 s; 1,000 files of 1-4 KiB hashed and copied
 * into the cache: in-process 2.0-2.9 s, two workers 2.5-4.0 s. Small files are bound by system calls,
 * where threads add little and cost start-up and messages; md5 itself is CPU-bound (~500 MB/s per
 * core). So: in-process unless there is a lot of data, then `min(cores, 4)` worker threads fed with
 * batches.
 */
export interface HashJob {
  path: string;
  /** Also copy the bytes into this new file (created exclusively, mode 0o444) while hashing. */
  tmp?: string;
  /** Expected size, used only to balance batches. */
  size?: number;
}

export interface HashResult {
  md5: string;
  size: number;
}

export interface HashPoolOptions {
  /** Called after each file with its size, for progress bars. */
  onFile?: (bytes: number) => void;
  /** Force in-process (0/1) or a number of worker threads. */
  threads?: number;
}

const IN_PROCESS_MAX_BYTES = 64 << 20;
const BATCH_MAX_FILES = 64;
const BATCH_MAX_BYTES = 16 << 20;

export async function hashFiles(jobs: readonly HashJob[], options: HashPoolOptions = {}): Promise<HashResult[]> {
  const totalBytes = jobs.reduce((sum, j) => sum + (j.size ?? 0), 0);
  const threads =
    options.threads ??
    (jobs.length < 2 || totalBytes <= IN_PROCESS_MAX_BYTES ? 1 : Math.min(availableParallelism(), 4, jobs.length));
  if (threads <= 1) {
    return jobs.map((job) => {
      const r = hashOne(job);
      options.onFile?.(r.size);
      return r;
    });
  }
  return runWorkers(jobs, threads, options);
}

let sharedBuffer: Buffer | undefined;

/** The in-process twin of the worker's `one()` (see worker-source.ts). */
export function hashOne(job: HashJob): HashResult {
  sharedBuffer ??= Buffer.allocUnsafe(4 << 20);
  const buf = sharedBuffer;
  const fd = openSync(job.path, 'r');
  let out: number | undefined;
  try {
    out = job.tmp === undefined ? undefined : openSync(job.tmp, 'wx', 0o444);
    const hash = createHash('md5');
    let size = 0;
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      hash.update(chunk);
      if (out !== undefined) for (let off = 0; off < n; ) off += writeSync(out, chunk, off, n - off);
      size += n;
    }
    return { md5: hash.digest('hex'), size };
  } finally {
    closeSync(fd);
    if (out !== undefined) closeSync(out);
  }
}

function batches(jobs: readonly HashJob[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  jobs.forEach((job, i) => {
    current.push(i);
    bytes += job.size ?? 0;
    if (current.length >= BATCH_MAX_FILES || bytes >= BATCH_MAX_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
  });
  if (current.length) out.push(current);
  return out;
}

type WorkerReply = HashResult | { error: { code?: string; message: string } };

async function runWorkers(jobs: readonly HashJob[], threads: number, options: HashPoolOptions): Promise<HashResult[]> {
  const queue = batches(jobs);
  const results: HashResult[] = new Array(jobs.length);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, execArgv: [] }));
  let failure: Error | undefined;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let batch: number[] | undefined;
            const next = () => {
              batch = failure ? undefined : queue.shift();
              if (!batch) return resolve();
              worker.postMessage(batch.map((i) => jobs[i]));
            };
            worker.on('message', (replies: WorkerReply[]) => {
              replies.forEach((reply, k) => {
                const index = batch![k]!;
                if ('error' in reply) {
                  const err = Object.assign(new Error(`${reply.error.message}`), { code: reply.error.code });
                  failure ??= err;
                  return;
                }
                results[index] = reply;
                options.onFile?.(reply.size);
              });
              next();
            });
            worker.on('error', reject);
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
  return results;
}
