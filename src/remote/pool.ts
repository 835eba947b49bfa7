import { MlpipeError } from '../errors.js';
import { isTransient } from './errors.js';

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in order of start. Rejects with the
 * first error unless the caller catches inside `fn` (the transfer does, to count failures).
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export interface RetryOptions {
  attempts?: number;
  /** First delay; doubles each time, with jitter. */
  baseDelayMs?: number;
  signal?: AbortSignal;
}

/** Calls `fn` until it succeeds, retrying only transient failures (see isTransient) with backoff. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err) || options.signal?.aborted) throw err;
      const delay = base * 2 ** (attempt - 1) * (0.5 + Math.random());
      await sleep(delay, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new MlpipeError('E_INTERRUPTED', 'interrupted while waiting to retry'));
      },
      { once: true },
    );
  });
}
