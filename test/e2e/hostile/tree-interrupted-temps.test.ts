import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownerTag } from '../../../src/core/fs/stale-tmp.js';
import { MLPIPE_BIN, runCli } from '../../helpers/cli.js';
import { type TempRepo, tempDir } from '../../helpers/tree.js';
import { useRepos } from './repos.js';

// Issue #12 item 3: temp files of a killed checkout, add or push are invisible to git while they
// exist and are removed by the next run, without touching the temp file of a writer still running.

const { initRepo, children } = useRepos();

const tmpsUnder = (dir: string) =>
  existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((p) => p.endsWith('.tmp')) : [];

/** Starts `mlpipe args` and kills it (SIGKILL) as soon as `check` sees its temp files. */
async function killWhen(cwd: string, args: string[], check: () => boolean): Promise<boolean> {
  const child = spawn(process.execPath, [MLPIPE_BIN, ...args], { cwd, stdio: 'ignore' });
  children.push(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let caught = false;
  while (!exited && !caught) {
    caught = check();
    if (!caught) await new Promise((r) => setTimeout(r, 1));
  }
  child.kill('SIGKILL');
  if (!exited) await new Promise((r) => child.once('exit', r));
  return caught;
}

/** A file of `mib` MiB (distinct bytes per MiB so it is not trivially compressible). */
function bigFile(path: string, mib: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) {
    chunk.fill(i % 251);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

/** The pid of a process that has exited (a writer killed earlier). */
const deadPid = () => spawnSync('true').pid as number;
const gitUntracked = (t: TempRepo) => t.git('status', '--porcelain', '--untracked-files=all');

describe('interrupted writers leave no temp files behind (issue #12 item 3)', () => {
  it('checkout killed mid-copy: its temp file is invisible to git, and the next checkout removes it', async () => {
    const t = await initRepo();
    bigFile(join(t.dir, 'big.bin'), 128);
    expect((await runCli(['add', 'big.bin'], { cwd: t.dir, timeoutMs: 120_000 })).code).toBe(0);
    t.commit('track big.bin');
    let caught = false;
    for (let attempt = 0; attempt < 3 && !caught; attempt++) {
      rmSync(join(t.dir, 'big.bin'), { force: true });
      caught = await killWhen(t.dir, ['checkout'], () => tmpsUnder(t.dir).some((p) => p.endsWith('.mlpipe.tmp')));
    }
    expect(caught).toBe(true);
    expect(gitUntracked(t)).toBe('');
    // A temp file that an older version left next to the output is removed too.
    writeFileSync(join(t.dir, '.big.bin.0123456789ab.mlpipe.tmp'), 'partial');
    expect((await runCli(['checkout'], { cwd: t.dir, timeoutMs: 120_000 })).code).toBe(0);
    expect(tmpsUnder(t.dir)).toEqual([]);
    expect(gitUntracked(t)).toBe('');
  });

  it('add killed half-way: the next add removes its temp files in the cache, but not a live writer\'s', async () => {
    const t = await initRepo();
    for (let i = 0; i < 40; i++) {
      mkdirSync(join(t.dir, 'data'), { recursive: true });
      bigFile(join(t.dir, 'data', `f${i}.bin`), 4);
    }
    const cacheFiles = join(t.dir, '.dvc/cache/files/md5');
    // Killed while its temp files exist; on a fast machine the kill can land after the last one was
    // renamed into place, so try again (the object store keeps what the earlier attempts finished).
    let leftovers: string[] = [];
    for (let attempt = 0; attempt < 3 && leftovers.length === 0; attempt++) {
      await killWhen(t.dir, ['add', 'data'], () => tmpsUnder(cacheFiles).length > 0);
      leftovers = tmpsUnder(cacheFiles);
    }
    expect(leftovers.length).toBeGreaterThan(0);
    // A writer of another clone sharing this cache, still running (this test process).
    const live = `.${ownerTag()}.feedface0000-0.tmp`;
    writeFileSync(join(cacheFiles, live), 'in progress');
    writeFileSync(join(t.dir, 'small.txt'), 'small\n');
    expect((await runCli(['add', 'small.txt'], { cwd: t.dir })).code).toBe(0);
    expect(tmpsUnder(cacheFiles)).toEqual([live]);
    const gc = await runCli(['--json', 'gc', '--workspace', '-f'], { cwd: t.dir });
    expect(JSON.parse(gc.stdout)).toMatchObject({ tmpFiles: 0 });
    expect(tmpsUnder(cacheFiles)).toEqual([live]);
  });

  it('push to a shared folder remote: removes the temp files of dead or long-stalled pushes, keeps live ones', async () => {
    const t = await initRepo();
    const remote = tempDir('mlpipe-remote-');
    expect((await runCli(['remote', 'add', '-d', 'shared', remote], { cwd: t.dir })).code).toBe(0);
    writeFileSync(join(t.dir, 'a.txt'), 'a\n');
    expect((await runCli(['add', 'a.txt'], { cwd: t.dir })).code).toBe(0);
    const objects = join(remote, 'files/md5');
    mkdirSync(objects, { recursive: true });
    const [host] = ownerTag().split('.');
    const killed = `.${host}.${deadPid()}.0011aabbccdd-3.tmp`;
    const running = `.${ownerTag()}.0011aabbccdd-0.tmp`;
    const otherMachine = '.0badc0de.4242.0011aabbccdd-0.tmp';
    const oldUntagged = '.Zm9vYmFyYmF6-12.tmp';
    for (const n of [killed, running, otherMachine, oldUntagged]) writeFileSync(join(objects, n), 'partial');
    const twoHoursAgo = Date.now() / 1000 - 2 * 3600;
    utimesSync(join(objects, oldUntagged), twoHoursAgo, twoHoursAgo);
    const r = await runCli(['push'], { cwd: t.dir });
    expect(r).toMatchObject({ code: 0, stdout: '1 file pushed\n' });
    expect(tmpsUnder(objects).sort()).toEqual([otherMachine, running].sort());
  });
});
