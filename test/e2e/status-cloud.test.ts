import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempRepo } from '../helpers/tree.js';

// md5("foo") (../shared/docs/dvc-format.md §1.4).
const FOO = 'acbd18db4cc2f85cedef654fccc4a4d8';

describe('mlpipe status -c', () => {
  it('names what is only in the cache (new), only on the remote (deleted), and reports sync', async () => {
    const repo = tempRepo();
    // Untracked by git, as data to be versioned is.
    writeFileSync(join(repo.dir, 'foo.txt'), 'foo');
    writeFileSync(join(repo.dir, 'bar.txt'), 'bar');
    const run = (...args: string[]) => runCli(args, { cwd: repo.dir });
    expect((await run('init')).code).toBe(0);
    expect((await run('add', 'foo.txt', 'bar.txt')).code).toBe(0);
    expect((await run('remote', 'add', '-d', 'store', `../store-${repo.dir.split('/').pop()}`)).code).toBe(0);

    const before = await run('--json', 'status', '-c');
    expect(JSON.parse(before.stdout).entries.map((e: { path: string; status: string }) => `${e.status} ${e.path}`)).toEqual([
      'new bar.txt',
      'new foo.txt',
    ]);
    expect((await run('push')).code).toBe(0);
    expect((await run('status', '-c')).stdout).toBe("Cache and remote 'store' are in sync.\n");

    // Drop foo's object from the local cache: it is now only on the remote.
    const object = join(repo.dir, '.dvc/cache/files/md5', FOO.slice(0, 2), FOO.slice(2));
    chmodSync(object, 0o644);
    rmSync(object);
    const after = await run('status', '-c');
    expect(after.code).toBe(0);
    expect(after.stdout).toBe('\tdeleted:            foo.txt\n');
    repo.cleanup();
  });
});
