import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MlpipeError } from '../errors.js';

/**
 * A tiny task pool over worker_threads: numbered tasks go to `threads` workers running one script,
 * results come back in completion order and the caller stores them by task number (so the outcome
 * never depends on which worker was faster).
 */

/** Number of workers for `threads` (0 = one per core). */
export function threadCount(threads: number): number {
  return threads > 0 ? threads : availableParallelism();
}

/**
 * The compiled worker script next to this module. Under vitest the sources are .ts, which a Worker
 * cannot run, so fall back to the build in dist/; null means "run in-process".
 */
export function workerScript(name: string): URL | null {
  const beside = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL(`../../dist/train/${name}.js`, import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : null;
}

export function interrupted(): MlpipeError {
  return new MlpipeError('E_INTERRUPTED', 'training was interrupted; no model was written', {
    hint: 'run the command again to train from the start',
  });
}

/** Lets signal handlers (Ctrl-C) run between steps of a long synchronous computation. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function runPool<R>(options: {
  script: URL;
  workerData: unknown;
  tasks: number;
  threads: number;
  signal?: AbortSignal;
  onResult: (task: number, result: R) => void;
}): Promise<void> {
  const { script, tasks, signal } = options;
  const workers = Array.from({ length: Math.min(options.threads, tasks) }, () => new Worker(script, { workerData: options.workerData }));
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(interrupted());
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (w: Worker) => {
        if (next < tasks) w.postMessage(next++);
      };
      for (const w of workers) {
        w.on('message', (msg: { task: number; result: R }) => {
          if (signal?.aborted) return;
          options.onResult(msg.task, msg.result);
          done++;
          if (done === tasks) {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          } else feed(w);
        });
        w.on('error', reject);
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
