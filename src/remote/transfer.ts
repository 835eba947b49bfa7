import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { hashFiles } from '../core/hash/pool.js';
import type { ProgressReporter, ProgressTask } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { isErrnoException, isMlpipeError } from '../errors.js';
import { forEachLimit, withRetry } from './pool.js';
import type { ObjectStore } from './stores/types.js';

/** The local cache as the transfer sees it (the core's LocalOdb). */
export interface TransferCache {
  /** Absolute path of an object (read to upload it). */
  path(oid: string): string;
  has(oid: string): boolean;
  /** Stores a download, visible only if its md5 matches `oid` (E_CORRUPT otherwise, nothing kept). */
  addStream(stream: Readable, oid: string): Promise<void>;
  /** A fresh temp file name inside the cache, and the move of a verified temp file into place. */
  tmpPath(): string;
  adopt(tmp: string, oid: string): void;
}

/** What to transfer: loose file objects, and directories with the file objects their manifest lists. */
export interface TransferSet {
  files: string[];
  dirs: Array<{ oid: string; members: string[] }>;
}

export interface TransferOptions {
  cache: TransferCache;
  store: ObjectStore;
  /** Parallel transfers (default: the store's own default). */
  jobs?: number;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  /** Attempts per object for transient failures (default 4). */
  attempts?: number;
  /** Fetch adds each oid it stored here (its md5 was checked on the way in): a pull's checkout then need not read it again. */
  verified?: Set<string>;
}

export interface TransferFailure {
  oid: string;
  code: string;
  message: string;
}

export interface TransferSummary {
  /** Objects copied by this run. */
  transferred: number;
  /** Objects already at the destination. */
  skipped: number;
  /** Objects that could not be copied, with the reason. */
  failed: TransferFailure[];
  /** Objects in neither the source nor the destination. */
  missing: string[];
  bytes: number;
}

function failureOf(oid: string, err: unknown): TransferFailure {
  if (isMlpipeError(err)) return { oid, code: err.code, message: err.message };
  return { oid, code: 'E_REMOTE', message: err instanceof Error ? err.message : String(err) };
}

/** Every oid once: files, members, then the `.dir` manifests last (the order both directions use). */
function ordered(set: TransferSet): { files: string[]; dirs: string[] } {
  const files = new Set<string>();
  for (const d of set.dirs) for (const m of d.members) files.add(m);
  for (const f of set.files) if (!f.endsWith('.dir')) files.add(f);
  const dirs = new Set(set.dirs.map((d) => d.oid));
  for (const f of set.files) if (f.endsWith('.dir')) dirs.add(f);
  return { files: [...files], dirs: [...dirs] };
}

/**
 * Uploads what the remote lacks. Existence is checked in batched calls; files go up in parallel,
 * streamed from the cache, with retries for transient failures; a directory's `.dir` manifest goes up
 * only after every one of its files is on the remote (DVC relies on this, dvc-format.md §4.5 step 3);
 * `store.commit()` then publishes the session (a no-op except for git).
 */
export async function pushObjects(set: TransferSet, options: TransferOptions): Promise<TransferSummary> {
  const { store, signal } = options;
  const { files, dirs } = ordered(set);
  // A manifest on the remote vouches for its files (they went up before it, see below), so only
  // the files of directories the remote lacks are checked: a no-op push of a 10,000-file directory
  // is one query (dvc-format.md §4.5 step 2).
  const dirsThere = dirs.length ? await store.exists(dirs, { signal }) : new Set<string>();
  const vouched = new Set(set.dirs.filter((d) => dirsThere.has(d.oid)).flatMap((d) => d.members));
  const unknown = files.filter((f) => !vouched.has(f));
  const onRemote = new Set([...dirsThere, ...files.filter((f) => vouched.has(f)), ...(await store.exists(unknown, { signal }))]);
  const summary: TransferSummary = { transferred: 0, skipped: onRemote.size, failed: [], missing: [], bytes: 0 };

  const sizes = new Map<string, number>();
  const toSend = async (oids: string[]) => {
    const out: string[] = [];
    await forEachLimit(oids.filter((o) => !onRemote.has(o)), 32, async (oid) => {
      try {
        sizes.set(oid, (await stat(options.cache.path(oid))).size);
        out.push(oid);
      } catch (err) {
        if (!isErrnoException(err, 'ENOENT')) throw err;
        summary.missing.push(oid);
      }
    });
    return out;
  };
  const fileQueue = await toSend(files);
  const dirQueue = await toSend(dirs);
  const total = fileQueue.length + dirQueue.length;
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  const task = (options.progress ?? silentProgress).task('push', { total, totalBytes, unit: 'files' });

  const done = new Set<string>(onRemote);
  const upload = async (oid: string) => {
    try {
      const size = sizes.get(oid) ?? 0;
      await withRetry(() => store.upload(oid, options.cache.path(oid), size, { signal }), {
        attempts: options.attempts,
        signal,
      });
      done.add(oid);
      summary.transferred++;
      summary.bytes += size;
      task.tick(1, size);
    } catch (err) {
      if (signal?.aborted) throw err;
      summary.failed.push(failureOf(oid, err));
      task.tick(1, 0);
    }
  };
  const jobs = options.jobs ?? store.defaultJobs;
  try {
    await forEachLimit(fileQueue, jobs, upload, signal);
    const membersOf = new Map(set.dirs.map((d) => [d.oid, d.members]));
    const readyDirs = dirQueue.filter((dir) => {
      const absent = (membersOf.get(dir) ?? []).filter((m) => !done.has(m));
      if (absent.length === 0) return true;
      summary.failed.push({
        oid: dir,
        code: 'E_REMOTE',
        message: `not uploaded: ${absent.length} of its files are not on the remote (first: ${absent[0]})`,
      });
      task.tick(1, 0);
      return false;
    });
    await forEachLimit(readyDirs, jobs, upload, signal);
    task.status('publishing');
    await store.commit({ signal });
  } finally {
    task.done();
  }
  return summary;
}

