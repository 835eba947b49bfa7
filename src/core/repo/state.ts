import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * mlpipe's private hash cache (../shared/docs/dvc-format.md §2.4 recommends one, never DVC's own):
 * repo-relative path -> md5, valid only while the file's inode, mtime (ns) and size are unchanged.
 * Lives in `.dvc/tmp/mlpipe-state.db` (SQLite, WAL). Correctness never depends on it: a row whose
 * stat does not match is ignored, and a deleted database only costs re-hashing.
 */
export interface FileStamp {
  ino: number;
  /** Nanoseconds since the epoch, as a decimal string (exact, unlike a double). */
  mtime: string;
  size: number;
}

export interface StateRow extends FileStamp {
  path: string;
  md5: string;
}

export class StateDb {
  private readonly db: BetterSqlite3.Database;
  private readonly getStmt: BetterSqlite3.Statement;
  private readonly rangeStmt: BetterSqlite3.Statement;
  private readonly putStmt: BetterSqlite3.Statement;

  constructor(Database: typeof BetterSqlite3, file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, ino INTEGER NOT NULL, mtime TEXT NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL) WITHOUT ROWID',
    );
    this.getStmt = this.db.prepare('SELECT ino, mtime, size, md5 FROM hashes WHERE path = ?');
    this.rangeStmt = this.db.prepare('SELECT path, ino, mtime, size, md5 FROM hashes WHERE path > ? AND path < ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO hashes (path, ino, mtime, size, md5) VALUES (?, ?, ?, ?, ?)');
  }

  /** The md5 recorded for `path` if its stamp still matches. */
  lookup(path: string, stamp: FileStamp): string | undefined {
    const row = this.getStmt.get(path) as (FileStamp & { md5: string }) | undefined;
    return row && sameStamp(row, stamp) ? row.md5 : undefined;
  }

  /** Every row under the folder `dir` (repo-relative, POSIX), keyed by path: one query for a whole tree. */
  rowsUnder(dir: string): Map<string, StateRow> {
    const rows = this.rangeStmt.all(`${dir}/`, `${dir}0`) as StateRow[]; // '0' sorts right after '/'
    return new Map(rows.map((r) => [r.path, r]));
  }

  putMany(rows: readonly StateRow[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const r of rows) this.putStmt.run(r.path, r.ino, r.mtime, r.size, r.md5);
    })();
  }

  close(): void {
    this.db.close();
  }
}

export function sameStamp(row: FileStamp, stamp: FileStamp): boolean {
  return row.mtime === stamp.mtime && Number(row.ino) === stamp.ino && Number(row.size) === stamp.size;
}
