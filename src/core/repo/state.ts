import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * mlpipe's private hash cache (../shared/docs/dvc-format.md §2.4 recommends one, never DVC's own):
 * repo-relative path -> md5, valid only while the file's inode, mtime (ns) and size are unchanged.
 * Lives in `.dvc/tmp/mlpipe-state.db` (SQLite, WAL). Correctness never depends on it: a row whose
 * stat does not match is ignored, and a deleted database only costs re-hashing. For the same reason a
 * write that cannot get the database's lock in time (another mlpipe holding a long transaction) is
 * dropped rather than failing the command: `status` or `add` then only forgets what it would have
 * remembered.
 */
export interface FileStamp {
  ino: number;
  /** Milliseconds since the epoch with their fraction (`Stats.mtimeMs`), as a string. */
  mtime: string;
  size: number;
}

export interface StateRow extends FileStamp {
  path: string;
  md5: string;
}

/** A `hashes` row as `raw()` returns it: path, ino, mtime, size, md5. */
type RawRow = [string, number, string, number, string];

export class StateDb {
  private readonly db: BetterSqlite3.Database;
  private readonly getStmt: BetterSqlite3.Statement;
  private readonly rangeStmt: BetterSqlite3.Statement;
  private readonly putStmt: BetterSqlite3.Statement;
  private readonly memoGetStmt: BetterSqlite3.Statement;
  private readonly memoPutStmt: BetterSqlite3.Statement;

  /**
   * `nativeBinding`: the path of better-sqlite3's addon, when known (open.ts). `busyTimeoutMs`: how
   * long a write waits for another connection's lock before it is dropped (better-sqlite3's default).
   */
  constructor(Database: typeof BetterSqlite3, file: string, nativeBinding?: string, busyTimeoutMs = 5000) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: busyTimeoutMs, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, ino INTEGER NOT NULL, mtime TEXT NOT NULL, size INTEGER NOT NULL, md5 TEXT NOT NULL) WITHOUT ROWID',
    );
    // Derived facts about whole trees (tree-stamp.ts, presence.ts), each valid only while its stamp
    // (a digest of what it was derived from) is unchanged: a mismatch means "work it out again".
    this.db.exec('CREATE TABLE IF NOT EXISTS memo (key TEXT PRIMARY KEY, stamp TEXT NOT NULL, value TEXT NOT NULL) WITHOUT ROWID');
    this.memoGetStmt = this.db.prepare('SELECT stamp, value FROM memo WHERE key = ?');
    this.memoPutStmt = this.db.prepare('INSERT OR REPLACE INTO memo (key, stamp, value) VALUES (?, ?, ?)');
    this.getStmt = this.db.prepare('SELECT ino, mtime, size, md5 FROM hashes WHERE path = ?');
    // Raw rows (arrays): a 10,000-file tree reads 10,000 rows on every status, and arrays cost far
    // less to build than objects with named keys.
    this.rangeStmt = this.db.prepare('SELECT path, ino, mtime, size, md5 FROM hashes WHERE path > ? AND path < ?').raw(true);
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO hashes (path, ino, mtime, size, md5) VALUES (?, ?, ?, ?, ?)');
  }

  /** The md5 recorded for `path` if its stamp still matches. */
  lookup(path: string, stamp: FileStamp): string | undefined {
    const row = this.getStmt.get(path) as (FileStamp & { md5: string }) | undefined;
    return row && sameStamp(row, stamp) ? row.md5 : undefined;
  }

  /**
   * A lookup over every row under the folder `dir` (repo-relative, POSIX), read with one query for
   * the whole tree: the md5 recorded for a path if its stamp still matches.
   */
  lookupUnder(dir: string): (path: string, stamp: FileStamp) => string | undefined {
    const rows = new Map<string, RawRow>();
    for (const row of this.rangeStmt.iterate(`${dir}/`, `${dir}0`) as IterableIterator<RawRow>) rows.set(row[0], row); // '0' sorts right after '/'
    return (path, stamp) => {
      const row = rows.get(path);
      return row && row[2] === stamp.mtime && Number(row[1]) === stamp.ino && Number(row[3]) === stamp.size ? row[4] : undefined;
    };
  }

  /** Records the rows; false when the database stayed locked by another writer (nothing written). */
  putMany(rows: readonly StateRow[]): boolean {
    if (rows.length === 0) return true;
    return unlessBusy(() =>
      this.db.transaction(() => {
        for (const r of rows) this.putStmt.run(r.path, r.ino, r.mtime, r.size, r.md5);
      })(),
    );
  }

  /** The memo under `key`, if any. */
  memo(key: string): { stamp: string; value: string } | undefined {
    return this.memoGetStmt.get(key) as { stamp: string; value: string } | undefined;
  }

  /** Records the memo; false when the database stayed locked by another writer (nothing written). */
  putMemo(key: string, stamp: string, value: string): boolean {
    return unlessBusy(() => this.memoPutStmt.run(key, stamp, value));
  }

  close(): void {
    this.db.close();
  }
}

/** Runs a write; a lock held past the busy timeout drops it (false) instead of failing the command. */
function unlessBusy(write: () => unknown): boolean {
  try {
    write();
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return false;
    throw err;
  }
}

function sameStamp(row: FileStamp, stamp: FileStamp): boolean {
  return row.mtime === stamp.mtime && Number(row.ino) === stamp.ino && Number(row.size) === stamp.size;
}
