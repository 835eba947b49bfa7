import { createHash } from 'node:crypto';
import type { ScannedFile } from './scan.js';
import type { StateDb } from './state.js';

/**
 * The directory-level entry of the state DB: a tracked directory's `.dir` oid, valid while a digest
 * of its scan (every file's path, inode, mtime and size, in scan order) is unchanged.
 *
 * The oid is a function of the files' paths and contents. The state DB already trusts that a file
 * whose (inode, mtime, size) is unchanged has unchanged content (DVC's state does the same, §2.4), so
 * under that same premise the oid is a function of this digest: a no-op `status` of 10,000 files then
 * takes it from one row instead of reading 10,000 state rows and rebuilding and hashing the manifest.
 * Nothing more is trusted: every file is still stat'ed by the scan (with its symlink and .dvcignore
 * rules), and any added, removed, renamed or re-stamped file changes the digest. A different scan
 * order only costs the slow path.
 */
export function treeStamp(files: readonly ScannedFile[]): string {
  const hash = createHash('md5');
  // Hashed in slices: one update per file costs a native call each, one string for all of them a
  // large temporary; slices of 512 lines keep both small.
  const SLICE = 512;
  for (let i = 0; i < files.length; i += SLICE) {
    let text = '';
    for (const f of files.slice(i, i + SLICE)) text += `${f.rel}\0${f.stamp.ino}\0${f.stamp.mtime}\0${f.stamp.size}\n`;
    hash.update(text);
  }
  return `${files.length}:${hash.digest('hex')}`;
}

const key = (dirRepoPath: string) => `tree\0${dirRepoPath}`;

/** The `.dir` oid recorded for the directory when its scan had this stamp. */
export function knownTreeOid(state: StateDb, dirRepoPath: string, stamp: string): string | undefined {
  const row = state.memo(key(dirRepoPath));
  return row?.stamp === stamp ? row.value : undefined;
}

export function recordTreeOid(state: StateDb, dirRepoPath: string, stamp: string, oid: string): void {
  state.putMemo(key(dirRepoPath), stamp, oid);
}
