import { type ChildProcess, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { add } from '../../src/core/repo/add.js';
import { initRepo } from '../../src/core/repo/init.js';
import { openRepo } from '../../src/core/repo/open.js';
import { runCli } from '../helpers/cli.js';
import { startServe } from '../helpers/serve.js';
import { tempDir } from '../helpers/tree.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

const FIXTURE = new URL('../fixtures/dvc/push-local-remote/', import.meta.url);

/** `mode size ./path` of every file under `dir`, sorted, as in the golden remote-listing.txt. */
function listing(dir: string, prefix = '.'): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) out.push(...listing(abs, `${prefix}/${e.name}`));
    else out.push(`${(statSync(abs).mode & 0o777).toString(8)} ${statSync(abs).size} ${prefix}/${e.name}`);
  }
  return out.sort((a, b) => (a.split(' ')[2] as string).localeCompare(b.split(' ')[2] as string));
}

/** A git + DVC project with the golden case's inputs added (by the library: `add` is not this issue's). */
async function goldenProject() {
  // The golden remote is `../remote`: each project gets a parent folder of its own.
  const dir = join(tempDir('mlpipe-e2e-'), 'project');
  mkdirSync(dir);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
  };
  const project = { dir, git, commit };
  cpSync(new URL('input/', FIXTURE), project.dir, { recursive: true });
  initRepo({ cwd: project.dir });
  const repo = openRepo(project.dir);
  await add(repo, { targets: ['data/train.csv', 'model'] });
  repo.close();
  return project;
}

function wipeCacheAndData(dir: string): void {
  for (const p of ['.dvc/cache', 'data/train.csv', 'model']) {
    try {
      execFileSync('chmod', ['-R', 'u+w', join(dir, p)]);
    } catch {
      // already gone
    }
    rmSync(join(dir, p), { recursive: true, force: true });
  }
}

const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGTERM');
});

/** Starts `mlpipe remote serve` and returns its URL (read from its --json line). */
function serve(dir: string, token: string): Promise<string> {
  return startServe(['--dir', dir, '--port', '0', '--token', token], servers);
}

describe('mlpipe remote / push / pull (built CLI)', () => {
  it('reproduces the golden push-local-remote case: config, summary and remote layout', async () => {
    const project = await goldenProject();
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir });
    expect((await cli('remote', 'add', '-d', 'storage', '../remote')).stdout).toBe(
      "added local remote 'storage' (../../remote) to .dvc/config\nSetting 'storage' as a default remote.\n",
    );
    expect((await cli('remote', 'modify', 'storage', 'verify', 'true')).code).toBe(0);
    expect(readFileSync(join(project.dir, '.dvc', 'config'), 'utf8')).toBe(readFileSync(new URL('expected/.dvc/config', FIXTURE), 'utf8'));
    const pushed = await cli('push');
    expect(pushed).toMatchObject({ code: 0, stdout: '4 files pushed\n' });
    const remote = join(project.dir, '..', 'remote');
    expect(listing(remote)).toEqual(readFileSync(new URL('remote-listing.txt', FIXTURE), 'utf8').trim().split('\n'));
    expect((await cli('push')).stdout).toBe('Everything is up to date.\n');

    wipeCacheAndData(project.dir);
    const pulled = await cli('--json', 'pull');
    expect(pulled.code).toBe(0);
    const result = JSON.parse(pulled.stdout);
    expect(result).toMatchObject({ remote: 'storage', transferred: 4, skipped: 0, failed: [], missing: [] });
    expect(result.checkout.map((c: { path: string }) => c.path).sort()).toEqual(['data/train.csv', 'model']);
    for (const f of ['data/train.csv', 'model/meta.json', 'model/w.txt']) {
      expect(readFileSync(join(project.dir, f)).equals(readFileSync(new URL(`input/${f}`, FIXTURE)))).toBe(true);
    }
  }, 180_000);

  it('pushes to and pulls from `mlpipe remote serve` with a token, and refuses a wrong one', async () => {
    const project = await goldenProject();
    const token = 'e2e-token-1234';
    const url = await serve(tempDir('mlpipe-served-'), token);
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir });
    await cli('remote', 'add', '-d', 'web', url);
    await cli('remote', 'modify', 'web', 'auth', 'custom');
    await cli('remote', 'modify', 'web', 'custom_auth_header', 'Authorization');
    await cli('remote', 'modify', '--local', 'web', 'password', 'Bearer wrong');
    const refused = await cli('--json', 'push');
    expect(refused.code).toBe(9);
    expect(JSON.parse(refused.stdout).error).toMatchObject({
      code: 'E_REMOTE_AUTH',
      message: "4 files failed to be pushed (remote 'web'), 0 pushed",
    });
    await cli('remote', 'modify', '--local', 'web', 'password', `Bearer ${token}`);
    expect((await cli('push', '-j', '2')).stdout).toBe('4 files pushed\n');
    wipeCacheAndData(project.dir);
    expect((await cli('pull')).stdout).toBe('4 files fetched\n3 files added\n');
    expect(readFileSync(join(project.dir, 'model', 'w.txt'), 'utf8')).toBe(readFileSync(new URL('input/model/w.txt', FIXTURE), 'utf8'));
  }, 180_000);

  it("stores data on the origin's mlpipe-storage branch and keeps .dvc/config DVC-safe", async () => {
    const project = await goldenProject();
    const bare = join(tempDir('mlpipe-origin-'), 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    project.git('remote', 'add', 'origin', bare);
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir });
    expect((await cli('remote', 'add', '-d', 'storage', 'git')).code).toBe(0);
    expect(readFileSync(join(project.dir, '.dvc', 'config'), 'utf8')).toBe('');
    expect((await cli('push')).stdout).toBe('4 files pushed\n');
    expect(execFileSync('git', ['--git-dir', bare, 'ls-tree', '-r', '--name-only', 'mlpipe-storage'], { encoding: 'utf8' })).toBe(
      [
        'files/md5/b3/0e97115ef7b25a2dc8b58b55c7652c.dir',
        'files/md5/e5/ebd4c02cefbe7955977c67ada242b7',
        'files/md5/fa/d624b28208abf62b4d0db65c04757b',
        'files/md5/fe/999c04c29b51909b8ec56ecfbabcb8',
        '',
      ].join('\n'),
    );
    // A second clone of the project (its own git work repository under .dvc/tmp) pulls it back.
    project.commit('track data');
    project.git('push', '-q', 'origin', 'HEAD:main');
    const clone = tempDir('mlpipe-clone-');
    execFileSync('git', ['clone', '-q', '-b', 'main', bare, clone]);
    const pulled = await runCli(['pull'], { cwd: clone });
    expect(pulled).toMatchObject({ code: 0, stdout: '4 files fetched\n3 files added\n' });
    expect(readFileSync(join(clone, 'data', 'train.csv')).equals(readFileSync(new URL('input/data/train.csv', FIXTURE)))).toBe(true);
  }, 180_000);

  it('names the problem when no remote is configured', async () => {
    const project = await goldenProject();
    const res = await runCli(['push'], { cwd: project.dir });
    expect(res.code).toBe(9);
    expect(res.stderr).toContain('error [E_REMOTE_NOT_FOUND]: no remote given and no default remote is set');
    expect(res.stderr).toContain('mlpipe remote add -d NAME URL');
  });
});
