import { isAbsolute, relative, resolve, sep } from 'node:path';
import { MlpipeError } from '../../errors.js';

/** Repo-relative POSIX path of an absolute path (no check). */
export function toRepoPath(root: string, abs: string): string {
  const rel = relative(root, abs);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Resolves a user or `.dvc`-file path against `base` and makes sure it stays inside the repo and
 * outside `.dvc/` and `.git/`. Anything else (`../../etc/passwd`, absolute paths elsewhere) is
 * E_OUTSIDE_REPO, raised before anything is touched.
 */
export function resolveInRepo(root: string, base: string, path: string, what = 'path'): string {
  const abs = resolve(base, path);
  const rel = relative(root, abs);
  const escapes = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  const first = rel.split(sep)[0];
  if (escapes || rel === '' || first === '.dvc' || first === '.git') {
    throw new MlpipeError('E_OUTSIDE_REPO', `${what} ${JSON.stringify(path)} is outside the repository's workspace`, {
      expected: `a path inside ${root} (not the repository root itself, .dvc/ or .git/)`,
      received: abs,
      hint: 'use a path inside the repository workspace',
      data: { path, resolved: abs },
    });
  }
  return abs;
}

/** Command-line targets (relative to `cwd`) as repo paths; `.` or the root itself means everything. */
export function toRepoTargets(root: string, cwd: string, targets: string[] | undefined): string[] | undefined {
  if (!targets?.length) return undefined;
  return targets.map((t) => (resolve(cwd, t) === root ? '' : toRepoPath(root, resolveInRepo(root, cwd, t, 'target'))));
}
