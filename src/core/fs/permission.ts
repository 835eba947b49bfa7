import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { MlpipeError, isErrnoException } from '../../errors.js';

/**
 * The operating system's refusals (EACCES, EPERM, EROFS) as E_PERMISSION: the folder named relative
 * to the repository (or the working folder outside one) and what to do, instead of an E_INTERNAL with
 * an absolute path. Commands call nothing here; the CLI's action wrapper converts what escapes a
 * command (cli/command.ts), so every command reports a read-only cache, `.dvc/tmp` or workspace
 * folder the same way. Writes are temp + rename throughout, so a refusal leaves nothing half-written.
 */
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);
/** System calls that create or remove an entry: the folder holding it is what must be writable. */
const IN_FOLDER = new Set(['mkdir', 'open', 'rename', 'unlink', 'rmdir', 'link', 'symlink', 'copyfile', 'mkdtemp']);

export function shown(path: string, base: string): string {
  const rel = relative(base, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The nearest folder of `path` that exists: `mkdir -p` reports its target, not the folder that refused. */
function existingFolder(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * The folder that refused an entry change. A rename or link has two (its temp file's and the
 * destination's): the one this user cannot write is the one to name.
 */
function refusingFolder(err: NodeJS.ErrnoException & { dest?: string }): string {
  const folders = [err.dest, err.path].filter((p): p is string => typeof p === 'string').map((p) => existingFolder(dirname(p)));
  return folders.find((dir) => !writable(dir)) ?? (folders[folders.length - 1] as string);
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * SQLite reports a read-only folder as SQLITE_READONLY / SQLITE_CANTOPEN (it cannot create its
 * journal next to the database), without a path. The one database mlpipe writes is the state cache
 * in `.dvc/tmp` (core/repo/state.ts), so that is the folder to name.
 */
const SQLITE_DENIED = /^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/;

export function permissionError(err: unknown, base: string): MlpipeError | undefined {
  if (err instanceof Error && err.name === 'SqliteError' && SQLITE_DENIED.test(String((err as { code?: unknown }).code))) {
    return denied(shown(join(base, '.dvc', 'tmp'), base), 'EACCES', 'sqlite');
  }
  if (!isErrnoException(err) || !DENIED.has(err.code ?? '') || typeof err.path !== 'string') return undefined;
  const folder = shown(IN_FOLDER.has(err.syscall ?? '') ? refusingFolder(err) : err.path, base);
  return denied(folder, err.code as string, err.syscall);
}

function denied(folder: string, errno: string, syscall: string | undefined): MlpipeError {
  const err = { code: errno, syscall };
  const readOnlyFs = err.code === 'EROFS';
  return new MlpipeError(
    'E_PERMISSION',
    readOnlyFs ? `${folder} is on a read-only filesystem` : `permission denied in ${folder}: this user cannot ${err.syscall === 'scandir' || err.syscall === 'opendir' ? 'list' : 'write'} there`,
    {
      expected: `a folder this user can write (${folder})`,
      received: `${err.code} on ${err.syscall ?? 'access'}`,
      hint: readOnlyFs
        ? `remount the filesystem read-write, or point the cache elsewhere (\`dir\` under [cache] in .dvc/config)`
        : `make it writable for this user (\`chmod -R u+w ${folder}\`, or fix its owner with chown), then run the command again`,
      data: { path: folder, errno, syscall },
    },
  );
}

/**
 * A folder option (`--dir`) that names a file, or a path under a file, cannot be created or written:
 * E_PERMISSION naming the option as the user typed it (never the resolved server path).
 */
export function assertFolderOption(abs: string, typed: string, option: string): void {
  const existing = existingFolder(abs);
  if (!existsSync(existing) || statSync(existing).isDirectory()) return;
  throw new MlpipeError('E_PERMISSION', `${option} ${typed} is ${existing === abs ? 'a file' : 'under a file'}, not a folder`, {
    expected: 'a folder (created if missing)',
    received: typed,
    hint: `pass a folder path to ${option}`,
    data: { option, path: typed },
  });
}
