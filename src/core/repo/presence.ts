import { statSync } from 'node:fs';
import type { Repo } from './open.js';

/**
 * Whether every member of a directory object is in the cache, remembered between runs so that a
 * no-op `status` of a 10,000-file directory stats a few hundred cache folders instead of listing
 * them and looking up 10,000 names.
 *
 * What is trusted: an object is removed from (or added to) the cache only by changing the entries of
 * its prefix folder (`files/md5/ab/`), and that always moves the folder's ctime, which no user call
 * can set back (unlike mtime). So the memo records, per prefix folder holding members, the folder's
 * inode and ctime as they were just before a listing found every member present; while both are
 * unchanged, so are the folder's entries. A changed or replaced folder is listed again (only that
 * one), as is a deleted cache. Object contents are not covered, as they never were by `status`
 * (`mlpipe fsck` re-hashes them).
 *
 * File times come from the kernel's coarse clock, so a change made within the same tick as the last
 * one can leave the ctime as it was. A folder is therefore remembered only once its ctime is at least
 * SETTLED_MS older than the moment it was stat'ed; a younger one (right after an `add`) is listed
 * again next time.
 */
const SETTLED_MS = 2000;
const VERSION = 'v1';

interface FolderState {
  token: string;
  ctimeMs: number;
}

/** `now` is the clock the settling rule reads (tests move it forward instead of waiting). */
export function membersInCache(
  repo: Repo,
  dirOid: string,
  legacy: boolean,
  entries?: readonly { md5: string }[],
  now = Date.now(),
): boolean {
  const state = repo.state();
  const root = repo.cache.root;
  const key = `present\0${root}\0${legacy ? 'legacy' : 'md5'}\0${dirOid}`;
  const memo = readMemo(state.memo(key));
  // Each prefix folder's state, taken before it is listed: a change after the stat shows next time.
  const seen = new Map<string, FolderState | undefined>();
  let stale: Set<string> | undefined;
  if (memo) {
    stale = new Set();
    for (const [folder, token] of memo) {
      const current = folderState(`${root}/${folder}`);
      seen.set(folder, current);
      if (token === '' || current?.token !== token) stale.add(folder);
    }
    if (stale.size === 0) return true;
  }
  const members = (entries ?? repo.cache.readManifest(dirOid, legacy)).map((e) => e.md5);
  const folderOf = (oid: string) => {
    const path = repo.cache.path(oid, legacy);
    return path.slice(root.length + 1, path.lastIndexOf('/'));
  };
  let check: string[];
  if (stale) {
    check = members.filter((oid) => stale.has(folderOf(oid)));
  } else {
    check = members;
    for (const oid of members) {
      const folder = folderOf(oid);
      if (!seen.has(folder)) seen.set(folder, folderState(`${root}/${folder}`));
    }
  }
  if (repo.cache.missing(check, legacy).length > 0) return false;
  const value: Record<string, string> = {};
  for (const [folder, s] of seen) value[folder] = s && s.ctimeMs <= now - SETTLED_MS ? s.token : '';
  state.putMemo(key, VERSION, JSON.stringify(value));
  return true;
}

function folderState(path: string): FolderState | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st?.isDirectory() ? { token: `${st.ino}:${st.ctimeMs}`, ctimeMs: st.ctimeMs } : undefined;
}

/** The remembered folders and their tokens ('' = to be listed again); undefined when there is none. */
function readMemo(row: { stamp: string; value: string } | undefined): [string, string][] | undefined {
  if (row?.stamp !== VERSION) return undefined;
  try {
    const parsed: unknown = JSON.parse(row.value);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const pairs = Object.entries(parsed);
    return pairs.length > 0 && pairs.every(([, v]) => typeof v === 'string') ? (pairs as [string, string][]) : undefined;
  } catch {
    return undefined;
  }
}
