import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runCli, runProcess } from '../../helpers/cli.js';
import { describeIf } from '../../helpers/require.js';
import { unprivilegedAvailable, unprivilegedCli, unprivilegedOwner } from '../../helpers/unprivileged.js';
import { type TempRepo, tempDir } from '../../helpers/tree.js';
import { errorOf, useRepos } from './repos.js';

// Issue #12 item 16 (versioning side): a read-only cache, .dvc/tmp or workspace folder is
// E_PERMISSION naming the folder relative to the repo, never E_INTERNAL, with nothing half-written.
//
// The CLI runs as a process file modes apply to (helpers/unprivileged.ts: as `nobody` when it can
// read the checkout, else as root without the capabilities that bypass file modes), so the refusals
// are the kernel's real EACCES, not an injected one.

const { initRepo } = useRepos();

/** Gives the repository to the user the CLI runs as, when that is not its owner (`nobody`). */
function handOver(t: TempRepo): void {
  if (unprivilegedOwner !== undefined) execFileSync('chown', ['-R', `${unprivilegedOwner}:${unprivilegedOwner}`, t.dir]);
}

/** Runs the CLI in the repository as that user. */
function runUnprivileged(t: TempRepo, args: string[]): Promise<CliResult> {
  handOver(t);
  const [cmd, ...rest] = unprivilegedCli(args);
  return runProcess(cmd!, rest, { cwd: t.dir, env: { ...process.env, HOME: t.dir, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' } });
}

/** Makes a folder read-only for the user the CLI runs as. */
function readOnly(path: string): void {
  if (unprivilegedOwner !== undefined) chownSync(path, unprivilegedOwner, unprivilegedOwner);
  chmodSync(path, 0o555);
}

const temps = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((p) => p.endsWith('.tmp') && !p.startsWith('.git/'));
const dvcFiles = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((p) => p.endsWith('.dvc') && p !== '.dvc');

async function expectDenied(t: TempRepo, args: string[], folder: string): Promise<void> {
  const r = await runUnprivileged(t, ['--json', ...args]);
  expect(r.code).toBe(15);
  const err = errorOf(r);
  expect(err).toMatchObject({ code: 'E_PERMISSION', message: `permission denied in ${folder}: this user cannot write there` });
  expect(err.hint).toContain(`chmod -R u+w ${folder}`);
  expect(r.stdout).not.toContain(t.dir);
}

describeIf(unprivilegedAvailable, 'a process that file permissions apply to (not root, or setpriv from util-linux)', 'permission problems are E_PERMISSION (issue #12 item 16)', () => {
  it('add with a read-only cache: nothing written, no temp files', async () => {
    const t = await initRepo({ 'a.txt': 'a\n' });
    mkdirSync(join(t.dir, '.dvc/cache'), { recursive: true });
    handOver(t);
    readOnly(join(t.dir, '.dvc/cache'));
    await expectDenied(t, ['add', 'a.txt'], '.dvc/cache');
    chmodSync(join(t.dir, '.dvc/cache'), 0o755);
    expect(dvcFiles(t.dir)).toEqual([]);
    expect(existsSync(join(t.dir, '.gitignore'))).toBe(false);
    expect(temps(t.dir)).toEqual([]);
  });

  it('add with a read-only .dvc/tmp (lock and state database)', async () => {
    const t = await initRepo({ 'a.txt': 'a\n' });
    expect((await runUnprivileged(t, ['status'])).code).toBe(0); // creates .dvc/tmp with its files
    readOnly(join(t.dir, '.dvc/tmp'));
    await expectDenied(t, ['add', 'a.txt'], '.dvc/tmp');
    chmodSync(join(t.dir, '.dvc/tmp'), 0o755);
    expect(dvcFiles(t.dir)).toEqual([]);
    expect(temps(t.dir)).toEqual([]);
  });

  it('add in a read-only workspace folder: no .dvc file, no .gitignore', async () => {
    const t = await initRepo({ d: { 'y.txt': 'y\n' } });
    handOver(t);
    readOnly(join(t.dir, 'd'));
    await expectDenied(t, ['add', 'd/y.txt'], 'd');
    chmodSync(join(t.dir, 'd'), 0o755);
    expect(readdirSync(join(t.dir, 'd'))).toEqual(['y.txt']);
    expect(temps(t.dir)).toEqual([]);
  });

  it('checkout into a read-only workspace folder: the file is not half-written, no temp file is left', async () => {
    const t = await initRepo({ d: { 'x.txt': 'x\n' } });
    expect((await runCli(['add', 'd/x.txt'], { cwd: t.dir })).code).toBe(0);
    rmSync(join(t.dir, 'd/x.txt'));
    handOver(t);
    readOnly(join(t.dir, 'd'));
    await expectDenied(t, ['checkout'], 'd');
    chmodSync(join(t.dir, 'd'), 0o755);
    expect(readdirSync(join(t.dir, 'd')).sort()).toEqual(['.gitignore', 'x.txt.dvc']);
    expect(temps(t.dir)).toEqual([]);
  });
});

describe('--dir naming a file (issue #12 item 16)', () => {
  it('remote serve --dir FILE is E_PERMISSION naming the option as typed, not the resolved path', async () => {
    const cwd = tempDir('mlpipe-serve-');
    writeFileSync(join(cwd, 'store'), 'a file');
    for (const dir of ['store', 'store/sub']) {
      const r = await runCli(['--json', 'remote', 'serve', '--dir', dir, '--port', '0'], { cwd, timeoutMs: 20_000 });
      expect(r.code).toBe(15);
      expect(errorOf(r)).toMatchObject({
        code: 'E_PERMISSION',
        message: `--dir ${dir} is ${dir === 'store' ? 'a file' : 'under a file'}, not a folder`,
      });
      expect(r.stdout).not.toContain(cwd);
    }
  });
});
