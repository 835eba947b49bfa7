import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { add } from '../../../src/core/repo/add.js';
import { initRepo } from '../../../src/core/repo/init.js';
import { openRepo } from '../../../src/core/repo/open.js';
import { addRemote } from '../../../src/remote/config.js';
import { cloudStatus, pushToRemote } from '../../../src/remote/sync.js';
import { tempDir } from '../../helpers/tree.js';

const INPUT = new URL('../../fixtures/dvc/push-local-remote/input/', import.meta.url);

/** The golden push-local-remote project (data/train.csv and model/ added) with a folder remote. */
async function project(): Promise<string> {
  const dir = join(tempDir('mlpipe-sync-'), 'project');
  mkdirSync(dir);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  cpSync(INPUT, dir, { recursive: true });
  initRepo({ cwd: dir });
  const repo = openRepo(dir);
  await add(repo, { targets: ['data/train.csv', 'model'] });
  repo.close();
  addRemote({ cwd: dir, name: 'storage', url: '../remote', default: true });
  return dir;
}

describe('push targets and status -c', () => {
  it('reports what is only local, then nothing once pushed, then what is only on the remote', async () => {
    const dir = await project();
    expect(await cloudStatus({ cwd: dir })).toEqual({
      remote: 'storage',
      url: '../../remote',
      inSync: false,
      entries: [
        { path: 'data/train.csv', oid: 'e5ebd4c02cefbe7955977c67ada242b7', status: 'new' },
        { path: 'model', oid: 'b30e97115ef7b25a2dc8b58b55c7652c.dir', status: 'new' },
        { path: 'model/meta.json', oid: 'fe999c04c29b51909b8ec56ecfbabcb8', status: 'new' },
        { path: 'model/w.txt', oid: 'fad624b28208abf62b4d0db65c04757b', status: 'new' },
      ],
    });
    // A target limits the push to that output (here: from a sub-folder, as a user would type it).
    const one = await pushToRemote({ cwd: join(dir, 'data'), targets: ['train.csv'] });
    expect(one).toMatchObject({ transferred: 1, skipped: 0, failed: [], missing: [] });
    expect(await pushToRemote({ cwd: dir })).toMatchObject({ transferred: 3, skipped: 1 });
    expect(await cloudStatus({ cwd: dir })).toEqual({ remote: 'storage', url: '../../remote', inSync: true, entries: [] });
    rmSync(join(dir, '.dvc', 'cache', 'files', 'md5', 'fa'), { recursive: true, force: true });
    expect((await cloudStatus({ cwd: dir })).entries).toEqual([
      { path: 'model/w.txt', oid: 'fad624b28208abf62b4d0db65c04757b', status: 'deleted' },
    ]);
  });
});
