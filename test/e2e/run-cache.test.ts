/**
 * DVC's run-cache, against the golden case of DVC 3.64 (test/fixtures/dvc/run-cache): the entry's
 * path (key and value) and bytes, `push --run-cache` and the remote layout, a stage restored instead
 * of run, and a fresh clone with `repro --pull` (rerun when a `cache: false` output's object is on
 * no remote, restored when the metric is cached).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunEntry, pyJsonDumps, runKey, runValue } from '../../src/pipeline/run-cache.js';
import { runCli } from '../helpers/cli.js';
import { expectReproPullRestores } from '../helpers/run-cache.js';
import { tempDir, tempRepo } from '../helpers/tree.js';

const FIXTURE = new URL('../fixtures/dvc/run-cache/', import.meta.url).pathname;
const fixture = (p: string) => readFileSync(join(FIXTURE, p), 'utf8');
const ENTRY = 'runs/5c/5cc7ddebbdac4d4fac2b43231ee8cb412774098254e6ea0c59f9ea573ca22797/5235b2e8f9ce5be9a45eac9a9a8e95462ba7fc7b56976d1aa5e561bb8255265b';
const DVC_INIT = { '.dvc': { config: '', '.gitignore': '/config.local\n/tmp\n/cache\n' } };

/** "mode size path" of every file under `root`, as the fixture's listings. */
function listing(root: string, under = ''): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${(st.mode & 0o777).toString(8)} ${st.size} ${under}${relative(root, p)}`);
    }
  };
  walk(root);
  return out.sort((a, b) => (a.split(' ')[2] as string).localeCompare(b.split(' ')[2] as string));
}

function project(metricCached: boolean) {
  const repo = tempRepo(DVC_INIT);
  cpSync(join(FIXTURE, 'input'), repo.dir, { recursive: true });
  if (metricCached) writeFileSync(join(repo.dir, 'dvc.yaml'), fixture('metric-cached/dvc.yaml'));
  repo.commit('pipeline');
  return repo;
}

describe('run-cache key and value', () => {
  it("computes DVC's names for the golden entry from its content", () => {
    const entry = parseRunEntry(fixture(ENTRY), ENTRY);
    expect(runKey(entry)).toBe('5cc7ddebbdac4d4fac2b43231ee8cb412774098254e6ea0c59f9ea573ca22797');
    expect(runValue(entry)).toBe('5235b2e8f9ce5be9a45eac9a9a8e95462ba7fc7b56976d1aa5e561bb8255265b');
  });

  it("dumps JSON as Python's json.dumps(sort_keys=True)", () => {
    expect(pyJsonDumps({ b: [1n, 0.1, 1e-5, 100.0], a: 'é"\n', c: null, d: true })).toBe(
      '{"a": "\\u00e9\\"\\n", "b": [1, 0.1, 1e-05, 100.0], "c": null, "d": true}',
    );
  });
});

describe('run-cache (golden DVC 3.64 case)', { timeout: 120_000 }, () => {
  it('repro records the entry byte for byte; push --run-cache uploads it; a removed dvc.lock is restored without running', async () => {
    const repo = project(false);
    const remote = join(tempDir(), 'remote');
    const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
    expect((await mlpipe('repro')).code).toBe(0);
    expect(listing(join(repo.dir, '.dvc/cache'), '.dvc/cache/')).toEqual(fixture('cache-listing.txt').trim().split('\n'));
    expect(readFileSync(join(repo.dir, '.dvc/cache', ENTRY), 'utf8')).toBe(fixture(ENTRY));
    expect(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8')).toBe(fixture('expected/dvc.lock'));

    expect((await mlpipe('remote', 'add', '-d', 'storage', remote)).code).toBe(0);
    const push = await mlpipe('push', '--run-cache');
    expect(push.stdout).toBe('2 files pushed\n');
    expect(listing(remote, './')).toEqual(fixture('remote-listing.txt').trim().split('\n'));
    repo.commit('ran');

    repo.git('rm', '-q', 'dvc.lock');
    const again = await mlpipe('repro');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe("Stage 'count' is cached - skipping run, checking out outputs");
    expect(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8')).toBe(fixture('expected/dvc.lock'));

    // A fresh clone: the metric (cache: false) was not pushed, so the stage runs again (clone/commands).
    const clone = tempDir();
    execFileSync('git', ['clone', '-q', repo.dir, clone]);
    rmSync(join(clone, 'dvc.lock'));
    const pulled = await runCli(['repro', '--pull'], { cwd: clone });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain("Running stage 'count':\n> sh count.sh\n");
    expect(readFileSync(join(clone, 'dvc.lock'), 'utf8')).toBe(fixture('expected/dvc.lock'));
  });

  it('a fresh clone restores a stage whose outputs are all cached (metric-cached), running nothing', async () => {
    const repo = project(true);
    const remote = join(tempDir(), 'remote2');
    const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
    expect((await mlpipe('repro')).code).toBe(0);
    expect((await mlpipe('remote', 'add', '-d', 'storage', remote)).code).toBe(0);
    expect((await mlpipe('push', '--run-cache')).stdout).toBe('3 files pushed\n');
    expect(listing(remote, './')).toEqual(fixture('metric-cached/remote-listing.txt').trim().split('\n'));
    repo.commit('ran');

    const clone = tempDir();
    execFileSync('git', ['clone', '-q', repo.dir, clone]);
    execFileSync('git', ['rm', '-q', 'dvc.lock'], { cwd: clone });
    await expectReproPullRestores(clone);
    const second = await runCli(['repro', '--pull'], { cwd: clone });
    expect(second.stdout).toBe("Stage 'count' didn't change, skipping\nData and pipelines are up to date.\n");
  });
});
