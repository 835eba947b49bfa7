/**
 * Experiments against the golden run of real DVC 3.64.0 (test/fixtures/dvc/experiments/commands):
 * the same repository, params and commands, at the same (faked) times. The stage runs
 * `node train.mjs` (which writes what the fixture's train.py writes, byte for byte) so that no
 * Python is needed; train.py stays the tracked dependency, so its hash column matches. Commit and
 * task ids differ from DVC's (other authors, other queue storage) and are substituted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExpRepo, expFixture as fixture, expRepo } from '../helpers/exp-repo.js';

const golden = (command: string, nth = 1) => fixture('commands').split(`$ ${command}\n`)[nth]!.split(/\n\$ /)[0]!.replace(/\n$/, '');

describe('experiments as DVC 3.64 runs them (golden)', { timeout: 120_000 }, () => {
  let repo: ExpRepo;
  const mlpipe = (minute: number, ...args: string[]) => repo.mlpipe(minute, ...args);
  beforeAll(async () => {
    repo = await expRepo();
  });
  afterAll(() => repo.cleanup());
  const ids: Record<string, string> = {};
  /** DVC's shas and task ids replaced by ours. */
  const ours = (text: string) => Object.entries(ids).reduce((t, [theirs, mine]) => t.split(theirs).join(mine), text);

  it('repro, exp run -S, exp run --queue (twice) and queue status', async () => {
    expect(repo.git('show', 'HEAD:metrics.json')).toBe('{"score": 12, "loss": 0.3333}');
    const run = await mlpipe(51, 'exp', 'run', '-S', 'a=2', '-n', 'exp-a2');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`${golden('dvc exp run -S a=2 -n exp-a2').replace('python3 train.py', 'node train.mjs')}\n`);
    expect(readFileSync(join(repo.dir, 'metrics.json'), 'utf8')).toBe(fixture('expected/metrics.json'));

    const a3 = await mlpipe(52, 'exp', 'run', '--queue', '-S', 'a=3', '-n', 'exp-a3');
    expect(a3).toMatchObject({ code: 0, stdout: `${golden('dvc exp run --queue -S a=3 -n exp-a3')}\n` });
    const b5 = await mlpipe(53, 'exp', 'run', '--queue', '-S', 'b=5', '-n', 'exp-b5');
    expect(b5).toMatchObject({ code: 0, stdout: `${golden('dvc exp run --queue -S b=5 -n exp-b5')}\n` });

    const head = repo.git('rev-parse', 'HEAD').trim();
    const tasks = JSON.parse((await mlpipe(53, '--json', 'queue', 'status')).stdout) as Array<{ id: string; name: string; status: string }>;
    expect(tasks.map((t) => [t.name, t.status])).toEqual([['exp-a3', 'queued'], ['exp-b5', 'queued']]);
    const a2 = repo.git('rev-parse', `refs/exps/${head.slice(0, 2)}/${head.slice(2)}/exp-a2`).trim();
    Object.assign(ids, {
      '751bde5c41cb037af5cd5aeccc1dfcf26d864338': head,
      '75/1bde5c41cb037af5cd5aeccc1dfcf26d864338': `${head.slice(0, 2)}/${head.slice(2)}`,
      '4fd5e6781a05106f20808559c8986b057d12414e': a2,
      '4fd5e67': a2.slice(0, 7),
      ea629ea5778a6d459eaa81b97c9cf87ab87f8fb3: tasks[0]!.id,
      ea629ea: tasks[0]!.id.slice(0, 7),
      '574d69fac8cde5501474ec72381fbbf7046eb982': tasks[1]!.id,
      '574d69f': tasks[1]!.id.slice(0, 7),
    });
    expect((await mlpipe(53, 'queue', 'status')).stdout).toBe(`${ours(golden('dvc queue status'))}\n`);
    // the queued rows show the queued params (a=3 / b=5) and the baseline's deps, no metrics yet
    expect((await mlpipe(53, 'exp', 'show', '--no-pager')).stdout).toBe(`${ours(golden('dvc exp show --no-pager'))}\n`);
  });

  it('exp run --run-all -j 1 runs both in temporary workspaces; exp show, --only-changed, --csv, --md print what DVC printed', async () => {
    const run = await mlpipe(54, 'exp', 'run', '--run-all', '-j', '1');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Reproducing experiment 'exp-a3'\nRunning stage 'train':\n> node train.mjs\nUpdating lock file 'dvc.lock'\n");
    expect(run.stdout).toContain("Reproducing experiment 'exp-b5'\nRunning stage 'train':\n> node train.mjs\nUpdating lock file 'dvc.lock'\n");
    // the workspace is untouched (a=2 from exp-a2), no worktree is left behind
    expect(readFileSync(join(repo.dir, 'params.yaml'), 'utf8')).toBe('a: 2\nb: 2\n');
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    const head = repo.git('rev-parse', 'HEAD').trim();
    const ref = (n: string) => repo.git('rev-parse', `refs/exps/${head.slice(0, 2)}/${head.slice(2)}/${n}`).trim();
    Object.assign(ids, {
      f7f55ceeb236bf7e02207469cf49b07925b802be: ref('exp-a3'),
      f7f55ce: ref('exp-a3').slice(0, 7),
      '653d668f111d34fb18e0e9b4a695ee4f431c2612': ref('exp-b5'),
      '653d668': ref('exp-b5').slice(0, 7),
    });
    // outputs went into this repository's cache: the objects DVC's cache holds for a=3 and b=5
    for (const oid of ['50a1d05673a15bf3f9cd8962c2c153df', '5762b14881114bd2310ac74f6842c5f1']) {
      expect(readFileSync(join(repo.dir, '.dvc/cache/files/md5', oid.slice(0, 2), oid.slice(2)), 'utf8')).toMatch(/^a=\d b=\d\n$/);
    }
    expect((await mlpipe(54, 'queue', 'status')).stdout).toBe(`${ours(golden('dvc queue status', 2))}\n`);
    expect((await mlpipe(54, 'exp', 'show', '--no-pager')).stdout).toBe(`${ours(golden('dvc exp show --no-pager', 2))}\n`);
    expect((await mlpipe(54, 'exp', 'show', '--only-changed')).stdout).toBe(`${ours(golden('dvc exp show --no-pager --only-changed'))}\n`);
    expect((await mlpipe(54, 'exp', 'show', '--csv')).stdout).toBe(`${ours(golden('dvc exp show --csv'))}\n`);
    expect((await mlpipe(54, 'exp', 'show', '--md')).stdout).toBe(`${ours(golden('dvc exp show --md'))}\n`);
  });

  it('exp show --json has DVC shape and values', async () => {
    const json = JSON.parse((await mlpipe(54, '--json', 'exp', 'show')).stdout);
    const expected = JSON.parse(ours(golden('dvc exp show --json')));
    // where the logs are and which pid ran them is this machine's
    for (const doc of [json, expected]) {
      for (const e of doc[1].experiments) if (e.executor) e.executor.local = { ...e.executor.local, log: 'LOG', pid: 0 };
    }
    expect(json).toEqual(expected);
  });

  it('exp list, exp diff, metrics show, params diff --all, the refs layout, exp remove', async () => {
    expect((await mlpipe(54, 'exp', 'list')).stdout).toBe(`${ours(golden('dvc exp list'))}\n`);
    expect((await mlpipe(54, 'exp', 'list', '--name-only')).stdout).toBe(`${golden('dvc exp list --name-only')}\n`);
    expect((await mlpipe(54, 'exp', 'diff')).stdout).toBe(`${golden('dvc exp diff')}\n`);
    expect((await mlpipe(54, 'exp', 'diff', 'main', 'exp-a3')).stdout).toBe(`${golden('dvc exp diff main exp-a3')}\n`);
    expect((await mlpipe(54, 'metrics', 'show')).stdout).toBe(`${golden('dvc metrics show')}\n`);
    expect((await mlpipe(54, 'metrics', 'show', 'metrics.json')).stdout).toBe(`${golden('dvc metrics show metrics.json')}\n`);
    expect(JSON.parse((await mlpipe(54, '--json', 'metrics', 'show')).stdout)).toEqual(JSON.parse(golden('dvc metrics show --json')));
    expect((await mlpipe(54, 'params', 'diff', '--all')).stdout).toBe(`${golden('dvc params diff --all')}\n`);
    // DVC leaves refs/exps/exec/EXEC_HEAD from its executor; mlpipe's temporary worktrees leave none
    const refs = () => repo.git('for-each-ref', 'refs/exps', '--format=%(refname)');
    const layout = (n: number) => ours(golden("git for-each-ref refs/exps '--format=%(refname)'", n)).replace('\nrefs/exps/exec/EXEC_HEAD', '');
    expect(refs()).toBe(`${layout(1)}\n`);
    expect((await mlpipe(54, 'exp', 'remove', 'exp-b5')).stdout).toBe(`${golden('dvc exp remove exp-b5')}\n`);
    expect((await mlpipe(54, 'exp', 'list', '--name-only')).stdout).toBe(`${golden('dvc exp list --name-only', 2)}\n`);
    expect(refs()).toBe(`${layout(2)}\n`);
  });
});
