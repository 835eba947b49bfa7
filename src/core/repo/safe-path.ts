import { lstatSync, realpathSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { MlpipeError, isErrnoException } from '../../errors.js';
import { toRepoPath } from './paths.js';

/**
 * The one place that decides whether following a path on disk stays inside the workspace. Lexical
 * checks (paths.ts `resolveInRepo`) catch `../x`; this catches what only the filesystem knows: a
 * symlinked folder on the way (`lnk -> /elsewhere`, then `lnk/p`), a symlink inside a tracked folder
 * pointing out (`d/etc -> /etc`), and loops (`d/up -> ..`).
 *
 * Every operation that reads or writes workspace data calls it before touching anything: add,
 * commit and status through the scan (scan.ts), checkout and pull before placing files
 * (checkout-output.ts), move, remove --outs and the `.gitignore` writer. A refusal is E_OUTSIDE_REPO
 * (a loop: E_BAD_INPUT), raised with nothing changed.
 *
 * Where real DVC differs (fixtures/dvc/cli-exit-codes): DVC refuses any file inside a symlinked folder
 * ("Cannot add files inside symlinked directories"); mlpipe allows a symlinked folder whose target is
 * inside the workspace and refuses one that leaves it. DVC adds a symlinked *file* that points outside
 * by copying its content and replacing the link; mlpipe refuses it, because reading outside the
 * workspace is exactly what `add` of a folder holding `ln -s /etc` must not do.
 */
export interface Confinement {
  root: string;
  cache: { root: string };
}

const realCache = new Map<string, string>();
/**
 * realpath of the repo root and cache root, once per process (they do not move while we run). A
 * cache folder that does not exist yet is not remembered: it may be created later in the run.
 */
function real(path: string): string {
  const known = realCache.get(path);
  if (known !== undefined) return known;
  try {
    const r = realpathSync.native(path);
    realCache.set(path, r);
    return r;
  } catch {
    return path;
  }
}

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);

/**
 * True when a real (symlink-free) path is a place workspace data may live: the workspace outside
 * `.dvc/` and `.git/`, or (for reads, `cacheOk`) an object of the cache, which is where `cache.type
 * symlink` points checked-out files.
 */
function allowedReal(repo: Confinement, realPath: string, cacheOk: boolean): boolean {
  if (cacheOk && within(realPath, real(repo.cache.root))) return true;
  const root = real(repo.root);
  if (!within(realPath, root)) return false;
  const first = relative(root, realPath).split(sep)[0];
  return first !== '.git' && first !== '.dvc';
}

function outside(repo: Confinement, abs: string, via: string, target: string): MlpipeError {
  const rel = toRepoPath(repo.root, abs);
  const link = toRepoPath(repo.root, via);
  return new MlpipeError('E_OUTSIDE_REPO', `${rel} leads outside the workspace through the symlink ${link}`, {
    expected: 'paths whose symlinks resolve inside the repository workspace',
    received: `${link} -> ${target}`,
    hint: `replace the symlink ${link} with the real folder or file, or track the data where it lives`,
    data: { path: rel, symlink: link, target },
  });
}

export function symlinkLoop(repo: Confinement, link: string, target: string): MlpipeError {
  const rel = toRepoPath(repo.root, link);
  return new MlpipeError('E_BAD_INPUT', `symlink loop: ${rel} points back to a folder that contains it`, {
    expected: 'no symlink to a folder above itself',
    received: `${rel} -> ${target}`,
    hint: `remove the symlink ${rel}, or list it in .dvcignore`,
    data: { path: rel, target },
  });
}

/** Deepest entry of `abs` (or abs itself) that exists on disk, by lstat (a dangling link exists). */
function deepestExisting(abs: string): string | undefined {
  for (let p = abs; ; p = dirname(p)) {
    try {
      lstatSync(p);
      return p;
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT') && !isErrnoException(err, 'ENOTDIR')) throw err;
    }
    if (dirname(p) === p) return undefined;
  }
}

/** The first symlink on the way from the repo root to `abs` (for the message). */
function firstLink(repo: Confinement, abs: string): string {
  const parts = relative(repo.root, abs).split(sep);
  let p = repo.root;
  for (const part of parts) {
    p = `${p}${sep}${part}`;
    try {
      if (lstatSync(p).isSymbolicLink()) return p;
    } catch {
      break;
    }
  }
  return abs;
}

/**
 * Refuses `abs` (a workspace path) when reaching it on disk crosses a symlink that leaves the
 * workspace. `leaf: 'follow'` (reading: add, commit, status) also resolves `abs` itself when it is a
 * symlink; `leaf: 'replace'` (writing: checkout, move, remove) checks only the folders above it, since
 * the write replaces a symlink at `abs` rather than writing through it.
 */
export function assertConfined(repo: Confinement, abs: string, leaf: 'follow' | 'replace'): void {
  const start = leaf === 'follow' ? abs : dirname(abs);
  if (!within(start, repo.root)) return; // lexically outside: not a workspace path (resolveInRepo's job)
  const existing = deepestExisting(start);
  if (existing === undefined) return;
  let resolved: string;
  try {
    resolved = realpathSync.native(existing);
  } catch (err) {
    if (isErrnoException(err, 'ELOOP')) throw symlinkLoop(repo, firstLink(repo, existing), 'itself');
    // A dangling symlink read as the leaf has no content; one on the way could create folders anywhere.
    if (isErrnoException(err, 'ENOENT') && existing === abs && leaf === 'follow') {
      assertConfined(repo, abs, 'replace');
      return;
    }
    if (isErrnoException(err, 'ENOENT')) throw outside(repo, abs, firstLink(repo, existing), 'a path that does not exist');
    throw err;
  }
  const cacheOk = leaf === 'follow' && existing === abs;
  if (!allowedReal(repo, resolved, cacheOk)) throw outside(repo, abs, firstLink(repo, existing), resolved);
}

/**
 * For the scan of a tracked folder: checks a symlink met inside it. Returns its real target
 * (undefined when dangling); throws E_OUTSIDE_REPO when it leaves the workspace and E_BAD_INPUT when
 * it points at a folder on `chain` (the real paths of the folders the scan is inside, including those
 * reached through earlier links) or above one, which would be followed forever.
 */
export function confinedLinkTarget(repo: Confinement, link: string, chain: readonly string[]): string | undefined {
  let target: string;
  try {
    target = realpathSync.native(link);
  } catch (err) {
    if (isErrnoException(err, 'ELOOP')) throw symlinkLoop(repo, link, 'itself');
    if (isErrnoException(err, 'ENOENT')) return undefined; // dangling: no content to track
    throw err;
  }
  if (!allowedReal(repo, target, true)) throw outside(repo, link, link, target);
  if (chain.some((dir) => within(dir, target))) throw symlinkLoop(repo, link, target);
  return target;
}

/**
 * Git has no escape for a line break in an ignore pattern (gitignore(5)): `/a\nb` becomes two
 * patterns, one of which ignores `b` everywhere below. Such names are refused before anything is
 * written (E_BAD_INPUT).
 */
export function assertIgnorableName(repo: Confinement, abs: string): void {
  const rel = toRepoPath(repo.root, abs);
  if (!/[\n\r]/.test(rel)) return;
  throw new MlpipeError('E_BAD_INPUT', `${JSON.stringify(rel)} has a line break in its name, which .gitignore cannot express`, {
    expected: 'a path without newline or carriage-return characters',
    received: JSON.stringify(rel),
    hint: 'rename the file or folder without the line break, then add it',
    data: { path: rel },
  });
}
