import { chmodSync, constants, copyFileSync, lstatSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { MlpipeError, isErrnoException } from '../../errors.js';
import { fileMode, tempFor } from './link.js';
import type { Repo } from './open.js';
import { resolveInRepo, toRepoPath } from './paths.js';
import { assertConfined } from './safe-path.js';

/**
 * `mlpipe unprotect TARGET...` (DVC's `dvc unprotect`, dvc-format.md §2.3): with `cache.type`
 * hardlink or symlink a workspace file *is* the cache object (read-only, 0o444), so editing it in
 * place would change the object behind its name for every version that uses it. Unprotecting
 * replaces each such file with its own writable copy, written under a temp name and renamed over the
 * link (DVC's order: a reader never sees half a file), and makes copies writable (0o666 & ~umask).
 * The cache object is never written. A symlink is replaced only when it points into the cache; one
 * leading anywhere else is not ours and is reported in `skipped`.
 */
export interface UnprotectOptions {
  targets: string[];
  /** Relative paths are resolved against it (default: the repo root). */
  cwd?: string;
}

export interface UnprotectResult {
  /** Repo paths of files that were links into the cache and are now copies. */
  copied: string[];
  /** Repo paths of files that were already copies and were only made writable. */
  writable: string[];
  /** Symlinks that do not point into the cache, left as they are. */
  skipped: string[];
}

export async function unprotect(repo: Repo, options: UnprotectOptions): Promise<UnprotectResult> {
  const cwd = options.cwd ?? repo.root;
  const paths = options.targets.map((t) => resolveInRepo(repo.root, cwd, t, 'target'));
  for (const abs of paths) {
    assertConfined(repo, abs, 'replace');
    try {
      lstatSync(abs);
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT')) throw err;
      throw new MlpipeError('E_NOT_FOUND', `${toRepoPath(repo.root, abs)} does not exist`, {
        expected: 'a file or folder in the workspace',
        received: toRepoPath(repo.root, abs),
        hint: 'run `mlpipe checkout` first if the data is not in the workspace',
      });
    }
  }
  return repo.withLock(() => {
    const result: UnprotectResult = { copied: [], writable: [], skipped: [] };
    const cacheRoot = realpathSync.native(repo.cache.root) + sep;
    const visit = (abs: string) => {
      const st = lstatSync(abs);
      const rel = toRepoPath(repo.root, abs);
      if (st.isDirectory()) {
        // A folder is walked without following symlinks: a symlinked folder is never entered.
        for (const name of readdirSync(abs).sort()) visit(join(abs, name));
        return;
      }
      if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync.native(abs);
        } catch {
          result.skipped.push(rel);
          return;
        }
        if (!real.startsWith(cacheRoot) || !lstatSync(real).isFile()) {
          result.skipped.push(rel);
          return;
        }
        replaceWithCopy(repo, real, abs);
        result.copied.push(rel);
        return;
      }
      if (!st.isFile()) return;
      if (st.nlink > 1) {
        replaceWithCopy(repo, abs, abs);
        result.copied.push(rel);
      } else {
        chmodSync(abs, (st.mode & 0o7777) | fileMode());
        result.writable.push(rel);
      }
    };
    for (const abs of paths) visit(abs);
    return result;
  });
}

/** Copies `source` (the link's content) to a temp file and renames it over `dest`. */
function replaceWithCopy(repo: Repo, source: string, dest: string): void {
  const tmp = tempFor(repo, dest);
  try {
    copyFileSync(source, tmp, constants.COPYFILE_EXCL);
    // An executable output stays executable (DVC keeps `isexec` files' x bits).
    chmodSync(tmp, fileMode() | (lstatSync(source).mode & 0o111));
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { force: true });
  }
}
