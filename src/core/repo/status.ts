import { MlpipeError } from '../../errors.js';
import type { ProgressReporter } from '../progress.js';
import { type TrackedFile, collectWorkspace } from './dvcfiles.js';
import { hashPath } from './hash-path.js';
import { membersInCache } from './presence.js';
import type { Repo } from './open.js';
import { toRepoTargets } from './paths.js';

/**
 * The data part of `mlpipe status` (§5.5): for each `.dvc` file, the outputs whose workspace copy
 * differs from what the file records, in DVC's words. Only stats and state lookups on an unchanged
 * workspace; contents are read only for files whose (inode, mtime, size) changed. Pipelines add their
 * stages to the same report (see dataStatusToDvcJson for the shared shape).
 */
export type OutputStatus = 'modified' | 'deleted' | 'new' | 'not in cache';

export interface DataStatusEntry {
  /** The `.dvc` file (repo path), DVC's key for the entry. */
  dvcFile: string;
  changes: { path: string; status: OutputStatus }[];
}

export interface StatusOptions {
  /** Limit to these `.dvc` files or output paths (relative to `cwd`). */
  targets?: string[];
  /** Folder the targets are relative to (default: the repo root). */
  cwd?: string;
  progress?: ProgressReporter;
  /**
   * The workspace's `.dvc` files, when the caller has collected them already: the walk lists every
   * folder that is not a tracked output (a pipeline's 10,000 dependency files included).
   */
  dvcFiles?: readonly TrackedFile[];
}

export interface DataStatus {
  /** How many `.dvc` files were looked at (0: nothing is tracked yet). */
  tracked: number;
  changed: DataStatusEntry[];
}

export async function dataStatus(repo: Repo, options: StatusOptions = {}): Promise<DataStatus> {
  const all = options.dvcFiles ?? collectWorkspace(repo).dvcFiles;
  const files = selectDvcFiles(all, toRepoTargets(repo.root, options.cwd ?? repo.root, options.targets));
  const result: DataStatusEntry[] = [];
  for (const f of files) {
    const changes: DataStatusEntry['changes'] = [];
    for (const o of f.outputs) {
      const status = await outputStatus(repo, o.abs, o.out.md5, o.out.legacy, o.out.cache, options.progress);
      if (status) changes.push({ path: o.path, status });
    }
    if (changes.length) result.push({ dvcFile: f.path, changes });
  }
  return { tracked: files.length, changed: result };
}

/** DVC's `Output.status()`: "not in cache" first, then deleted / modified / new. */
export async function outputStatus(
  repo: Repo,
  abs: string,
  md5: string | undefined,
  legacy: boolean,
  cached: boolean,
  progress?: ProgressReporter,
): Promise<OutputStatus | undefined> {
  // No manifest entries: an unchanged directory's oid comes from the state DB's tree entry, and its
  // members' presence from the cache memo (presence.ts), which reads the manifest only when needed.
  const current = await hashPath(repo, abs, { progress, legacy, entries: false });
  if (md5 !== undefined && cached && !inCache(repo, md5, legacy)) return 'not in cache';
  if (!current) return 'deleted';
  if (md5 === undefined) return 'new';
  return current.md5 === md5 ? undefined : 'modified';
}

/** The object, and for a directory its manifest and every member, exist in the cache. */
export function inCache(repo: Repo, md5: string, legacy: boolean, entries?: { md5: string }[]): boolean {
  if (!repo.cache.has(md5, legacy)) return false;
  if (!md5.endsWith('.dir')) return true;
  try {
    return membersInCache(repo, md5, legacy, entries);
  } catch (err) {
    if (err instanceof MlpipeError && err.code === 'E_CORRUPT') return false;
    throw err;
  }
}

/** DVC's `status --json` shape: `{"x.dvc": [{"changed outs": {"x": "modified"}}]}`. */
export function dataStatusToDvcJson(entries: DataStatusEntry[]): Record<string, unknown[]> {
  return Object.fromEntries(entries.map((e) => [e.dvcFile, [{ 'changed outs': Object.fromEntries(e.changes.map((c) => [c.path, c.status])) }]]));
}

/** `.dvc` files named by the targets (the file itself, its output, or a folder above either). */
export function selectDvcFiles(files: readonly TrackedFile[], targets: string[] | undefined): TrackedFile[] {
  if (!targets?.length) return [...files];
  const norm = targets.map((t) => t.replace(/\/+$/, ''));
  const selected = files.filter((f) =>
    norm.some((t) => t === '' || t === '.' || f.path === t || f.path.startsWith(`${t}/`) || f.outputs.some((o) => o.path === t || o.path.startsWith(`${t}/`))),
  );
  if (selected.length === 0) {
    throw new MlpipeError('E_NOT_FOUND', `no tracked data matches ${targets.join(', ')}`, {
      expected: 'a .dvc file, a tracked output, or a folder containing them',
      received: targets.join(', '),
      hint: 'run `mlpipe ls` to see what is tracked',
    });
  }
  return selected;
}
