import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type TempRepo, tempDir, tempRepo } from '../helpers/tree.js';

const GOLDEN = new URL('../fixtures/dvc/', import.meta.url).pathname;
const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

function repoWith(input?: string, into = ''): TempRepo {
  const t = tempRepo();
  repos.push(t);
  if (input) {
    cpSync(join(GOLDEN, input), join(t.dir, into), { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', t.dir]); // the golden files are read-only
  }
  return t;
}

async function ok(args: string[], cwd: string): Promise<string> {
  const r = await runCli(args, { cwd });
  expect(r.stderr, `mlpipe ${args.join(' ')}`).toBe('');
  expect(r.code, `mlpipe ${args.join(' ')}`).toBe(0);
  return r.stdout;
}

async function json(args: string[], cwd: string): Promise<unknown> {
  return JSON.parse(await ok(['--json', ...args], cwd));
}

describe('mlpipe init', () => {
  it('--subdir inside a git repository, and refuses a sub-folder without it', async () => {
    const t = repoWith();
    mkdirSync(join(t.dir, 'project'));
    const r = await runCli(['init'], { cwd: join(t.dir, 'project') });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('[E_NOT_A_GIT_REPO]');
    expect(r.stderr).toContain('mlpipe init --subdir');
    await ok(['init', '--subdir'], join(t.dir, 'project'));
    expect(readFileSync(join(t.dir, 'project/.dvc/.gitignore'), 'utf8')).toBe('/config.local\n/tmp\n/cache\n');
    expect(t.git('diff', '--cached', '--name-only').trim().split('\n').sort()).toEqual(['project/.dvc/.gitignore', 'project/.dvc/config', 'project/.dvcignore']);
  });

  it('--no-scm writes core.no_scm as DVC', async () => {
    const dir = tempDir();
    await ok(['init', '--no-scm'], dir);
    expect(readFileSync(join(dir, '.dvc/config'), 'utf8')).toBe('[core]\n    no_scm = True\n');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('data workflow', () => {
  it('add, status, diff, commit, checkout, ls, du, fsck, move, remove, gc', async () => {
    const t = repoWith('add-dir/input', 'images');
    await ok(['init'], t.dir);
    expect(await json(['add', 'images'], t.dir)).toEqual({
      added: [{ path: 'images', dvcFile: 'images.dvc', md5: '0b86fbf9048a49d04a5a1d09b105b0c0.dir', size: 40, nfiles: 6, gitignore: '.gitignore' }],
    });
    expect(readFileSync(join(t.dir, 'images.dvc'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'add-dir/expected/images.dvc'), 'utf8'));
    expect(await ok(['status'], t.dir)).toBe('Data and pipelines are up to date.\n');
    t.commit('track images');

    writeFileSync(join(t.dir, 'images/README'), 'changed\n');
    writeFileSync(join(t.dir, 'images/new.txt'), 'new\n');
    expect(await ok(['status'], t.dir)).toBe('images.dvc:\n\tchanged outs:\n\t\tmodified:           images\n');
    expect(await json(['diff'], t.dir)).toEqual({
      added: [{ path: 'images/new.txt', hash: '9cd599a3523898e6a12e13ec787da50a' }],
      deleted: [],
      modified: [
        { path: 'images/', hash: { old: '0b86fbf9048a49d04a5a1d09b105b0c0.dir', new: '9dd7616b5767442dcc12aecc7f0162ec.dir' } },
        { path: 'images/README', hash: { old: 'facdca2fa68795a4937fd54f654c3f9d', new: 'ec1bebaea2c042beb68f7679ddd106a4' } },
      ],
    });

    // checkout refuses to drop unsaved changes, --force restores the recorded version.
    const refused = await runCli(['checkout'], { cwd: t.dir });
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('[E_CONFLICT]');
    expect(readFileSync(join(t.dir, 'images/README'), 'utf8')).toBe('changed\n');
    await ok(['checkout', '--force'], t.dir);
    expect(readFileSync(join(t.dir, 'images/README'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'add-dir/input/README'), 'utf8'));
    expect(existsSync(join(t.dir, 'images/new.txt'))).toBe(false);

    writeFileSync(join(t.dir, 'images/README'), 'v2\n');
    expect(await json(['commit'], t.dir)).toEqual({ committed: [{ dvcFile: 'images.dvc', outputs: ['images'] }] });
    expect(await ok(['status'], t.dir)).toBe('Data and pipelines are up to date.\n');
    expect(await json(['du'], t.dir)).toMatchObject({ total: 39 });
    expect(((await json(['ls', '-R'], t.dir)) as { entries: { path: string }[] }).entries.map((e) => e.path)).toEqual([
      'images',
      'images/README',
      'images/bin.dat',
      'images/cats/1.txt',
      'images/cats/2.txt',
      'images/dogs/a.txt',
      'images/dogs/empty.bin',
    ]);
    expect(await json(['fsck'], t.dir)).toEqual({ checked: 9, corrupt: [], missing: [], repaired: false });

    // gc: a scope is required, confirmation needs a terminal or -f; HEAD keeps the v1 objects.
    expect((await runCli(['gc'], { cwd: t.dir })).code).toBe(2);
    const noConfirm = await runCli(['gc', '--workspace'], { cwd: t.dir });
    expect(noConfirm.stderr).toContain('needs confirmation');
    expect(await json(['gc', '--workspace', '--rev', 'HEAD', '-f'], t.dir)).toMatchObject({ removed: [], kept: 9 });
    const removed = (await json(['gc', '--workspace', '-f'], t.dir)) as { removed: { oid: string }[]; kept: number };
    expect(removed.removed.map((r) => r.oid).sort()).toEqual(['0b86fbf9048a49d04a5a1d09b105b0c0.dir', 'facdca2fa68795a4937fd54f654c3f9d']);
    expect(removed.kept).toBe(7);

    await ok(['move', 'images', 'pics'], t.dir);
    expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe('/pics\n');
    expect(existsSync(join(t.dir, 'images.dvc'))).toBe(false);
    expect(readFileSync(join(t.dir, 'pics.dvc'), 'utf8')).toContain('  path: pics\n');
    await ok(['remove', 'pics.dvc'], t.dir);
    expect(existsSync(join(t.dir, '.gitignore'))).toBe(false);
    expect(existsSync(join(t.dir, 'pics/README'))).toBe(true);
    expect(await ok(['status'], t.dir)).toBe('There are no data or pipelines tracked in this project yet.\n');
  });

  it('reads a legacy DVC 2.x .dvc file and its legacy cache object', async () => {
    const t = repoWith();
    await ok(['init'], t.dir);
    writeFileSync(join(t.dir, 'foo'), 'a\r\nb\r\nc');
    writeFileSync(join(t.dir, 'foo.dvc'), 'outs:\n- md5: c32b2057b9bd62caa835386346177935\n  size: 5\n  path: foo\n');
    expect(await ok(['status'], t.dir)).toBe('foo.dvc:\n\tchanged outs:\n\t\tnot in cache:       foo\n');
    mkdirSync(join(t.dir, '.dvc/cache/c3'), { recursive: true });
    writeFileSync(join(t.dir, '.dvc/cache/c3/2b2057b9bd62caa835386346177935'), 'a\nb\nc');
    expect(await ok(['status'], t.dir)).toBe('Data and pipelines are up to date.\n');
    expect(await json(['fsck'], t.dir)).toEqual({ checked: 1, corrupt: [], missing: [], repaired: false });
  });
});
