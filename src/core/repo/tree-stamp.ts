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
  // The numbers go in as their 8 bytes each and the names as one string: no number is formatted.
  const numbers = new Float64Array(files.length * 3);
  let names = '';
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    numbers[3 * i] = f.ino;
    numbers[3 * i + 1] = f.mtimeMs;
    numbers[3 * i + 2] = f.size;
    names += `${f.rel}\0`;
  }
  const hash = createHash('md5').update(numbers).update(names).digest('hex');
  return `${files.length}:${hash}`;
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
