import { join, resolve } from 'node:path';
import type { ProgressReporter } from '../core/progress.js';
import { type CheckoutResult, checkoutOutput } from '../core/repo/checkout-output.js';
import { collectWorkspace } from '../core/repo/dvcfiles.js';
import { type Repo, openRepo } from '../core/repo/open.js';
import { toRepoPath } from '../core/repo/paths.js';
import { type UsedObjects, collectUsedObjects } from '../core/repo/used-objects.js';
import { isMlpipeError } from '../errors.js';
import { resolveRemote } from './config.js';
import { openStore } from './stores/open.js';
import type { ObjectStore } from './stores/types.js';
import { type TransferSet, type TransferSummary, fetchObjects, pushObjects } from './transfer.js';

export interface SyncOptions {
  cwd: string;
  /** Outputs (paths or `.dvc` files) to limit the transfer to; all tracked outputs by default. */
  targets?: string[];
  /** Remote name (`-r`); the default remote otherwise. */
  remote?: string;
  /** Parallel transfers (`-j`). */
  jobs?: number;
  /** Git revisions whose outputs to transfer instead of the workspace's (experiment commits). */
  revs?: string[];
  progress?: ProgressReporter;
  signal?: AbortSignal;
}

export interface SyncResult extends TransferSummary {
  remote: string;
  url: string;
  /** Repo paths of the objects in `missing` (dir members as `dir/file`). */
  missingPaths: string[];
  /** DVC 2.x (md5-dos2unix) objects, which mlpipe does not transfer yet. */
  legacySkipped: number;
}

export interface Session {
  repo: Repo;
  /** The targets as repo-relative paths (given relative to `cwd`). */
  targets: string[] | undefined;
  store: ObjectStore;
  remote: string;
  url: string;
}

export async function withSession<T>(options: SyncOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const repo = openRepo(options.cwd);
  try {
    const { spec } = resolveRemote(repo.root, options.remote);
    const store = await openStore(spec, { configDir: repo.dvcDir, repoRoot: repo.root, tmpDir: join(repo.dvcDir, 'tmp') });
    try {
      const targets = options.targets?.length ? options.targets.map((t) => toRepoPath(repo.root, resolve(options.cwd, t))) : undefined;
      return await fn({ repo, targets, store, remote: spec.name, url: spec.url });
    } finally {
      await store.close();
    }
  } finally {
    repo.close();
  }
}

/** The objects of the chosen outputs, as a transfer set: files, and directories with their members. */
function transferSetOf(repo: Repo, used: UsedObjects, forPush: boolean): { set: TransferSet; paths: Map<string, string>; legacy: number } {
  const set: TransferSet = { files: [], dirs: [] };
  const paths = new Map<string, string>();
  let legacy = 0;
  for (const obj of used.objects.values()) {
    if (obj.legacy) {
      legacy++;
      continue;
    }
    if (forPush && !obj.push) continue;
    if (!paths.has(obj.oid)) paths.set(obj.oid, obj.path);
    if (!obj.oid.endsWith('.dir')) set.files.push(obj.oid);
    else if (repo.cache.has(obj.oid)) set.dirs.push({ oid: obj.oid, members: repo.cache.readManifest(obj.oid).map((e) => e.md5) });
    else set.dirs.push({ oid: obj.oid, members: [] });
  }
  return { set, paths, legacy };
}

function resultOf(s: Session, summary: TransferSummary, paths: Map<string, string>, legacy: number): SyncResult {
  return {
    remote: s.remote,
    url: s.url,
    ...summary,
    missingPaths: summary.missing.map((oid) => paths.get(oid) ?? oid).sort(),
    legacySkipped: legacy,
  };
}

/** `mlpipe push`: uploads the cached objects of the tracked outputs that the remote lacks. */
export function pushToRemote(options: SyncOptions): Promise<SyncResult> {
  return withSession(options, async (s) => {
    const used = await collectUsedObjects(s.repo, { targets: s.targets, revs: options.revs });
    const { set, paths, legacy } = transferSetOf(s.repo, used, true);
    const summary = await pushObjects(set, {
      cache: s.repo.cache,
      store: s.store,
      jobs: options.jobs,
      progress: options.progress,
      signal: options.signal,
    });
    return resultOf(s, summary, paths, legacy);
  });
}

/**
 * `mlpipe fetch`: downloads into the cache what the tracked outputs need. A directory whose manifest
 * is not in the cache yet is resolved in two rounds: its `.dir` first, then the files it lists.
 */
export function fetchFromRemote(options: SyncOptions): Promise<SyncResult> {
  return withSession(options, (s) => fetchInSession(s, options));
}

