import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type TempRepo, tempDir, tempRepo, writeTree } from '../helpers/tree.js';

// cache.type hardlink / symlink (dvc-format.md §2.3): the workspace file is the cache object, so an
// edit must go through `unprotect`, which gives the file its own copy and leaves the object intact.
const ALPHA = '9f9f90dbe3e5ee1218c86b8839db1995'; // md5 of "alpha\n"
const BETA = 'f0cf2a92516045024a0c99147b28f05b'; // md5 of "beta\n"
const FILE_MODE = 0o666 & ~process.umask();

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function ok(args: string[], cwd: string): Promise<string> {
  const r = await runCli(args, { cwd });
  expect(r.stderr, `mlpipe ${args.join(' ')}`).toBe('');
  expect(r.code, `mlpipe ${args.join(' ')}`).toBe(0);
  return r.stdout;
}

async function repoWithLinks(type: 'hardlink' | 'symlink'): Promise<TempRepo> {
  const t = tempRepo();
  cleanups.push(() => t.cleanup());
  await ok(['init'], t.dir);
  await ok(['config', 'cache.type', type], t.dir);
  writeTree(t.dir, { data: { 'a.txt': 'alpha\n', sub: { 'b.txt': 'beta\n' } } });
  await ok(['add', 'data'], t.dir);
  return t;
}

const object = (t: TempRepo, oid: string) => join(t.dir, '.dvc/cache/files/md5', oid.slice(0, 2), oid.slice(2));
const md5Of = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

describe('mlpipe unprotect', () => {
  it('hardlink: pull links the fetched objects read-only; unprotect gives each file a writable copy and an edit leaves the cache intact', async () => {
    const t = await repoWithLinks('hardlink');
    expect(statSync(join(t.dir, 'data/a.txt')).ino).toBe(statSync(object(t, ALPHA)).ino);

    // A pull from a folder remote into an empty cache and workspace links what it fetched.
    const remote = tempDir();
    cleanups.push(() => rmSync(remote, { recursive: true, force: true }));
    await ok(['remote', 'add', '-d', 'store', remote], t.dir);
    await ok(['push'], t.dir);
    rmSync(join(t.dir, 'data'), { recursive: true, force: true });
    rmSync(join(t.dir, '.dvc/cache'), { recursive: true, force: true });
    await ok(['pull'], t.dir);
    for (const [path, oid] of [['data/a.txt', ALPHA], ['data/sub/b.txt', BETA]] as const) {
      const st = statSync(join(t.dir, path));
      expect(st.ino).toBe(statSync(object(t, oid)).ino);
      expect(st.mode & 0o777).toBe(0o444);
    }

    expect(JSON.parse(await ok(['--json', 'unprotect', 'data'], t.dir))).toEqual({
      copied: ['data/a.txt', 'data/sub/b.txt'],
      writable: [],
      skipped: [],
    });
    const a = statSync(join(t.dir, 'data/a.txt'));
    expect(a.ino).not.toBe(statSync(object(t, ALPHA)).ino);
    expect(a.nlink).toBe(1);
    expect(a.mode & 0o777).toBe(FILE_MODE);
    expect(readFileSync(join(t.dir, 'data/a.txt'), 'utf8')).toBe('alpha\n');

    writeFileSync(join(t.dir, 'data/a.txt'), 'edited\n');
    expect(readFileSync(object(t, ALPHA), 'utf8')).toBe('alpha\n');
    expect(md5Of(object(t, ALPHA))).toBe(ALPHA);
    expect(statSync(object(t, ALPHA)).mode & 0o777).toBe(0o444);
    expect(await ok(['status'], t.dir)).toBe('data.dvc:\n\tchanged outs:\n\t\tmodified:           data\n');
    // Committing the edit links the new version again (the old object stays as it was).
    await ok(['commit'], t.dir);
    const edited = createHash('md5').update('edited\n').digest('hex');
    expect(statSync(join(t.dir, 'data/a.txt')).ino).toBe(statSync(object(t, edited)).ino);
    expect(md5Of(object(t, ALPHA))).toBe(ALPHA);
  });

  it('symlink: a link into the cache becomes a copy; a copy is only made writable', async () => {
    const t = await repoWithLinks('symlink');
    expect(readlinkSync(join(t.dir, 'data/sub/b.txt'))).toBe(object(t, BETA));
    expect(JSON.parse(await ok(['--json', 'unprotect', 'data/sub/b.txt'], t.dir))).toEqual({
      copied: ['data/sub/b.txt'],
      writable: [],
      skipped: [],
    });
    const b = lstatSync(join(t.dir, 'data/sub/b.txt'));
    expect(b.isFile()).toBe(true);
    expect(b.mode & 0o777).toBe(FILE_MODE);
    writeFileSync(join(t.dir, 'data/sub/b.txt'), 'changed\n');
    expect(md5Of(object(t, BETA))).toBe(BETA);
    expect(lstatSync(join(t.dir, 'data/a.txt')).isSymbolicLink()).toBe(true);

    // The file is a copy now: a second unprotect only sets its mode.
    expect(JSON.parse(await ok(['--json', 'unprotect', 'data/sub'], t.dir))).toEqual({ copied: [], writable: ['data/sub/b.txt'], skipped: [] });
  });

  it('refuses a path that does not exist or lies outside the workspace', async () => {
    const t = await repoWithLinks('hardlink');
    const missing = await runCli(['unprotect', 'nothing'], { cwd: t.dir });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('[E_NOT_FOUND]');
    const outside = await runCli(['unprotect', '../elsewhere'], { cwd: t.dir });
    expect(outside.stderr).toContain('[E_OUTSIDE_REPO]');
    expect(statSync(join(t.dir, 'data/a.txt')).ino).toBe(statSync(object(t, ALPHA)).ino);
  });
});