/**
 * Downloads what the local cache lacks. Each object streams into a temp file in the cache while
 * being hashed and is renamed into place (read-only) only if its md5 equals its name: a corrupted or
 * truncated remote object is reported and never enters the cache. Members come before manifests, so
 * a `.dir` in the cache means its files were fetched first.
 */
export async function fetchObjects(set: TransferSet, options: TransferOptions): Promise<TransferSummary> {
  const { store, signal } = options;
  const { files, dirs } = ordered(set);
  const summary: TransferSummary = { transferred: 0, skipped: 0, failed: [], missing: [], bytes: 0 };
  const absent = (oids: string[]) => oids.filter((oid) => !options.cache.has(oid));
  const fileQueue = absent(files);
  const dirQueue = absent(dirs);
  summary.skipped = files.length + dirs.length - fileQueue.length - dirQueue.length;
  const task = (options.progress ?? silentProgress).task('fetch', {
    total: fileQueue.length + dirQueue.length,
    unit: 'files',
  });
  const download = async (oid: string) => {
    try {
      const size = await withRetry(
        async () => {
          const stream = await store.download(oid, { signal });
          let bytes = 0;
          stream.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          await options.cache.addStream(stream, oid);
          options.verified?.add(oid);
          return bytes;
        },
        { attempts: options.attempts, signal },
      );
      summary.transferred++;
      summary.bytes += size;
      task.tick(1, size);
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isMlpipeError(err) && err.code === 'E_NOT_FOUND') summary.missing.push(oid);
      else summary.failed.push(failureOf(oid, err));
      task.tick(1, 0);
    }
  };
  const jobs = options.jobs ?? store.defaultJobs;
  try {
    for (const queue of [fileQueue, dirQueue]) {
      const rest = store.localPath ? await copyLocalObjects(queue, options, summary, task) : queue;
      await forEachLimit(rest, jobs, download, signal);
    }
  } finally {
    task.done();
  }
  return summary;
}

/**
 * The fast path from a folder remote: the core's hashing pool copies each object into a cache temp
 * file while hashing it (worker threads, one reused buffer, no stream per object), and only objects
 * whose md5 matches their name are moved into place. Returns the oids left for the streaming path
 * (all of them if the pool failed, for example because a file vanished meanwhile).
 */
async function copyLocalObjects(
  oids: string[],
  options: TransferOptions,
  summary: TransferSummary,
  task: ProgressTask,
): Promise<string[]> {
  const { store, cache } = options;
  const present = await store.exists(oids, { signal: options.signal });
  const todo = oids.filter((oid) => present.has(oid));
  for (const oid of oids) {
    if (present.has(oid)) continue;
    summary.missing.push(oid);
    task.tick(1, 0);
  }
  const jobs = todo.map((oid) => ({ path: store.localPath?.(oid) as string, tmp: cache.tmpPath() }));
  const adopted = new Set<number>();
  try {
    const results = await hashFiles(jobs, { onFile: (bytes) => task.tick(1, bytes) });
    results.forEach((r, i) => {
      const oid = todo[i] as string;
      if ((oid.endsWith('.dir') ? `${r.md5}.dir` : r.md5) !== oid) {
        summary.failed.push({ oid, code: 'E_CORRUPT', message: `object ${oid} on the remote does not match its hash (its md5 is ${r.md5})` });
        return;
      }
      cache.adopt((jobs[i] as { tmp: string }).tmp, oid);
      options.verified?.add(oid);
      adopted.add(i);
      summary.transferred++;
      summary.bytes += r.size;
    });
    return [];
  } catch {
    return todo.filter((oid) => !cache.has(oid));
  } finally {
    await Promise.all(jobs.filter((_, i) => !adopted.has(i)).map((j) => rm(j.tmp, { force: true })));
  }
}
