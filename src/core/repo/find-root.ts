import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
