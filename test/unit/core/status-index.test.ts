import { chmodSync, cpSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { add } from '../../../src/core/repo/add.js';
import { hashPath } from '../../../src/core/repo/hash-path.js';
import type { Repo } from '../../../src/core/repo/open.js';
import { membersInCache } from '../../../src/core/repo/presence.js';
import { scanPath } from '../../../src/core/repo/scan.js';
import { dataStatus, inCache } from '../../../src/core/repo/status.js';
import { recordTreeOid, treeStamp } from '../../../src/core/repo/tree-stamp.js';
import { LocalOdb } from '../../../src/core/odb/local.js';
import { openedTempRepo } from '../../helpers/repo.js';
import { type TempRepo, tempDir, writeTree } from '../../helpers/tree.js';

// d = {foo: 'foo', bar: 'bar'}: md5('foo') = acbd18db..., md5('bar') = 37b51d19..., manifest 5ea40360....dir
const DIR_OID = '5ea40360f5b4ec688df672a4db9c17d1.dir';
const FOO = 'acbd18db4cc2f85cedef654fccc4a4d8';
const BAR = '37b51d194a7513e45b56f6524f2d51f2';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function setup(): Promise<{ t: TempRepo; repo: Repo }> {
  const { t, repo, cleanup } = openedTempRepo();
  cleanups.push(cleanup);
  writeTree(t.dir, { d: { foo: 'foo', bar: 'bar' } });
  const [out] = await add(repo, { targets: ['d'] });
  expect(out?.md5).toBe(DIR_OID);
  return { t, repo };
}

const changes = async (repo: Repo) => (await dataStatus(repo)).changed.flatMap((e) => e.changes.map((c) => `${c.path}: ${c.status}`));

describe("the state DB's tree entry (a directory's oid while its scan is unchanged)", () => {
  it('is what status uses, and only when the caller needs no manifest entries', async () => {
    const { t, repo } = await setup();
    const scan = scanPath(repo, join(t.dir, 'd'));
    if (scan.kind !== 'dir') throw new Error('not a dir');
    // A planted row for the current stamp proves where the answer comes from.
    recordTreeOid(repo.state(), 'd', treeStamp(scan.files), '0123456789abcdef0123456789abcdef.dir');
    expect(await hashPath(repo, join(t.dir, 'd'), { entries: false })).toEqual({
      md5: '0123456789abcdef0123456789abcdef.dir',
      size: 6,
      nfiles: 2,
      isdir: true,
      isexec: false,
    });
    const full = await hashPath(repo, join(t.dir, 'd'));
    expect(full?.md5).toBe(DIR_OID);
    expect(full?.entries).toEqual([
      { relpath: 'bar', md5: BAR },
      { relpath: 'foo', md5: FOO },
    ]);
    // The full hash recorded the real oid again.
    expect((await hashPath(repo, join(t.dir, 'd'), { entries: false }))?.md5).toBe(DIR_OID);
  });

  it('notices every change a user can make to the files, short of restoring inode, mtime and size', async () => {
    const { t, repo } = await setup();
    const foo = join(t.dir, 'd/foo');
    expect(await changes(repo)).toEqual([]);
    expect(await changes(repo)).toEqual([]); // now answered from the tree entry

    writeFileSync(foo, 'fooo'); // size
    expect(await changes(repo)).toEqual(['d: modified']);
    writeFileSync(foo, 'foo');
    expect(await changes(repo)).toEqual([]);

    utimesSync(foo, 1_700_000_000, 1_700_000_000);
    expect(await changes(repo)).toEqual([]); // a new mtime alone: re-hashed, same content
    writeFileSync(foo, 'xyz'); // same size, new mtime
    expect(await changes(repo)).toEqual(['d: modified']);
    // Same size and mtime put back, written as editors do (a new file renamed over): a new inode.
    writeFileSync(join(t.dir, 'tmp'), 'abc');
    utimesSync(join(t.dir, 'tmp'), statSync(foo).atime, statSync(foo).mtime);
    renameSync(join(t.dir, 'tmp'), foo);
    expect(await changes(repo)).toEqual(['d: modified']);
    writeFileSync(foo, 'foo');
    expect(await changes(repo)).toEqual([]);

    writeFileSync(join(t.dir, 'd/new'), 'new'); // a file added
    expect(await changes(repo)).toEqual(['d: modified']);
    rmSync(join(t.dir, 'd/new'));
    expect(await changes(repo)).toEqual([]);
    renameSync(foo, join(t.dir, 'd/foo2')); // same inode, mtime and size under another name
    expect(await changes(repo)).toEqual(['d: modified']);
    renameSync(join(t.dir, 'd/foo2'), foo);
    expect(await changes(repo)).toEqual([]);
    rmSync(foo);
    expect(await changes(repo)).toEqual(['d: modified']);
    rmSync(join(t.dir, 'd'), { recursive: true });
    expect(await changes(repo)).toEqual(['d: deleted']);
  });

  it('keeps the symlink rules: a link planted in a tracked folder that leads outside is E_OUTSIDE_REPO', async () => {
    const { t, repo } = await setup();
    expect(await changes(repo)).toEqual([]);
    const outside = tempDir();
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, 'secret'), 'secret');
    symlinkSync(join(outside, 'secret'), join(t.dir, 'd/lnk'));
    await expect(dataStatus(repo)).rejects.toMatchObject({ code: 'E_OUTSIDE_REPO' });
  });
});

