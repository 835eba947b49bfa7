import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalOdb } from '../../../src/core/odb/local.js';
import { add } from '../../../src/core/repo/add.js';
import { checkoutOutput } from '../../../src/core/repo/checkout-output.js';
import { loadDvcFile } from '../../../src/core/repo/dvcfiles.js';
import { hashPath } from '../../../src/core/repo/hash-path.js';
import { RepoLock } from '../../../src/core/repo/lock.js';
import { type Repo, openRepo } from '../../../src/core/repo/open.js';
import { collectUsedObjects } from '../../../src/core/repo/used-objects.js';
import { dataDiff } from '../../../src/core/repo/diff.js';
import { openedTempRepo } from '../../helpers/repo.js';
import { type TempRepo, tempDir, writeTree } from '../../helpers/tree.js';
import { GOLDEN, UNUSUAL_MANIFEST, UNUSUAL_OID, UNUSUAL_TREE, golden, goldenListing } from './golden.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A git repo with `mlpipe init` done and the given golden input copied in. */
function setup(input?: string, into = ''): { t: TempRepo; repo: Repo } {
  const { t, repo, cleanup } = openedTempRepo((t) => {
    if (!input) return;
    cpSync(join(GOLDEN, input), join(t.dir, into), { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', t.dir]);
  });
  cleanups.push(cleanup);
  return { t, repo };
}

function cacheListing(repo: Repo): { mode: string; size: number; path: string }[] {
  const root = repo.cache.root;
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return files
    .map((e) => {
      const abs = join(e.parentPath, e.name);
      const st = statSync(abs);
      return { mode: (st.mode & 0o777).toString(8), size: st.size, path: `.dvc/cache/${relative(root, abs)}` };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

describe('init', () => {
  it('writes .dvc/config, .dvc/.gitignore and .dvcignore exactly as DVC', () => {
    const { t } = setup();
    for (const f of ['.dvc/config', '.dvc/.gitignore', '.dvcignore']) expect(readFileSync(join(t.dir, f), 'utf8')).toBe(golden(`add-file/expected/${f}`));
    expect(t.git('diff', '--cached', '--name-only').split('\n').filter(Boolean).sort()).toEqual(['.dvc/.gitignore', '.dvc/config', '.dvcignore']);
  });
});

describe('add (golden cases)', () => {
  it('add-file: .dvc, .gitignore and cache object as DVC 3.64', async () => {
    const { t, repo } = setup('add-file/input');
    const [out] = await add(repo, { targets: ['data/raw.csv'] });
    expect(out).toMatchObject({ path: 'data/raw.csv', dvcFile: 'data/raw.csv.dvc', md5: '744aed5b8ac10ddb74afd9e80484c512', size: 67, gitignore: 'data/.gitignore' });
    expect(readFileSync(join(t.dir, 'data/raw.csv.dvc'), 'utf8')).toBe(golden('add-file/expected/data/raw.csv.dvc'));
    expect(readFileSync(join(t.dir, 'data/.gitignore'), 'utf8')).toBe(golden('add-file/expected/data/.gitignore'));
    expect(cacheListing(repo)).toEqual(goldenListing('add-file/cache-listing.txt').map((l) => ({ ...l, mode: l.mode })));
  });

  it('add-dir: nested dir with an empty file and an empty folder', async () => {
    const { t, repo } = setup('add-dir/input', 'images');
    mkdirSync(join(t.dir, 'images/empty-folder'));
    await add(repo, { targets: ['images'] });
    expect(readFileSync(join(t.dir, 'images.dvc'), 'utf8')).toBe(golden('add-dir/expected/images.dvc'));
    expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe(golden('add-dir/expected/.gitignore'));
    expect(cacheListing(repo)).toEqual(goldenListing('add-dir/cache-listing.txt'));
    expect(readFileSync(repo.cache.path('0b86fbf9048a49d04a5a1d09b105b0c0.dir'), 'utf8')).toBe(golden('add-dir/dir-objects/0b86fbf9048a49d04a5a1d09b105b0c0.dir'));
  });

  it('push-local-remote: a file and a directory in one add', async () => {
    const { t, repo } = setup('push-local-remote/input');
    await add(repo, { targets: ['data/train.csv', 'model'] });
    expect(readFileSync(join(t.dir, 'model.dvc'), 'utf8')).toBe(golden('push-local-remote/expected/model.dvc'));
    expect(readFileSync(join(t.dir, 'data/train.csv.dvc'), 'utf8')).toBe(golden('push-local-remote/expected/data/train.csv.dvc'));
    expect(cacheListing(repo)).toEqual(goldenListing('push-local-remote/cache-listing.txt'));
  });

  it('unusual names, empty files, empty folders and deep nesting', async () => {
    const { t, repo } = setup();
    writeTree(join(t.dir, 'odd'), UNUSUAL_TREE);
    const [out] = await add(repo, { targets: ['odd'] });
    expect(out).toMatchObject({ md5: UNUSUAL_OID, size: 37, nfiles: 10 });
    expect(readFileSync(repo.cache.path(UNUSUAL_OID), 'utf8')).toBe(UNUSUAL_MANIFEST);
    writeTree(t.dir, { 'we!rd #[1].csv': 'x' });
    await add(repo, { targets: ['we!rd #[1].csv'] });
    expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe('/odd\n/we\\!rd \\#\\[1\\].csv\n');
    expect(readFileSync(join(t.dir, 'we!rd #[1].csv.dvc'), 'utf8')).toBe(
      "outs:\n- md5: 9dd4e461268c8034f5c8564e155c67a6\n  size: 1\n  hash: md5\n  path: 'we!rd #[1].csv'\n",
    );
  });

  it('a file over 1 MiB', async () => {
    const { t, repo } = setup();
    const big = Buffer.alloc(3 * (1 << 19));
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
    writeFileSync(join(t.dir, 'big.bin'), big);
    const [out] = await add(repo, { targets: ['big.bin'] });
    expect(out).toMatchObject({ md5: '1ed638c296872d677aa30258baeda5a0', size: 1572864 });
    expect(statSync(repo.cache.path('1ed638c296872d677aa30258baeda5a0')).mode & 0o777).toBe(0o444);
  });

  it('refuses paths outside the repo and changes nothing', async () => {
    const { t, repo } = setup();
    await expect(add(repo, { targets: ['../../etc/passwd'] })).rejects.toMatchObject({ code: 'E_OUTSIDE_REPO' });
    await expect(add(repo, { targets: ['/etc/passwd'] })).rejects.toMatchObject({ code: 'E_OUTSIDE_REPO' });
    await expect(add(repo, { targets: ['.dvc/config'] })).rejects.toMatchObject({ code: 'E_OUTSIDE_REPO' });
    expect(existsSync(repo.cache.root)).toBe(false);
    expect(readdirSync(t.dir).sort()).toEqual(['.dvc', '.dvcignore', '.git']);
  });
});

describe('hashPath and the state cache', () => {
  it('does not re-read a file whose inode, mtime and size are unchanged', async () => {
    const { t, repo } = setup();
    writeTree(t.dir, { d: { foo: 'foo', bar: 'bar' } });
    const a = join(t.dir, 'd/foo');
    utimesSync(a, 1_700_000_000, 1_700_000_000);
    expect((await hashPath(repo, join(t.dir, 'd')))?.md5).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
    // Same size, same inode, mtime put back: only a content read could notice the change.
    writeFileSync(a, 'xyz');
    utimesSync(a, 1_700_000_000, 1_700_000_000);
    expect((await hashPath(repo, join(t.dir, 'd')))?.md5).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
    utimesSync(a, 1_700_000_005, 1_700_000_005);
    expect((await hashPath(repo, join(t.dir, 'd')))?.md5).not.toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
    expect(await hashPath(repo, join(t.dir, 'missing'))).toBeUndefined();
  });
});

describe('LocalOdb', () => {
  it('stores a stream only when its md5 matches, read-only, and leaves no temp file otherwise', async () => {
    const odb = new LocalOdb(tempDir());
    await odb.addStream(Readable.from([Buffer.from('fo'), Buffer.from('o')]), 'acbd18db4cc2f85cedef654fccc4a4d8');
    expect(readFileSync(odb.path('acbd18db4cc2f85cedef654fccc4a4d8'), 'utf8')).toBe('foo');
    expect(statSync(odb.path('acbd18db4cc2f85cedef654fccc4a4d8')).mode & 0o777).toBe(0o444);
    await expect(odb.addStream(Readable.from([Buffer.from('bar!')]), '37b51d194a7513e45b56f6524f2d51f2')).rejects.toMatchObject({ code: 'E_CORRUPT' });
    expect(odb.has('37b51d194a7513e45b56f6524f2d51f2')).toBe(false);
    expect(odb.listTmp()).toEqual([]);
    expect(odb.list()).toEqual([{ oid: 'acbd18db4cc2f85cedef654fccc4a4d8', legacy: false }]);
  });

  it('verifies objects and reads manifests', async () => {
    const odb = new LocalOdb(tempDir());
    odb.addBytes('[]', 'd751713988987e9331980363e24189ce.dir');
    expect(odb.readManifest('d751713988987e9331980363e24189ce.dir')).toEqual([]);
    odb.addFile(join(GOLDEN, 'add-file/input/data/raw.csv'));
    expect(await odb.verify('744aed5b8ac10ddb74afd9e80484c512')).toBe(true);
    const p = odb.path('744aed5b8ac10ddb74afd9e80484c512');
    chmodSync(p, 0o644);
    writeFileSync(p, 'tampered');
    expect(await odb.verify('744aed5b8ac10ddb74afd9e80484c512')).toBe(false);
    await expect(odb.verify('acbd18db4cc2f85cedef654fccc4a4d8')).rejects.toMatchObject({ code: 'E_MISSING_CACHE' });
  });
});

describe('repo lock', () => {
  it('lets one writer in and refuses a second with E_LOCKED; the file stays', () => {
    const dir = tempDir();
    const one = new RepoLock(join(dir, 'tmp/lock'));
    const two = new RepoLock(join(dir, 'tmp/lock'));
    one.acquire();
    expect(() => two.acquire()).toThrow(expect.objectContaining({ code: 'E_LOCKED' }));
    one.release();
    two.acquire();
    two.release();
    expect(readFileSync(join(dir, 'tmp/lock'), 'utf8')).toBe(` ${process.pid}\n`);
  });
});

describe('checkoutOutput', () => {
  it('restores, refuses to drop unsaved changes, and never uses a corrupt object', async () => {
    const { t, repo } = setup('push-local-remote/input');
    await add(repo, { targets: ['model'] });
    const target = { abs: join(t.dir, 'model'), md5: 'b30e97115ef7b25a2dc8b58b55c7652c.dir', legacy: false };
    rmSync(join(t.dir, 'model/w.txt'));
    writeFileSync(join(t.dir, 'model/extra'), 'saved?');
    await expect(checkoutOutput(repo, target)).rejects.toMatchObject({ code: 'E_CONFLICT' });
    expect(readFileSync(join(t.dir, 'model/extra'), 'utf8')).toBe('saved?');
    expect(await checkoutOutput(repo, target, { force: true })).toEqual({ path: 'model', added: 1, modified: 0, deleted: 1 });
    expect(readdirSync(join(t.dir, 'model')).sort()).toEqual(['meta.json', 'w.txt']);

    const obj = repo.cache.path('fad624b28208abf62b4d0db65c04757b');
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'evil!!!!');
    rmSync(join(t.dir, 'model/w.txt'));
    await expect(checkoutOutput(repo, target)).rejects.toMatchObject({ code: 'E_CORRUPT' });
    expect(existsSync(join(t.dir, 'model/w.txt'))).toBe(false);
    expect(readdirSync(join(t.dir, 'model'))).toEqual(['meta.json']);
  });

  it('reports a missing object before changing anything', async () => {
    const { t, repo } = setup('add-file/input');
    await add(repo, { targets: ['data/raw.csv'] });
    rmSync(repo.cache.path('744aed5b8ac10ddb74afd9e80484c512'), { force: true });
    writeFileSync(join(t.dir, 'data/raw.csv'), 'changed');
    await expect(
      checkoutOutput(repo, { abs: join(t.dir, 'data/raw.csv'), md5: '744aed5b8ac10ddb74afd9e80484c512', legacy: false }, { force: true }),
    ).rejects.toMatchObject({ code: 'E_MISSING_CACHE' });
    expect(readFileSync(join(t.dir, 'data/raw.csv'), 'utf8')).toBe('changed');
  });
});

describe('tracking files with malicious paths', () => {
  it('rejects an output path that escapes the repo', () => {
    const { t, repo } = setup();
    writeFileSync(join(t.dir, 'evil.dvc'), 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: md5\n  path: ../../etc/passwd\n');
    expect(() => loadDvcFile(repo, join(t.dir, 'evil.dvc'))).toThrow(expect.objectContaining({ code: 'E_OUTSIDE_REPO' }));
  });
});

describe('collectUsedObjects', () => {
  it('collects workspace and revision objects with .dir members, legacy marked', async () => {
    const { t, repo } = setup('push-local-remote/input');
    await add(repo, { targets: ['data/train.csv', 'model'] });
    t.commit('v1');
    writeFileSync(join(t.dir, 'data/train.csv'), 'v2 data\n');
    await add(repo, { targets: ['data/train.csv'] });
    writeFileSync(join(t.dir, 'old.dvc'), 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  path: old\n');
    const ws = await collectUsedObjects(repo);
    expect([...ws.objects.keys()].sort()).toEqual([
      '155eafe4e471414a5b740ca522f6da80',
      'b30e97115ef7b25a2dc8b58b55c7652c.dir',
      'fad624b28208abf62b4d0db65c04757b',
      'fe999c04c29b51909b8ec56ecfbabcb8',
      'legacy:acbd18db4cc2f85cedef654fccc4a4d8',
    ]);
    expect(ws.objects.get('fe999c04c29b51909b8ec56ecfbabcb8')).toMatchObject({ path: 'model/meta.json', dir: 'b30e97115ef7b25a2dc8b58b55c7652c.dir', legacy: false });
    const head = await collectUsedObjects(repo, { revs: ['HEAD'] });
    expect([...head.objects.keys()].sort()).toEqual([
      'b30e97115ef7b25a2dc8b58b55c7652c.dir',
      'e5ebd4c02cefbe7955977c67ada242b7',
      'fad624b28208abf62b4d0db65c04757b',
      'fe999c04c29b51909b8ec56ecfbabcb8',
    ]);
    const both = await collectUsedObjects(repo, { allCommits: true, workspace: true, targets: ['data'] });
    expect([...both.objects.keys()].sort()).toEqual(['155eafe4e471414a5b740ca522f6da80', 'e5ebd4c02cefbe7955977c67ada242b7']);
  });
});

describe('LocalOdb.missing', () => {
  it('gives the same answer by probing and by listing prefix folders', () => {
    const odb = new LocalOdb(tempDir());
    odb.addBytes('foo', 'acbd18db4cc2f85cedef654fccc4a4d8');
    const absent = Array.from({ length: 1100 }, (_, i) => i.toString(16).padStart(32, '0'));
    expect(odb.missing(['acbd18db4cc2f85cedef654fccc4a4d8', absent[5]!])).toEqual([absent[5]]);
    expect(odb.missing(['acbd18db4cc2f85cedef654fccc4a4d8', ...absent])).toEqual(absent);
  });
});

describe('.dvcignore and cache.type', () => {
  it('leaves ignored files out of a directory hash, and refuses a .dvcignore inside the directory', async () => {
    const { t, repo } = setup();
    writeTree(t.dir, { d: { foo: 'foo', bar: 'bar', 'x.tmp': 'scratch', logs: { 'a.log': 'log' } } });
    writeFileSync(join(t.dir, '.dvcignore'), '*.tmp\nd/logs/\n');
    const fresh = openRepo(t.dir);
    cleanups.push(() => fresh.close());
    expect((await hashPath(fresh, join(t.dir, 'd')))?.md5).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
    writeFileSync(join(t.dir, 'd/.dvcignore'), '');
    await expect(hashPath(repo, join(t.dir, 'd'))).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });

  it('links the workspace from the cache with hardlink or symlink', async () => {
    for (const type of ['hardlink', 'symlink']) {
      const { t } = setup();
      writeFileSync(join(t.dir, '.dvc/config'), `[cache]\n    type = ${type}\n`);
      writeTree(t.dir, { d: { foo: 'foo', empty: '' } });
      const repo = openRepo(t.dir);
      cleanups.push(() => repo.close());
      await add(repo, { targets: ['d'] });
      const obj = repo.cache.path('acbd18db4cc2f85cedef654fccc4a4d8');
      if (type === 'hardlink') expect(statSync(join(t.dir, 'd/foo')).ino).toBe(statSync(obj).ino);
      else expect(readlinkSync(join(t.dir, 'd/foo'))).toBe(obj);
      expect(readFileSync(join(t.dir, 'd/foo'), 'utf8')).toBe('foo');
      expect(statSync(join(t.dir, 'd/empty')).size).toBe(0);
    }
  });
});

describe('add with overlapping outputs', () => {
  it('refuses a path inside or around a tracked output, and allows re-adding the same output', async () => {
    const { t, repo } = setup('push-local-remote/input');
    await add(repo, { targets: ['model'] });
    await expect(add(repo, { targets: ['model/w.txt'] })).rejects.toMatchObject({ code: 'E_CONFLICT' });
    await expect(add(repo, { targets: ['.'] })).rejects.toMatchObject({ code: 'E_OUTSIDE_REPO' });
    expect(existsSync(join(t.dir, 'model/w.txt.dvc'))).toBe(false);
    writeFileSync(join(t.dir, 'model/w.txt'), 'changed');
    const [again] = await add(repo, { targets: ['model'] });
    expect(again!.dvcFile).toBe('model.dvc');
    expect(readFileSync(join(t.dir, 'model.dvc'), 'utf8')).toBe(
      'outs:\n- md5: 20513f8656530dfbfef9e7fd351ed96a.dir\n  size: 12\n  nfiles: 2\n  hash: md5\n  path: model\n',
    );
  });
});

describe('dataDiff', () => {
  it('compares HEAD with the workspace, for the whole repo or a target', async () => {
    const { t, repo } = setup('add-file/input');
    await add(repo, { targets: ['data/raw.csv'] });
    t.commit('v1');
    writeFileSync(join(t.dir, 'data/raw.csv'), 'changed');
    const expected = {
      added: [],
      deleted: [],
      modified: [{ path: 'data/raw.csv', hash: { old: '744aed5b8ac10ddb74afd9e80484c512', new: '8977dfac2f8e04cb96e66882235f5aba' } }],
    };
    expect(await dataDiff(repo, { targets: ['.'], cwd: t.dir })).toEqual(expected);
    expect(await dataDiff(repo, { targets: ['raw.csv'], cwd: join(t.dir, 'data') })).toEqual(expected);
    expect(await dataDiff(repo, { targets: ['elsewhere'], cwd: t.dir })).toEqual({ added: [], deleted: [], modified: [] });
  });
});
