import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix, relative } from 'node:path';
import { MlpipeError } from '../../errors.js';
import type { Repo } from './open.js';
import { type Output, revisionOutputs } from './used-objects.js';

/**
 * Where a repository file lives at a git revision: in git itself, or as a DVC output (or a file
 * inside an output folder) whose object is named by the revision's `.dvc` / `dvc.lock`.
 */
export type Located = { kind: 'git'; path: string } | { kind: 'output'; output: Output; relpath: string };

function gitPrefix(repo: Repo): string {
  return posix.normalize(relative(repo.gitRoot as string, repo.root).split('\\').join('/'));
}

function gitShow(repo: Repo, rev: string, path: string): Buffer | undefined {
  const prefix = gitPrefix(repo);
  const spec = `${rev}:${prefix === '.' ? path : `${prefix}/${path}`}`;
  try {
    return execFileSync('git', ['cat-file', 'blob', spec], { cwd: repo.gitRoot as string, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  } catch {
    return undefined;
  }
}

export function locateAt(repo: Repo, rev: string, path: string): Located | undefined {
  if (!repo.gitRoot) throw new MlpipeError('E_NOT_A_GIT_REPO', 'reading a revision needs git', { hint: 'run inside a git work tree' });
  const outputs = revisionOutputs(repo, [rev]).filter((o) => o.md5 !== undefined && (o.path === path || path.startsWith(`${o.path}/`)));
  const best = outputs.sort((a, b) => b.path.length - a.path.length)[0];
  if (best) return { kind: 'output', output: best, relpath: best.path === path ? '' : path.slice(best.path.length + 1) };
  return gitShow(repo, rev, path) !== undefined ? { kind: 'git', path } : undefined;
}

/** The md5 object id of a file inside an output (the output's own id when relpath is empty). */
export function objectOf(repo: Repo, output: Output, relpath: string): string {
  const oid = output.md5 as string;
  if (relpath === '') return oid;
  const entry = repo.cache.readManifest(oid, output.legacy).find((e) => e.relpath === relpath);
  if (!entry) throw new MlpipeError('E_NOT_FOUND', `${relpath} is not in ${output.path} (${oid})`, { hint: 'check the path inside the tracked folder' });
  return entry.md5;
}

/**
 * The bytes of a file at a revision: from git, or from the local cache by the hash that revision
 * recorded. E_MISSING_CACHE when the object was never fetched here.
 */
export function readFileAt(repo: Repo, rev: string, path: string): Buffer {
  const found = locateAt(repo, rev, path);
  if (!found) throw new MlpipeError('E_NOT_FOUND', `${path} does not exist at ${rev}`, { hint: `list what is tracked there: git ls-tree -r ${rev}` });
  if (found.kind === 'git') return gitShow(repo, rev, path) as Buffer;
  try {
    if (found.relpath !== '' && !repo.cache.has(found.output.md5 as string, found.output.legacy)) throw new Error('manifest missing');
    const oid = objectOf(repo, found.output, found.relpath);
    return readFileSync(repo.cache.path(oid, found.output.legacy));
  } catch (err) {
    if (err instanceof MlpipeError) throw err;
    throw new MlpipeError('E_MISSING_CACHE', `${path} at ${rev} is not in the local cache`, {
      hint: `fetch it first: git checkout ${rev} && mlpipe pull ${found.output.path}`,
      cause: err,
    });
  }
}
