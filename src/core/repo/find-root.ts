import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MlpipeError } from '../../errors.js';

/**
 * The repository root is the nearest folder, from `start` upward, that holds a `.dvc` directory
 * (as DVC's `Repo.find_root`). Returns undefined when there is none.
 */
export function findRepoRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (isDirectory(join(dir, '.dvc'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The repository root above `cwd`, or E_NOT_A_REPO: the one "not a repository" check. */
export function requireRepoRoot(cwd: string): string {
  const root = findRepoRoot(cwd);
  if (root === undefined) {
    throw new MlpipeError('E_NOT_A_REPO', `not inside an mlpipe/DVC repository: ${resolve(cwd)}`, {
      expected: 'a folder (or sub-folder) that contains .dvc/',
      received: resolve(cwd),
      hint: 'run `mlpipe init` in your git repository first',
    });
  }
  return root;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
