import { statSync } from 'node:fs';
import { collectWorkspace } from './dvcfiles.js';
import type { Repo } from './open.js';
import { toRepoTargets } from './paths.js';
import { selectDvcFiles } from './status.js';

/**
 * `mlpipe ls` / `mlpipe du`: the tracked outputs (from `.dvc` files and `dvc.lock`) with the sizes
 * they record; with `recursive`, the files inside tracked directories too (sizes from the cache).
 */
export interface TrackedEntry {
  path: string;
  isdir: boolean;
  size: number | null;
  nfiles: number | null;
  md5: string | null;
  /** The `.dvc` or `dvc.lock` file that records it. */
  source: string;
}

export function listTracked(repo: Repo, options: { targets?: string[]; cwd?: string; recursive?: boolean } = {}): TrackedEntry[] {
  const ws = collectWorkspace(repo);
  const targets = toRepoTargets(repo.root, options.cwd ?? repo.root, options.targets);
  const entries: TrackedEntry[] = [];
  const push = (path: string, md5: string | undefined, size: number | undefined, nfiles: number | undefined, source: string, legacy: boolean) => {
    const isdir = md5?.endsWith('.dir') ?? false;
    entries.push({ path, isdir, size: size ?? null, nfiles: nfiles ?? null, md5: md5 ?? null, source });
    if (!options.recursive || !isdir || !repo.cache.has(md5!, legacy)) return;
    for (const e of repo.cache.readManifest(md5!, legacy)) {
      let s: number | null = null;
      try {
        s = statSync(repo.cache.path(e.md5, legacy)).size;
      } catch {
        s = null;
      }
      entries.push({ path: `${path}/${e.relpath}`, isdir: false, size: s, nfiles: null, md5: e.md5, source });
    }
  };
  const files = targets ? selectDvcFiles(ws.dvcFiles, targets) : ws.dvcFiles;
  for (const f of files) for (const o of f.outputs) push(o.path, o.out.md5, o.out.size, o.out.nfiles, f.path, o.out.legacy);
  if (!targets) for (const o of ws.lockOutputs) push(o.path, o.md5, undefined, undefined, o.lockPath, o.legacy);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Total recorded size of the tracked outputs (top-level entries only, so nothing counts twice). */
export function diskUsage(repo: Repo, options: { targets?: string[]; cwd?: string } = {}): { entries: TrackedEntry[]; total: number } {
  const entries = listTracked(repo, options);
  return { entries, total: entries.reduce((s, e) => s + (e.size ?? 0), 0) };
}
