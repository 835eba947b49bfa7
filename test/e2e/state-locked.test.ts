import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StateDb } from '../../src/core/repo/state.js';
import { runCli } from '../helpers/cli.js';
import { type TempRepo, tempDir, tempRepo, writeTree } from '../helpers/tree.js';

// The state DB is a cache (src/core/repo/state.ts): when another process keeps its write lock past
// the busy timeout, mlpipe drops what it would have remembered instead of failing the command.

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A second connection that holds the database's write lock until released. */
function holdWriteLock(file: string): () => void {
  const other = new Database(file, { timeout: 0 });
  other.exec('BEGIN IMMEDIATE');
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    other.exec('ROLLBACK');
    other.close();
  };
  cleanups.push(release);
  return release;
}

describe('a state DB locked by another writer', () => {
  it('drops writes (false), still reads, opens, and writes again once the lock is gone', () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.db');
    const state = new StateDb(Database, file, undefined, 50);
    cleanups.push(() => state.close());
    expect(state.putMemo('k', 'stamp-1', 'v1')).toBe(true);

    const release = holdWriteLock(file);
    expect(state.putMemo('k', 'stamp-2', 'v2')).toBe(false);
    expect(state.putMany([{ path: 'a', ino: 1, mtime: '2', size: 3, md5: 'acbd18db4cc2f85cedef654fccc4a4d8' }])).toBe(false);
    // WAL: readers are not blocked by the writer, and see the last committed value.
    expect(state.memo('k')).toEqual({ stamp: 'stamp-1', value: 'v1' });
    expect(state.lookup('a', { ino: 1, mtime: '2', size: 3 })).toBeUndefined();
    const second = new StateDb(Database, file, undefined, 50);
    cleanups.push(() => second.close());
    expect(second.memo('k')).toEqual({ stamp: 'stamp-1', value: 'v1' });

    release();
    expect(state.putMemo('k', 'stamp-2', 'v2')).toBe(true);
    expect(state.putMany([{ path: 'a', ino: 1, mtime: '2', size: 3, md5: 'acbd18db4cc2f85cedef654fccc4a4d8' }])).toBe(true);
    expect(second.memo('k')).toEqual({ stamp: 'stamp-2', value: 'v2' });
    expect(second.lookup('a', { ino: 1, mtime: '2', size: 3 })).toBe('acbd18db4cc2f85cedef654fccc4a4d8');
  });

  it('does not fail status or add: they answer as with no state DB (the CLI waits out its 5 s busy timeout)', async () => {
    const t: TempRepo = tempRepo();
    cleanups.push(t.cleanup);
    expect((await runCli(['init'], { cwd: t.dir })).code).toBe(0);
    writeTree(t.dir, { d: { foo: 'foo', bar: 'bar' } });
    expect((await runCli(['add', 'd'], { cwd: t.dir })).code).toBe(0);
    writeTree(t.dir, { d: { foo: 'FOO' } });

    const release = holdWriteLock(join(t.dir, '.dvc/tmp/mlpipe-state.db'));
    const status = await runCli(['status'], { cwd: t.dir, timeoutMs: 120_000 });
    expect(status).toEqual({ code: 0, stderr: '', stdout: 'd.dvc:\n\tchanged outs:\n\t\tmodified:           d\n' });
    const add = await runCli(['--json', 'add', 'd'], { cwd: t.dir, timeoutMs: 120_000 });
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout).added).toMatchObject([{ path: 'd', nfiles: 2, size: 6 }]);
    release();
    expect(await runCli(['status'], { cwd: t.dir })).toEqual({ code: 0, stderr: '', stdout: 'Data and pipelines are up to date.\n' });
  }, 180_000);
});
