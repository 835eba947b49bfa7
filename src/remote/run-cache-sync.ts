import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MlpipeError } from '../errors.js';
import type { LockItem } from '../pipeline/lockfile.js';
import { RunCache, isRunPath } from '../pipeline/run-cache.js';
import { type Session, type SyncOptions, withSession } from './sync.js';
import type { RunStore } from './stores/types.js';
import { fetchObjects } from './transfer.js';

/**
 * `push/fetch/pull --run-cache` and `repro --pull`: DVC's run-cache entries travel as files under
 * the remote's `runs/` (../pipeline/run-cache.ts). Entries are content-named and never change, so
 * only the names one side lacks are copied. DVC pushes the entries only, not the objects they name
 * beyond the workspace's own outputs: a `cache: false` output is then restorable only where its
 * object is in the cache (the fixture ../shared/fixtures/dvc/run-cache shows both cases).
 */
export interface RunSyncResult {
  remote: string;
  transferred: number;
  skipped: number;
}

function runsOf(s: Session): RunStore {
  if (!s.store.runs) {
    throw new MlpipeError('E_REMOTE', `remote '${s.remote}' (${s.url}) does not hold run-cache entries in mlpipe yet`, {
      hint: 'use a folder, git, S3, GCS, Azure or SSH remote for the run-cache (`-r NAME`), or leave out --run-cache',
    });
  }
  return s.store.runs;
}

function localRuns(s: Session): RunCache {
  return new RunCache(join(s.repo.cache.root, 'runs'));
}

/** Uploads the local entries the remote lacks; the store's commit publishes them. */
export function pushRunCache(options: SyncOptions): Promise<RunSyncResult> {
  return withSession(options, async (s) => {
    const runs = runsOf(s);
    const local = localRuns(s);
    const there = new Set(await runs.list({ signal: options.signal }));
    const todo = local.list().filter((rel) => !there.has(rel));
    for (const rel of todo) await runs.upload(rel, join(local.dir, rel), { signal: options.signal });
    await s.store.commit({ signal: options.signal });
    return { remote: s.remote, transferred: todo.length, skipped: there.size };
  });
}

/** Downloads the remote's entries the local run-cache lacks (DVC copies the whole runs/ tree). */
export function fetchRunCache(options: SyncOptions): Promise<RunSyncResult> {
  return withSession(options, (s) => fetchRunsInSession(s, options));
}

async function fetchRunsInSession(s: Session, options: SyncOptions): Promise<RunSyncResult> {
  const runs = runsOf(s);
  const local = localRuns(s);
  const have = new Set(local.list());
  // Names come from the remote: only well-formed `XX/key/value` paths are written (no `..`).
  const todo = (await runs.list({ signal: options.signal })).filter((rel) => isRunPath(rel) && !have.has(rel));
  for (const rel of todo) {
    const dest = join(local.dir, rel);
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, await runs.read(rel, { signal: options.signal }));
      renameSync(tmp, dest);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return { remote: s.remote, transferred: todo.length, skipped: have.size };
}

/**
 * For `repro --pull`: fetches the remote's run-cache once, then returns a function that downloads the
 * objects of a run's outputs (a directory's manifest first, then its files). Call `close` at the end.
 */
export async function openRunPuller(options: SyncOptions): Promise<{ pull(items: LockItem[]): Promise<void>; close(): Promise<void> }> {
  let release!: () => void;
  const finished = new Promise<void>((r) => {
    release = r;
  });
  let session!: Session;
  let ready!: () => void;
  const opened = new Promise<void>((r) => {
    ready = r;
  });
  // The session (repository and store connection) stays open until close().
  const done = withSession(options, async (s) => {
    session = s;
    if (s.store.runs) await fetchRunsInSession(s, options);
    ready();
    await finished;
  });
  await Promise.race([opened, done]);
  const transfer = () => ({ cache: session.repo.cache, store: session.store, jobs: options.jobs, signal: options.signal });
  return {
    async pull(items) {
      const oids = items.map((i) => i.md5).filter((m): m is string => m !== undefined);
      const dirs = oids.filter((o) => o.endsWith('.dir'));
      if (dirs.length) await fetchObjects({ files: [], dirs: dirs.map((oid) => ({ oid, members: [] })) }, transfer());
      const set = {
        files: oids.filter((o) => !o.endsWith('.dir')),
        dirs: dirs.filter((d) => session.repo.cache.has(d)).map((oid) => ({ oid, members: session.repo.cache.readManifest(oid).map((e) => e.md5) })),
      };
      await fetchObjects(set, transfer());
    },
    async close() {
      release();
      await done;
    },
  };
}