describe('the cache presence memo', () => {
  const later = () => Date.now() + 60_000; // the prefix folders have settled (see SETTLED_MS)
  const memoOf = (repo: Repo) => {
    const row = repo.state().memo(`present\0${repo.cache.root}\0md5\0${DIR_OID}`);
    return row && (JSON.parse(row.value) as Record<string, string>);
  };
  const corruptManifest = (repo: Repo) => {
    const path = repo.cache.path(DIR_OID);
    chmodSync(path, 0o644);
    writeFileSync(path, 'not a manifest'); // in place: its folder's entries do not change
  };

  it('lists the settled prefix folders once, then trusts them until an entry changes', async () => {
    const { repo } = await setup();
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
    const memo = memoOf(repo);
    expect(Object.keys(memo ?? {}).sort()).toEqual(['files/md5/37', 'files/md5/ac']);
    const st = statSync(join(repo.cache.root, 'files/md5/ac'));
    expect(memo?.['files/md5/ac']).toBe(`${st.ino}:${st.ctimeMs}`);

    // Trusted: the manifest is not even read (a corrupt one would be E_CORRUPT).
    corruptManifest(repo);
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);

    // A member deleted: its folder changed, so it is listed again, which needs the manifest.
    rmSync(repo.cache.path(FOO));
    expect(() => membersInCache(repo, DIR_OID, false, undefined, later())).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }));
    expect(membersInCache(repo, DIR_OID, false, [{ md5: FOO }, { md5: BAR }], later())).toBe(false);
    expect(inCache(repo, DIR_OID, false)).toBe(false);
  });

  it('reports a deleted object through status, and trusts the folder again once the object is back', async () => {
    const { repo } = await setup();
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
    rmSync(repo.cache.path(BAR));
    expect(await changes(repo)).toEqual(['d: not in cache']);
    expect(await changes(repo)).toEqual(['d: not in cache']);
    repo.cache.addBytes('bar', BAR);
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
    corruptManifest(repo);
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
  });

  it('lists a prefix folder again when it was replaced by another one (new inode), however alike', async () => {
    const { repo } = await setup();
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
    const folder = join(repo.cache.root, 'files/md5/ac');
    cpSync(folder, `${folder}.new`, { recursive: true });
    chmodSync(join(`${folder}.new`, FOO.slice(2)), 0o644);
    rmSync(join(`${folder}.new`, FOO.slice(2)));
    rmSync(folder, { recursive: true });
    renameSync(`${folder}.new`, folder);
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(false);
  });

  it('does not trust folders changed within SETTLED_MS (2 s) of the check (the coarse file clock)', async () => {
    const { repo } = await setup();
    const ctime = (folder: string) => statSync(join(repo.cache.root, folder)).ctimeMs;
    const youngest = Math.max(ctime('files/md5/37'), ctime('files/md5/ac'));
    // Checked 1 s after the folders last changed: remembered as "list again".
    expect(membersInCache(repo, DIR_OID, false, undefined, youngest + 1000)).toBe(true);
    expect(memoOf(repo)).toEqual({ 'files/md5/37': '', 'files/md5/ac': '' });
    corruptManifest(repo);
    expect(() => membersInCache(repo, DIR_OID, false, undefined, youngest + 1000)).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }));
    // 2 s after: trusted from then on (the manifest is no longer read).
    expect(membersInCache(repo, DIR_OID, false, [{ md5: FOO }, { md5: BAR }], youngest + 2000)).toBe(true);
    expect(membersInCache(repo, DIR_OID, false, undefined, youngest + 2000)).toBe(true);
  });

  it('is kept per cache folder: a memo for one cache says nothing about another', async () => {
    const { t, repo } = await setup();
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
    const other = join(t.dir, 'other-cache');
    cpSync(repo.cache.root, other, { recursive: true });
    chmodSync(join(other, 'files/md5/ac', FOO.slice(2)), 0o644);
    rmSync(join(other, 'files/md5/ac', FOO.slice(2)));
    const moved: Repo = { ...repo, cache: new LocalOdb(other) };
    expect(membersInCache(moved, DIR_OID, false, undefined, later())).toBe(false);
    expect(membersInCache(repo, DIR_OID, false, undefined, later())).toBe(true);
  });
});