async function fetchInSession(s: Session, options: SyncOptions, verified?: Set<string>): Promise<SyncResult> {
  const transfer = { cache: s.repo.cache, store: s.store, jobs: options.jobs, progress: options.progress, signal: options.signal, verified };
  let used = await collectUsedObjects(s.repo, { targets: s.targets, revs: options.revs });
  let first: TransferSummary | undefined;
  const manifests = used.missingManifests.filter((m) => !m.legacy).map((m) => m.oid);
  if (manifests.length) {
    first = await fetchObjects({ files: [], dirs: manifests.map((oid) => ({ oid, members: [] })) }, transfer);
    used = await collectUsedObjects(s.repo, { targets: s.targets, revs: options.revs });
  }
  const { set, paths, legacy } = transferSetOf(s.repo, used, false);
  const summary = await fetchObjects(set, transfer);
  if (first) {
    // The manifests fetched in the first round count once, as transferred (not as skipped).
    summary.transferred += first.transferred;
    summary.skipped -= first.transferred;
    summary.bytes += first.bytes;
    summary.failed.push(...first.failed);
  }
  return resultOf(s, summary, paths, legacy);
}

export interface PullResult extends SyncResult {
  /** Outputs whose workspace copy changed. */
  checkout: CheckoutResult[];
  /** Outputs that could not be checked out (objects missing or corrupt, unsaved workspace changes). */
  checkoutFailed: Array<{ path: string; code: string; message: string }>;
}

/** `mlpipe pull`: fetch, then check out the outputs from the cache (`force` replaces unsaved changes). */
export function pullFromRemote(options: SyncOptions & { force?: boolean }): Promise<PullResult> {
  return withSession(options, async (s) => {
    // Every object fetched was md5-checked on its way into the cache: the checkout below links or
    // kernel-copies those without hashing them a second time (objects already cached are verified).
    const verified = new Set<string>();
    const fetched = await fetchInSession(s, options, verified);
    const result: PullResult = { ...fetched, checkout: [], checkoutFailed: [] };
    await s.repo.withLock(async () => {
      // Outputs of .dvc files and of pipeline stages (dvc.lock) alike, as DVC's pull does.
      const workspace = collectWorkspace(s.repo);
      const targets: Array<{ path: string; file: string; abs: string; md5: string; legacy: boolean; isexec?: boolean }> = [];
      for (const f of workspace.dvcFiles) {
        for (const o of f.outputs) {
          if (o.out.cache && o.out.md5 !== undefined) {
            targets.push({ path: o.path, file: f.path, abs: o.abs, md5: o.out.md5, legacy: o.out.legacy, isexec: o.out.isexec });
          }
        }
      }
      for (const o of workspace.lockOutputs) {
        if (o.cache && o.md5 !== undefined) {
          targets.push({ path: o.path, file: o.lockPath, abs: join(s.repo.root, o.path), md5: o.md5, legacy: o.legacy });
        }
      }
      for (const o of targets) {
        if (!selected(s.targets, o.path, o.file)) continue;
        try {
          const r = await checkoutOutput(s.repo, { abs: o.abs, md5: o.md5, legacy: o.legacy, isexec: o.isexec }, { force: options.force, verified });
          if (r.added || r.modified || r.deleted) result.checkout.push(r);
        } catch (err) {
          if (!isMlpipeError(err) || !['E_MISSING_CACHE', 'E_CORRUPT', 'E_CONFLICT'].includes(err.code)) throw err;
          result.checkoutFailed.push({ path: o.path, code: err.code, message: err.message });
        }
      }
    });
    return result;
  });
}

/** A target names an output, a folder above it, a path inside it, or its `.dvc` file. */
function selected(targets: string[] | undefined, output: string, dvcFile: string): boolean {
  if (!targets) return true;
  return targets.some((t) => t === output || t === dvcFile || output.startsWith(`${t}/`) || t.startsWith(`${output}/`));
}

export type CloudStatus = 'new' | 'deleted' | 'missing';

export interface CloudStatusResult {
  remote: string;
  url: string;
  /** Objects not in sync, by output path: `new` (only local), `deleted` (only remote), `missing` (neither). */
  entries: Array<{ path: string; oid: string; status: CloudStatus }>;
  inSync: boolean;
}

/** `mlpipe status -c`: compares the local cache with the remote for the tracked outputs. */
export function cloudStatus(options: SyncOptions): Promise<CloudStatusResult> {
  return withSession(options, async (s) => {
    const used = await collectUsedObjects(s.repo, { targets: s.targets, revs: options.revs });
    const objects = [...used.objects.values()].filter((o) => !o.legacy);
    const onRemote = await s.store.exists(objects.map((o) => o.oid), { signal: options.signal });
    const entries: CloudStatusResult['entries'] = [];
    for (const o of objects) {
      const local = s.repo.cache.has(o.oid);
      const remote = onRemote.has(o.oid);
      if (local && remote) continue;
      entries.push({ path: o.path, oid: o.oid, status: local ? 'new' : remote ? 'deleted' : 'missing' });
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { remote: s.remote, url: s.url, entries, inSync: entries.length === 0 };
  });
}
