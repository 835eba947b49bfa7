import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { type TempRepo, tempDir } from '../../helpers/tree.js';
import { errorOf, useRepos } from './repos.js';

// Issue #12 item 1: no command follows a symlink out of the workspace. Each case plants the link
// an attacker (or a careless `ln -s`) would, and checks both the refusal and that the folder outside
// is byte for byte as before.

const { initRepo } = useRepos();

async function setup(): Promise<{ t: TempRepo; outside: string }> {
  const t = await initRepo();
  const outside = tempDir('mlpipe-outside-');
  writeFileSync(join(outside, 'victim.txt'), 'keep me\n');
  return { t, outside };
}

const listing = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();
const objects = (t: TempRepo) => {
  const dir = join(t.dir, '.dvc/cache/files/md5');
  return existsSync(dir) ? listing(dir).filter((p) => p.includes('/') && !p.endsWith('.tmp')) : [];
};

describe('symlinks out of the workspace (issue #12 item 1)', () => {
  it('checkout of an entry `lnk/p` with lnk -> outside writes nothing outside: E_OUTSIDE_REPO', async () => {
    const { t, outside } = await setup();
    writeFileSync(join(t.dir, 'p'), 'payload\n');
    expect((await runCli(['add', 'p'], { cwd: t.dir })).code).toBe(0);
    const md5 = /md5: ([0-9a-f]{32})/.exec(readFileSync(join(t.dir, 'p.dvc'), 'utf8'))![1];
    symlinkSync(outside, join(t.dir, 'lnk'));
    writeFileSync(join(t.dir, 'evil.dvc'), `outs:\n- md5: ${md5}\n  size: 8\n  hash: md5\n  path: lnk/p\n`);
    const r = await runCli(['--json', 'checkout', 'evil.dvc'], { cwd: t.dir });
    expect(r.code).toBe(3);
    expect(errorOf(r)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'lnk/p leads outside the workspace through the symlink lnk' });
    expect(listing(outside)).toEqual(['victim.txt']);
    const force = await runCli(['--json', 'checkout', '--force'], { cwd: t.dir });
    expect(errorOf(force).code).toBe('E_OUTSIDE_REPO');
    expect(listing(outside)).toEqual(['victim.txt']);
    // pull checks out the same way.
    expect((await runCli(['remote', 'add', '-d', 'r', tempDir('mlpipe-remote-')], { cwd: t.dir })).code).toBe(0);
    expect((await runCli(['push'], { cwd: t.dir })).code).toBe(0);
    const pull = await runCli(['--json', 'pull', '--force'], { cwd: t.dir });
    expect(errorOf(pull)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'lnk/p leads outside the workspace through the symlink lnk' });
    expect(listing(outside)).toEqual(['victim.txt']);
  });

  it('add lnk/secret.txt writes no .dvc file, .gitignore or object: E_OUTSIDE_REPO', async () => {
    const { t, outside } = await setup();
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    symlinkSync(outside, join(t.dir, 'lnk'));
    const r = await runCli(['--json', 'add', 'lnk/secret.txt'], { cwd: t.dir });
    expect(r.code).toBe(3);
    expect(errorOf(r)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'lnk/secret.txt leads outside the workspace through the symlink lnk' });
    expect(listing(outside)).toEqual(['secret.txt', 'victim.txt']);
    expect(objects(t)).toEqual([]);
    // The symlinked folder itself, and a symlinked file pointing out, are refused the same way.
    expect(errorOf(await runCli(['--json', 'add', 'lnk'], { cwd: t.dir })).code).toBe('E_OUTSIDE_REPO');
    symlinkSync(join(outside, 'secret.txt'), join(t.dir, 'linkfile.txt'));
    expect(errorOf(await runCli(['--json', 'add', 'linkfile.txt'], { cwd: t.dir })).code).toBe('E_OUTSIDE_REPO');
    expect(listing(outside)).toEqual(['secret.txt', 'victim.txt']);
    expect(objects(t)).toEqual([]);
  });

  it('a symlink planted inside a tracked folder: checkout --force deletes nothing outside and does not crash', async () => {
    const { t, outside } = await setup();
    mkdirSync(join(t.dir, 'd/sub'), { recursive: true });
    writeFileSync(join(t.dir, 'd/sub/a.txt'), 'a\n');
    writeFileSync(join(t.dir, 'd/b.txt'), 'b\n');
    expect((await runCli(['add', 'd'], { cwd: t.dir })).code).toBe(0);
    t.git('add', '-A');
    // Replace d/sub with a link to the outside folder.
    rmSync(join(t.dir, 'd/sub'), { recursive: true });
    symlinkSync(outside, join(t.dir, 'd/sub'));
    const r = await runCli(['--json', 'checkout', '--force'], { cwd: t.dir });
    expect(r.code).toBe(3);
    expect(errorOf(r)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'd/sub leads outside the workspace through the symlink d/sub' });
    expect(listing(outside)).toEqual(['victim.txt']);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('keep me\n');
    // status and commit refuse to read it too.
    expect(errorOf(await runCli(['--json', 'status'], { cwd: t.dir })).code).toBe('E_OUTSIDE_REPO');
    expect(errorOf(await runCli(['--json', 'commit'], { cwd: t.dir })).code).toBe('E_OUTSIDE_REPO');
  });

  it('add of a folder holding a link to a folder outside (ln -s /etc) copies nothing into the cache', async () => {
    const { t, outside } = await setup();
    mkdirSync(join(t.dir, 'd'));
    writeFileSync(join(t.dir, 'd/own.txt'), 'own\n');
    symlinkSync(outside, join(t.dir, 'd/etc'));
    const r = await runCli(['--json', 'add', 'd'], { cwd: t.dir });
    expect(r.code).toBe(3);
    expect(errorOf(r)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'd/etc leads outside the workspace through the symlink d/etc' });
    expect(objects(t)).toEqual([]);
    expect(existsSync(join(t.dir, 'd.dvc'))).toBe(false);
  });

  it('refuses a symlink loop (ln -s .. up) instead of following it 40 levels deep', async () => {
    const { t } = await setup();
    mkdirSync(join(t.dir, 'd'));
    writeFileSync(join(t.dir, 'd/own.txt'), 'own\n');
    symlinkSync('..', join(t.dir, 'd/up'));
    const r = await runCli(['--json', 'add', 'd'], { cwd: t.dir });
    expect(r.code).toBe(3);
    expect(errorOf(r)).toMatchObject({ code: 'E_BAD_INPUT', message: 'symlink loop: d/up points back to a folder that contains it' });
    expect(objects(t)).toEqual([]);
    expect(existsSync(join(t.dir, 'd.dvc'))).toBe(false);
  });

  it('move into, and remove --outs through, a symlinked folder leave the outside untouched', async () => {
    const { t, outside } = await setup();
    writeFileSync(join(t.dir, 'a.txt'), 'a\n');
    expect((await runCli(['add', 'a.txt'], { cwd: t.dir })).code).toBe(0);
    symlinkSync(outside, join(t.dir, 'lnk'));
    const mv = await runCli(['--json', 'move', 'a.txt', 'lnk/a.txt'], { cwd: t.dir });
    expect(errorOf(mv)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'lnk/a.txt leads outside the workspace through the symlink lnk' });
    expect(readFileSync(join(t.dir, 'a.txt'), 'utf8')).toBe('a\n');
    writeFileSync(join(t.dir, 'evil.dvc'), 'outs:\n- md5: 9bc1e3a0a6ec8d1fe4f6a0d9b1a8e5b4\n  size: 8\n  hash: md5\n  path: lnk/victim.txt\n');
    const rm = await runCli(['--json', 'remove', '--outs', 'evil.dvc'], { cwd: t.dir });
    expect(errorOf(rm).code).toBe('E_OUTSIDE_REPO');
    expect(listing(outside)).toEqual(['victim.txt']);
    expect(existsSync(join(t.dir, 'evil.dvc'))).toBe(true);
  });

  it('repro of a stage whose output lies behind a symlinked folder deletes nothing outside', async () => {
    const { t, outside } = await setup();
    symlinkSync(outside, join(t.dir, 'lnk'));
    writeFileSync(join(t.dir, 'dvc.yaml'), 'stages:\n  gen:\n    cmd: echo new > lnk/victim.txt\n    outs:\n    - lnk/victim.txt\n');
    for (const args of [['repro'], ['repro', '--force']]) {
      const r = await runCli(['--json', ...args], { cwd: t.dir });
      expect(errorOf(r)).toMatchObject({ code: 'E_OUTSIDE_REPO', message: 'lnk/victim.txt leads outside the workspace through the symlink lnk' });
      expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('keep me\n');
    }
  });

  it('still follows a symlink that stays inside the workspace', async () => {
    const { t } = await setup();
    mkdirSync(join(t.dir, 'shared'));
    writeFileSync(join(t.dir, 'shared/x.txt'), 'x\n');
    mkdirSync(join(t.dir, 'd'));
    symlinkSync('../shared', join(t.dir, 'd/shared'));
    const r = await runCli(['--json', 'add', 'd'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).added[0]).toMatchObject({ path: 'd', nfiles: 1, size: 2 });
  });
});
