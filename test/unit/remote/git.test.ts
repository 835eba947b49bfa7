import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitStore } from '../../../src/remote/stores/git/store.js';
import { pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { conformance } from './conformance.js';
import { BAR, BIG, DIR, FOO, dirCache, writeCache } from './fixtures.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
  });

/** A bare repository standing in for GitHub, and one private work repository per "clone". */
function bareRemote() {
  const root = tempDir('mlpipe-git-');
  const bare = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', bare);
  let clones = 0;
  return {
    root,
    bare,
    store: (options: { maxObjectBytes?: number } = {}) =>
      new GitStore({ url: bare, workDir: join(root, `work-${clones++}`), ...options }),
  };
}

/** Commits `bytes` under the object's path on the storage branch, as a careless or hostile pusher could. */
function corruptOnBranch(root: string, bare: string, oid: string, bytes: Buffer): void {
  const work = join(root, `corrupt-${Date.now()}`);
  git(root, 'clone', '-q', '-b', 'mlpipe-storage', bare, work);
  const path = `files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`;
  execFileSync('sh', ['-c', `chmod u+w "${path}" 2>/dev/null; cat > "${path}"`], { cwd: work, input: bytes });
  git(work, 'commit', '-q', '-am', 'corrupt');
  git(work, 'push', '-q', 'origin', 'mlpipe-storage');
}

describe('git remote (local bare repository)', () => {
  conformance(async () => {
    const r = bareRemote();
    return {
      open: async () => r.store(),
      corrupt: async (oid, bytes) => corruptOnBranch(r.root, r.bare, oid, bytes),
      cleanup: async () => rmSync(r.root, { recursive: true, force: true }),
    };
  });

  it('stores objects as files/md5/XX/... on the mlpipe-storage branch', async () => {
    const r = bareRemote();
    const cacheDir = join(r.root, 'cache');
    writeCache(cacheDir, [FOO, BAR, DIR]);
    const store = r.store();
    await pushObjects({ files: [], dirs: [{ oid: DIR, members: [FOO, BAR] }] }, { cache: dirCache(cacheDir), store });
    await store.close();
    expect(git(r.bare, 'ls-tree', '-r', '--name-only', 'mlpipe-storage').trim().split('\n')).toEqual([
      'files/md5/37/b51d194a7513e45b56f6524f2d51f2',
      'files/md5/5e/a40360f5b4ec688df672a4db9c17d1.dir',
      'files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8',
    ]);
    expect(git(r.bare, 'show', 'mlpipe-storage:files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8')).toBe('foo');
    expect(git(r.bare, 'log', '--format=%s', 'mlpipe-storage').trim()).toBe('mlpipe: add 3 objects');
  });

  it('refuses objects above the size limit and names S3 as the way out', async () => {
    const r = bareRemote();
    const cacheDir = join(r.root, 'cache');
    writeCache(cacheDir, [FOO, BIG]);
    const store = r.store({ maxObjectBytes: 2 ** 20 });
    const summary = await pushObjects({ files: [FOO, BIG], dirs: [] }, { cache: dirCache(cacheDir), store });
    await store.close();
    expect(summary.transferred).toBe(1);
    expect(summary.failed).toEqual([
      {
        oid: BIG,
        code: 'E_REMOTE_TOO_LARGE',
        message: `remote ${r.bare}#mlpipe-storage: object ${BIG} is 3145728 bytes, above the git remote limit of 1048576 bytes`,
      },
    ]);
    await expect(r.store({ maxObjectBytes: 2 ** 20 }).upload(BIG, '/dev/null', 3 * 2 ** 20)).rejects.toMatchObject({
      code: 'E_REMOTE_TOO_LARGE',
      hint: expect.stringContaining('S3 remote'),
    });
  });

  it('lets two clones push to the same branch at once without losing objects', async () => {
    const r = bareRemote();
    const cacheA = join(r.root, 'cache-a');
    const cacheB = join(r.root, 'cache-b');
    writeCache(cacheA, [FOO, DIR, BAR]);
    writeCache(cacheB, [BIG, FOO]);
    const a = r.store();
    const b = r.store();
    // Both sessions read the (empty) tip before either pushes, so one push must be rejected and retried.
    await a.exists([FOO]);
    await b.exists([FOO]);
    const [sa, sb] = await Promise.all([
      pushObjects({ files: [], dirs: [{ oid: DIR, members: [FOO, BAR] }] }, { cache: dirCache(cacheA), store: a }),
      pushObjects({ files: [BIG, FOO], dirs: [] }, { cache: dirCache(cacheB), store: b }),
    ]);
    await a.close();
    await b.close();
    expect(sa.failed).toEqual([]);
    expect(sb.failed).toEqual([]);
    const fresh = r.store();
    expect([...(await fresh.list())].sort()).toEqual([BAR, BIG, DIR, FOO].sort());
    await fresh.close();
    expect(git(r.bare, 'rev-list', '--count', 'mlpipe-storage').trim()).toBe('2');
  });

  it('says the repository cannot be reached when the URL is wrong', async () => {
    const root = tempDir('mlpipe-git-');
    const store = new GitStore({ url: join(root, 'nope.git'), workDir: join(root, 'work') });
    await expect(store.exists([FOO])).rejects.toMatchObject({ code: 'E_REMOTE_NOT_FOUND' });
    await store.close();
  });
});
