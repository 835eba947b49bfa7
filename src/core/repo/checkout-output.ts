import { chmodSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MlpipeError } from '../../errors.js';
import type { ProgressReporter } from '../progress.js';
import { silentProgress } from '../progress.js';
import { hashPath } from './hash-path.js';
import { materialize, removeSiblingTemps } from './link.js';
import type { Repo } from './open.js';
import { toRepoPath } from './paths.js';
import { assertConfined } from './safe-path.js';
import type { StateRow } from './state.js';

/**
 * Makes one output's workspace copy match a recorded hash (§6.3, §8.3). Everything is checked before
 * anything changes: the objects must be in the cache (E_MISSING_CACHE), and workspace content that
 * would be replaced or deleted must itself be in the cache unless `force` (E_CONFLICT). Objects are
 * verified as they are materialised and a corrupt one is never placed (E_CORRUPT).
 */
export interface OutputTarget {
  /** Absolute workspace path. */
  abs: string;
  md5: string;
  legacy: boolean;
  isexec?: boolean;
}

export interface CheckoutResult {
  path: string;
  added: number;
  modified: number;
  deleted: number;
}

export interface CheckoutOutputOptions {
  force?: boolean;
  progress?: ProgressReporter;
  /**
   * Objects whose bytes this process has just hashed and stored (a pull's fetch): placed without
   * being read again. Any other object is verified as it is materialised.
   */
  verified?: ReadonlySet<string>;
}

export async function checkoutOutput(repo: Repo, target: OutputTarget, options: CheckoutOutputOptions = {}): Promise<CheckoutResult> {
  const progress = options.progress ?? silentProgress;
  const rel = toRepoPath(repo.root, target.abs);
  const result: CheckoutResult = { path: rel, added: 0, modified: 0, deleted: 0 };
  // Never write through a symlinked folder that leaves the workspace (the scan below checks the
  // links inside a tracked folder before anything is deleted or placed).
  assertConfined(repo, target.abs, 'replace');
  removeSiblingTemps(target.abs);
  const current = await hashPath(repo, target.abs, { progress });
  if (current?.md5 === target.md5) {
    if (target.isexec && !current.isdir && !current.isexec) chmodSync(target.abs, statSync(target.abs).mode | 0o111);
    return result;
  }
  const state = repo.state();

  if (!target.md5.endsWith('.dir')) {
    if (!repo.cache.has(target.md5, target.legacy)) throw missing(rel, [target.md5], repo);
    if (current && !options.force && !(current.isdir ? allInCache(repo, current.entries ?? []) : repo.cache.has(current.md5))) {
      throw unsaved([rel]);
    }
    if (current?.isdir) rmSync(target.abs, { recursive: true, force: true });
    const verified = !target.legacy && options.verified?.has(target.md5);
    const stamp = await materialize(repo, target.md5, target.legacy, target.abs, { verified });
    if (target.isexec) chmodSync(target.abs, statSync(target.abs).mode | 0o111);
    // chmod changes ctime only, so the stamp (inode, mtime, size) still holds.
    state.putMany([{ path: rel, ...stamp, md5: target.md5 }]);
    result[current ? 'modified' : 'added'] = 1;
    return result;
  }

  const entries = repo.cache.readManifest(target.md5, target.legacy);
  const absent = repo.cache.missing(entries.map((e) => e.md5), target.legacy);
  if (absent.length) throw missing(rel, absent, repo);

  const have = new Map<string, string>();
  if (current?.isdir) for (const e of current.entries ?? []) have.set(e.relpath, e.md5);
  const wanted = new Map(entries.map((e) => [e.relpath, e.md5]));
  const toWrite = entries.filter((e) => have.get(e.relpath) !== e.md5);
  const toDelete = [...have.keys()].filter((r) => !wanted.has(r));
  if (!options.force) {
    const unsavedPaths = [
      ...(current && !current.isdir && !repo.cache.has(current.md5) ? [rel] : []),
      ...[...have].filter(([r, md5]) => wanted.get(r) !== md5 && !repo.cache.has(md5)).map(([r]) => `${rel}/${r}`),
    ];
    if (unsavedPaths.length) throw unsaved(unsavedPaths);
  }
  if (current && !current.isdir) rmSync(target.abs, { force: true });
  for (const r of toDelete) {
    rmSync(join(target.abs, r), { force: true });
    pruneEmptyDirs(target.abs, dirname(join(target.abs, r)));
  }
  const task = progress.task('checkout', { total: toWrite.length, unit: 'files' });
  const rows: StateRow[] = [];
  const madeDirs = new Set<string>();
  try {
    for (const e of toWrite) {
      const verified = !target.legacy && options.verified?.has(e.md5);
      const stamp = await materialize(repo, e.md5, target.legacy, join(target.abs, e.relpath), { verified, madeDirs });
      rows.push({ path: `${rel}/${e.relpath}`, ...stamp, md5: e.md5 });
      task.tick();
      if (have.has(e.relpath)) result.modified++;
      else result.added++;
    }
  } finally {
    state.putMany(rows);
    task.done();
  }
  result.deleted = toDelete.length;
  return result;
}

function allInCache(repo: Repo, entries: { md5: string }[]): boolean {
  return entries.every((e) => repo.cache.has(e.md5));
}

/** Removes folders emptied by deletions, up to (not including) the output root. */
function pruneEmptyDirs(root: string, dir: string): void {
  while (dir.startsWith(`${root}/`)) {
    if (readdirSync(dir).length) return;
    rmdirSync(dir);
    dir = dirname(dir);
  }
}

function missing(rel: string, oids: string[], repo: Repo): MlpipeError {
  return new MlpipeError('E_MISSING_CACHE', `cannot check out ${rel}: ${oids.length} object(s) are not in the cache`, {
    expected: `the objects in ${repo.cache.root}`,
    received: `missing ${oids.slice(0, 5).join(', ')}${oids.length > 5 ? ', ...' : ''}`,
    hint: 'run `mlpipe pull` to fetch them from the remote',
    data: { path: rel, missing: oids },
  });
}

function unsaved(paths: string[]): MlpipeError {
  return new MlpipeError('E_CONFLICT', "can't remove the following unsaved files without confirmation", {
    expected: 'workspace changes that are saved in the cache',
    received: paths.slice(0, 10).join(', ') + (paths.length > 10 ? `, ... (${paths.length})` : ''),
    hint: 'run `mlpipe commit` to keep the changes, or `mlpipe checkout --force` to discard them',
    data: { paths },
  });
}
