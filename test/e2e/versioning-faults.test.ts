import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { type TempRepo, tempRepo } from '../helpers/tree.js';

const FS_EXT = createRequire(import.meta.url).resolve('fs-ext');
const repos: TempRepo[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const r of repos.splice(0)) r.cleanup();
});

async function initRepo(): Promise<TempRepo> {
  const t = tempRepo();
  repos.push(t);
  const r = await runCli(['init'], { cwd: t.dir });
  expect(r.code).toBe(0);
  return t;
}

/** Every file under a folder (relative paths), to prove that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const abs = join(e.parentPath, e.name);
    if (e.isFile() && !abs.includes('/.git/') && !abs.includes('/.dvc/tmp/')) out[abs.slice(dir.length + 1)] = readFileSync(abs, 'latin1');
  }
  return out;
}

const waitFor = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};

describe('interrupted add (kill -9)', () => {
  it('leaves a repo that status and the next add handle, with no corrupt object', async () => {
    const t = await initRepo();
    // 40 files of 4 MiB: long enough to be killed half-way on any machine.
    const chunk = Buffer.alloc(4 << 20);
    for (let i = 0; i < 40; i++) {
      chunk.fill(i);
      mkdirSync(join(t.dir, 'data', `d${i % 4}`), { recursive: true });
      writeFileSync(join(t.dir, 'data', `d${i % 4}`, `f${i}.bin`), chunk);
    }
    const child = spawn(process.execPath, [MLPIPE_BIN, 'add', 'data'], { cwd: t.dir, stdio: 'ignore' });
    children.push(child);
    const objects = join(t.dir, '.dvc/cache/files/md5');
    const started = await waitFor(() => existsSync(objects) && readdirSync(objects).length > 2, 30_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(started).toBe(true);
    expect(existsSync(join(t.dir, 'data.dvc'))).toBe(false);

    const status = await runCli(['status'], { cwd: t.dir });
    expect(status).toMatchObject({ code: 0, stderr: '', stdout: 'There are no data or pipelines tracked in this project yet.\n' });
    const fsckBefore = await runCli(['--json', 'fsck'], { cwd: t.dir });
    expect(JSON.parse(fsckBefore.stdout)).toMatchObject({ corrupt: [] });

    const add = await runCli(['--json', 'add', 'data'], { cwd: t.dir });
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout).added[0]).toMatchObject({ path: 'data', nfiles: 40, size: 40 * (4 << 20) });
    expect(await runCli(['status'], { cwd: t.dir })).toMatchObject({ code: 0, stdout: 'Data and pipelines are up to date.\n' });
    const fsck = JSON.parse((await runCli(['--json', 'fsck'], { cwd: t.dir })).stdout);
    expect(fsck).toEqual({ checked: 41, corrupt: [], missing: [], repaired: false });
    // gc removes the temp files the killed process left behind, and nothing referenced.
    const gc = JSON.parse((await runCli(['--json', 'gc', '--workspace', '-f'], { cwd: t.dir })).stdout);
    expect(gc).toMatchObject({ removed: [], kept: 41 });
    expect(readdirSync(objects).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('corrupt cache object', () => {
  it('is reported by fsck, refused by checkout, and removed by fsck --repair', async () => {
    const t = await initRepo();
    writeFileSync(join(t.dir, 'data.csv'), 'a,b\n1,2\n');
    expect((await runCli(['add', 'data.csv'], { cwd: t.dir })).code).toBe(0);
    const obj = join(t.dir, '.dvc/cache/files/md5/e5/ebd4c02cefbe7955977c67ada242b7');
    expect(readFileSync(obj, 'utf8')).toBe('a,b\n1,2\n');
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'a,b\n6,6\n');

    const fsck = await runCli(['--json', 'fsck'], { cwd: t.dir });
    expect(fsck.code).toBe(8);
    expect(JSON.parse(fsck.stdout.slice(0, fsck.stdout.indexOf('\n}\n') + 2))).toMatchObject({ corrupt: [{ oid: 'e5ebd4c02cefbe7955977c67ada242b7', legacy: false }] });

    writeFileSync(join(t.dir, 'data.csv'), 'edited\n');
    const before = snapshot(t.dir);
    const checkout = await runCli(['checkout', '--force'], { cwd: t.dir });
    expect(checkout.code).toBe(8);
    expect(checkout.stderr).toContain('[E_CORRUPT]');
    expect(snapshot(t.dir)).toEqual(before);

    expect((await runCli(['fsck', '--repair'], { cwd: t.dir })).code).toBe(0);
    expect(existsSync(obj)).toBe(false);
    expect((await runCli(['status'], { cwd: t.dir })).stdout).toBe('data.csv.dvc:\n\tchanged outs:\n\t\tnot in cache:       data.csv\n');
  });
});

describe('concurrent writers', () => {
  it('a second writer gets E_LOCKED while another process holds the flock, and changes nothing', async () => {
    const t = await initRepo();
    writeFileSync(join(t.dir, 'data.csv'), 'x\n');
    mkdirSync(join(t.dir, '.dvc/tmp'), { recursive: true });
    // Another process takes the lock exactly as DVC's zc.lockfile does: flock(LOCK_EX | LOCK_NB).
    const script = `const fs = require('node:fs'); const fd = fs.openSync('.dvc/tmp/lock', 'a+');
      require(${JSON.stringify(FS_EXT)}).flockSync(fd, 'exnb'); console.log('locked'); setTimeout(() => {}, 30000);`;
    const holder = spawn(process.execPath, ['-e', script], { cwd: t.dir });
    children.push(holder);
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const before = snapshot(t.dir);
    const r = await runCli(['--json', 'add', 'data.csv'], { cwd: t.dir });
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_LOCKED' } });
    expect(snapshot(t.dir)).toEqual(before);
    holder.kill('SIGKILL');
    await new Promise((res) => holder.once('exit', res));
    expect((await runCli(['add', 'data.csv'], { cwd: t.dir })).code).toBe(0);
  });
});

describe('malicious and malformed tracking files', () => {
  const cases: [string, string, string, number][] = [
    ['a path escaping the repo', 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: md5\n  path: ../../etc/passwd\n', 'E_OUTSIDE_REPO', 3],
    ['an absolute path', 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: md5\n  path: /etc/passwd\n', 'E_OUTSIDE_REPO', 3],
    ['a path into .dvc/', 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: md5\n  path: .dvc/config\n', 'E_OUTSIDE_REPO', 3],
    ['invalid YAML', 'outs:\n- md5: [unclosed\n', 'E_BAD_INPUT', 3],
    ['an invalid hash', 'outs:\n- md5: 12\n  path: x\n', 'E_BAD_INPUT', 3],
    ['outs that is not a list', 'outs: data\n', 'E_BAD_INPUT', 3],
  ];
  for (const [name, text, code, exit] of cases) {
    it(`${name}: ${code} from status and checkout, nothing changed`, async () => {
      const t = await initRepo();
      writeFileSync(join(t.dir, 'evil.dvc'), text);
      const before = snapshot(t.dir);
      for (const cmd of ['status', 'checkout']) {
        const r = await runCli(['--json', cmd], { cwd: t.dir });
        expect(r.code, cmd).toBe(exit);
        expect(JSON.parse(r.stdout).error.code, cmd).toBe(code);
      }
      expect(snapshot(t.dir)).toEqual(before);
    });
  }

  it('add refuses paths outside the repo', async () => {
    const t = await initRepo();
    for (const p of ['../../etc/passwd', '/etc/passwd']) {
      const r = await runCli(['--json', 'add', p], { cwd: t.dir });
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout).error.code).toBe('E_OUTSIDE_REPO');
    }
    expect(existsSync(join(t.dir, '.dvc/cache'))).toBe(false);
  });

  it('a missing cache object: E_MISSING_CACHE from checkout, workspace kept', async () => {
    const t = await initRepo();
    writeFileSync(join(t.dir, 'm.dvc'), 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: m\n');
    const r = await runCli(['--json', 'checkout'], { cwd: t.dir });
    expect(r.code).toBe(8);
    expect(JSON.parse(r.stdout).error.code).toBe('E_MISSING_CACHE');
    expect(existsSync(join(t.dir, 'm'))).toBe(false);
  });
});
