import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Temp files of interrupted writers (kill -9, power loss) and how to tell them from those of a writer
 * still running, possibly in another process or on another machine sharing the folder (a folder
 * remote on NFS, a cache shared by several clones).
 *
 * Every temp name starts with an owner tag `<host>.<pid>.`: `host` is 8 hex digits of the machine's
 * name. A temp file is stale when
 * - its owner is on this machine and that process no longer exists (kill(pid, 0) says ESRCH): it is
 *   removed by the very next run, however young it is; or
 * - its content has not changed for STALE_AFTER_MS (one hour): this covers other machines (their
 *   pids mean nothing here), reused pids, and temps named before owner tags existed. A live writer
 *   appends to its temp file continuously, which keeps its mtime fresh.
 * A pid-file or lock next to each transfer would need cleaning itself after a kill; the tag in the
 * name cannot go stale separately from the file it names.
 */
export const STALE_AFTER_MS = 60 * 60 * 1000;

let ownTag: string | undefined;
const hostTag = (name: string) => createHash('md5').update(name).digest('hex').slice(0, 8);

/** `<host>.<pid>`, the owner part of this process's temp names. */
export function ownerTag(): string {
  ownTag ??= `${hostTag(hostname())}.${process.pid}`;
  return ownTag;
}

const OWNED = /^\.?([0-9a-f]{8})\.(\d+)\./;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether a temp file (by its name and last modification) belongs to no running writer. */
export function isStaleTmp(name: string, mtimeMs: number, now = Date.now()): boolean {
  const owner = OWNED.exec(name);
  if (owner && owner[1] === hostTag(hostname()) && Number(owner[2]) !== process.pid && processGone(Number(owner[2]))) return true;
  return now - mtimeMs > STALE_AFTER_MS;
}

/** The stale temp files directly in `dir` whose names `isTmp` accepts (a missing folder has none). */
export function listStaleTmp(dir: string, isTmp: (name: string) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const now = Date.now();
  return names.filter((name) => {
    if (!isTmp(name)) return false;
    try {
      return isStaleTmp(name, statSync(`${dir}/${name}`).mtimeMs, now);
    } catch {
      return false; // gone already (another sweeper, or its writer renamed it into place)
    }
  }).map((name) => `${dir}/${name}`);
}

/** Removes what listStaleTmp finds; returns the paths removed. */
export function sweepStaleTmp(dir: string, isTmp: (name: string) => boolean): string[] {
  const stale = listStaleTmp(dir, isTmp);
  for (const path of stale) rmSync(path, { force: true });
  return stale;
}
