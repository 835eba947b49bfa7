import { MlpipeError } from '../../errors.js';
import type { ProgressReporter } from '../progress.js';
import { collectWorkspace } from './dvcfiles.js';
import { hashPath } from './hash-path.js';
import type { Repo } from './open.js';
import { toRepoTargets } from './paths.js';
import { revisionOutputs } from './used-objects.js';

/**
 * `mlpipe diff [REV]` (DVC's `dvc diff`): tracked data in a git revision (default HEAD) against the
 * workspace as it is now (hashed through the state cache). Renames show as deleted + added. Directories appear as `dir/` plus one
 * entry per changed file inside; members of a directory whose manifest is not in the cache are not
 * listed (only the directory is).
 */
export interface DiffEntry {
  path: string;
  hash: string;
}

export interface DataDiff {
  added: DiffEntry[];
  deleted: DiffEntry[];
  modified: { path: string; hash: { old: string; new: string } }[];
}

export async function dataDiff(
  repo: Repo,
  options: { rev?: string; targets?: string[]; cwd?: string; progress?: ProgressReporter } = {},
): Promise<DataDiff> {
  const targets = toRepoTargets(repo.root, options.cwd ?? repo.root, options.targets);
  if (!repo.gitRoot) {
    throw new MlpipeError('E_NOT_A_GIT_REPO', 'diff compares with a git revision and there is no git repository', {
      expected: 'a repository inside a git work tree',
      received: 'no git (or core.no_scm = true)',
      hint: 'use `mlpipe status` to compare the workspace with the .dvc files',
    });
  }
  const old = new Map<string, string>();
  for (const o of revisionOutputs(repo, [options.rev ?? 'HEAD'])) if (o.md5 && o.cache) expand(repo, old, o.path, o.md5, o.legacy);
  const now = new Map<string, string>();
  const ws = collectWorkspace(repo);
  for (const f of ws.dvcFiles) {
    for (const o of f.outputs) {
      if (!o.out.cache) continue;
      const h = await hashPath(repo, o.abs, { progress: options.progress });
      if (!h) continue;
      now.set(h.isdir ? `${o.path}/` : o.path, h.md5);
      for (const e of h.entries ?? []) now.set(`${o.path}/${e.relpath}`, e.md5);
    }
  }
  const keep = (p: string) => !targets || targets.some((t) => t === '' || p === t || p.startsWith(`${t.replace(/\/+$/, '')}/`));
  const result: DataDiff = { added: [], deleted: [], modified: [] };
  for (const [path, hash] of now) {
    if (!keep(path)) continue;
    const before = old.get(path);
    if (before === undefined) result.added.push({ path, hash });
    else if (before !== hash) result.modified.push({ path, hash: { old: before, new: hash } });
  }
  for (const [path, hash] of old) if (keep(path) && !now.has(path)) result.deleted.push({ path, hash });
  for (const list of [result.added, result.deleted, result.modified]) list.sort((a, b) => (a.path < b.path ? -1 : 1));
  return result;
}

function expand(repo: Repo, into: Map<string, string>, path: string, md5: string, legacy: boolean): void {
  if (!md5.endsWith('.dir')) return void into.set(path, md5);
  into.set(`${path}/`, md5);
  if (!repo.cache.has(md5, legacy)) return;
  for (const e of repo.cache.readManifest(md5, legacy)) into.set(`${path}/${e.relpath}`, e.md5);
}
