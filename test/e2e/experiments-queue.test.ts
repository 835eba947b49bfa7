/**
 * What the golden run does not cover: failures in the queue, parallel runs, kill, exp show in a
 * narrow terminal and its column options, exp branch / save, and experiments carried to another
 * clone with their outputs (exp push / pull with a data remote).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { type ExpRepo, at, expRepo } from '../helpers/exp-repo.js';
import { tempDir } from '../helpers/tree.js';

describe('the experiment queue', { timeout: 120_000 }, () => {
  let repo: ExpRepo;
  beforeAll(async () => {
    repo = await expRepo();
  });
  afterAll(() => repo.cleanup());

  it('--run-all -j 2: a failing experiment keeps its log and the others are recorded', async () => {
    for (const [set, name] of [['b=3', 'ok-3'], ['b=5', 'bad-5'], ['b=7', 'ok-7']]) {
      expect((await repo.mlpipe(51, 'exp', 'run', '--queue', '-S', set as string, '-n', name as string)).code).toBe(0);
    }
    const run = await runCli(['exp', 'run', '--run-all', '-j', '2'], { cwd: repo.dir, env: { ...at(52), FAIL_WHEN_B: '5' } });
    expect(run.code).toBe(12); // E_STAGE_FAILED
    expect(run.stderr).toContain("1 of 3 queued experiment(s) failed: bad-5");
    const status = JSON.parse((await repo.mlpipe(52, '--json', 'queue', 'status')).stdout) as Array<{ name: string; status: string; returncode: number }>;
    expect(status.map((t) => [t.name, t.status, t.returncode])).toEqual([
      ['ok-3', 'success', 0],
      ['bad-5', 'failed', 1],
      ['ok-7', 'success', 0],
    ]);
    expect((await repo.mlpipe(52, 'exp', 'list', '--name-only')).stdout).toBe('ok-3\nok-7\n');
    const log = await repo.mlpipe(52, 'queue', 'logs', 'bad-5');
    expect(log.stdout).toContain("Reproducing experiment 'bad-5'\nRunning stage 'train':\n> node train.mjs\n");
    expect(log.stdout).toContain('train.mjs: b=5 is not allowed');
    // the failed one is in exp show as Failed, with its queued params
    const show = (await repo.mlpipe(52, 'exp', 'show', '--drop', 'train.py|Created')).stdout;
    expect(show).toContain(' [bad-5]   Failed    Dvc-task       -        -   1   5  \n');
    // the workspace and the worktree list are as before
    expect(readFileSync(join(repo.dir, 'params.yaml'), 'utf8')).toBe('a: 1\nb: 2\n');
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    // queue remove --failed forgets it and its log; the successes stay listed
    expect((await repo.mlpipe(52, 'queue', 'remove', '--failed')).stdout).toBe("Removed tasks in queue: 'bad-5'\n");
    expect((await repo.mlpipe(52, 'queue', 'logs', 'bad-5')).code).toBe(4);
    expect(repo.git('for-each-ref', 'refs/mlpipe/queue').trim().split('\n')).toHaveLength(2);
  });

  it('queue kill stops a running experiment (its process group), which ends as failed', async () => {
    expect((await repo.mlpipe(53, 'exp', 'run', '--queue', '-S', 'b=9', '-n', 'slow-9')).code).toBe(0);
    const flag = join(tempDir(), 'started');
    const child = spawn(process.execPath, [MLPIPE_BIN, 'exp', 'run', '--run-all'], {
      cwd: repo.dir,
      env: { ...process.env, ...at(53), HANG_WHEN_B: '9', HANG_FLAG: flag, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (!existsSync(flag)) await new Promise((r) => setTimeout(r, 100));
    const running = JSON.parse((await repo.mlpipe(53, '--json', 'queue', 'status')).stdout) as Array<{ name: string; status: string }>;
    expect(running.find((t) => t.name === 'slow-9')?.status).toBe('running');
    expect((await repo.mlpipe(53, 'queue', 'kill', 'slow-9')).stdout).toBe("Sent SIGTERM to: 'slow-9'\n");
    expect(await ended).toBe(12);
    const after = JSON.parse((await repo.mlpipe(53, '--json', 'queue', 'status')).stdout) as Array<{ name: string; status: string }>;
    expect(after.find((t) => t.name === 'slow-9')?.status).toBe('failed');
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect((await repo.mlpipe(53, 'queue', 'kill', 'slow-9')).code).toBe(6); // not running any more
  });

  it('exp remove --queue drops queued experiments; a duplicate name is refused', async () => {
    expect((await repo.mlpipe(54, 'exp', 'run', '--queue', '-S', 'a=4', '-n', 'later')).code).toBe(0);
    expect((await repo.mlpipe(54, 'exp', 'run', '--queue', '-S', 'a=5', '-n', 'later')).code).toBe(6);
    expect((await repo.mlpipe(54, 'exp', 'run', '--queue', '-n', 'ok-3')).code).toBe(6);
    // exp sweep queues one experiment per grid point (--dry only prints them)
    expect((await repo.mlpipe(54, 'exp', 'sweep', 'a=6,7;b=1', '--prefix', 'grid', '--dry')).stdout).toBe('grid-1: -S a=6 -S b=1\ngrid-2: -S a=7 -S b=1\n');
    expect((await repo.mlpipe(54, 'exp', 'sweep', 'a=6,7;b=1', '--prefix', 'grid')).code).toBe(0);
    const queued = JSON.parse((await repo.mlpipe(54, '--json', 'queue', 'status')).stdout) as Array<{ name: string; status: string; set: string[] }>;
    expect(queued.filter((t) => t.status === 'queued').map((t) => [t.name, ...t.set])).toEqual([['later', 'a=4'], ['grid-1', 'a=6', 'b=1'], ['grid-2', 'a=7', 'b=1']]);
    expect((await repo.mlpipe(54, 'exp', 'remove', '--queue')).stdout).toBe("Removed experiments: 'later', 'grid-1' and 'grid-2'\n");
  });
});

describe('exp show options', { timeout: 120_000 }, () => {
  let repo: ExpRepo;
  beforeAll(async () => {
    repo = await expRepo();
    // params that make a wide table, and a param named like a metric (a clash)
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`feature_weight_${i}`, 0.123456 * (i + 1)]));
    writeFileSync(join(repo.dir, 'params.yaml'), `a: 1\nb: 2\n${Object.entries(wide).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
    writeFileSync(join(repo.dir, 'dvc.yaml'), readFileSync(join(repo.dir, 'dvc.yaml'), 'utf8').replace('    - b\n', '    - b\n    - extra.yaml:\n      - loss\n'));
    writeFileSync(join(repo.dir, 'extra.yaml'), 'loss: huber\n');
    await repo.mlpipe(55, 'repro');
    repo.commitAt(55, 'wide');
    await repo.mlpipe(56, 'exp', 'run', '-S', 'a=3', '-n', 'three');
    await repo.mlpipe(57, 'exp', 'run', '-S', 'a=5', '-n', 'five');
  });
  afterAll(() => repo.cleanup());

  it('fits COLUMNS=120 (cells cut with …) and keeps every column with no limit', async () => {
    const narrow = await runCli(['exp', 'show'], { cwd: repo.dir, env: { ...at(58), COLUMNS: '120' } });
    expect(narrow.code).toBe(0);
    const lines = narrow.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(120);
    expect(lines[1]).toMatch(/^ {2}Experiment +Created +score +metrics… +a +b +feature… /);
    expect(narrow.stdout).toContain('…');
    const wide = await runCli(['exp', 'show'], { cwd: repo.dir, env: { ...at(58), COLUMNS: '' } });
    expect(Math.max(...wide.stdout.trimEnd().split('\n').map((l) => [...l].length))).toBeGreaterThan(200);
    expect(wide.stdout).not.toContain('…');
  });

  it('a name used by two files gets its file prefix, as DVC', async () => {
    const csv = (await repo.mlpipe(58, 'exp', 'show', '--csv')).stdout.split('\r\n');
    expect(csv[0]).toBe(
      `Experiment,rev,typ,Created,parent,score,metrics.json:loss,a,b,${Array.from({ length: 12 }, (_, i) => `feature_weight_${i}`).join(',')},extra.yaml:loss,train.py`,
    );
  });

  it('--sort-by and --sort-order: checked, resolved as DVC, within the baseline', async () => {
    const names = async (...args: string[]) =>
      (await repo.mlpipe(58, 'exp', 'show', '--csv', ...args)).stdout.split('\r\n').slice(1).filter(Boolean).map((l) => l.split(',')[0] || l.split(',')[1]);
    expect(await names()).toEqual(['workspace', 'main', 'five', 'three']);
    expect(await names('--sort-by', 'score')).toEqual(['workspace', 'main', 'three', 'five']);
    expect(await names('--sort-by', 'metrics.json:score', '--sort-order', 'desc')).toEqual(['workspace', 'main', 'five', 'three']);
    const unknown = await repo.mlpipe(58, 'exp', 'show', '--sort-by', 'accuracy');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown sort column 'accuracy'");
    const ambiguous = await repo.mlpipe(58, 'exp', 'show', '--sort-by', 'loss');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("Ambiguous sort column 'loss'");
    expect((await repo.mlpipe(58, 'exp', 'show', '--sort-by', 'a', '--sort-order', 'up')).code).toBe(2);
  });

  it('--drop/--keep (regexes matched at the start), --only-changed, -n', async () => {
    const header = async (...args: string[]) => (await repo.mlpipe(58, 'exp', 'show', '--csv', ...args)).stdout.split('\r\n')[0];
    expect(await header('--drop', 'feature_.*|train\\.py')).toBe('Experiment,rev,typ,Created,parent,score,metrics.json:loss,a,b,extra.yaml:loss');
    expect(await header('--drop', '.*', '--keep', 'Experiment|rev|score')).toBe('Experiment,rev,score');
    expect(await header('--only-changed')).toBe('Experiment,rev,typ,Created,score,metrics.json:loss,a');
    expect((await repo.mlpipe(58, 'exp', 'show', '--drop', '(')).code).toBe(2);
    const two = (await repo.mlpipe(58, 'exp', 'show', '-n', '2', '--csv')).stdout.split('\r\n').filter(Boolean).map((l) => l.split(',').slice(0, 3).join(','));
    const [head, parent] = [repo.git('rev-parse', '--short=7', 'HEAD').trim(), repo.git('rev-parse', '--short=7', 'HEAD~1').trim()];
    expect(two.slice(1)).toEqual([',workspace,baseline', ',main,baseline', `five,${two[3]!.split(',')[1]},branch_commit`, `three,${two[4]!.split(',')[1]},branch_base`, `,${parent},baseline`]);
    expect(head).not.toBe(parent);
    expect((await repo.mlpipe(58, 'exp', 'show', '-n', '0')).code).toBe(2);
  });

  it('exp branch and exp save', async () => {
    const branch = await repo.mlpipe(58, 'exp', 'branch', 'five', 'try-five');
    expect(branch.stdout).toBe("Git branch 'try-five' has been created from experiment 'five'.\nSwitch to the new branch with:\n\n\tgit checkout try-five\n");
    expect(repo.git('show', 'try-five:params.yaml')).toMatch(/^a: 5\nb: 2\n/);
    expect(repo.git('rev-parse', 'try-five~1').trim()).toBe(repo.git('rev-parse', 'HEAD').trim());
    expect((await repo.mlpipe(58, 'exp', 'branch', 'five', 'try-five')).code).toBe(6);
    writeFileSync(join(repo.dir, 'extra.yaml'), 'loss: l1\n');
    expect((await repo.mlpipe(58, 'exp', 'save', '-n', 'by-hand')).stdout).toBe('Experiment has been saved as: by-hand\n');
    const diff = await repo.mlpipe(58, 'exp', 'diff', 'five', 'by-hand');
    // a=5 in both (exp run leaves its params in the workspace), so only the hand edit differs
    expect(diff.stdout).toBe('Path        Param    five    by-hand    Change\nextra.yaml  loss     huber   l1         -\n');
  });
});

describe('exp push / pull carry the outputs with the refs', { timeout: 120_000 }, () => {
  let repo: ExpRepo;
  beforeAll(async () => {
    repo = await expRepo();
  });
  afterAll(() => repo.cleanup());

  it('a clone pulls one experiment and applies it with its model from the data remote', async () => {
    const storage = tempDir();
    const origin = tempDir();
    expect((await repo.mlpipe(51, 'remote', 'add', '-d', 'storage', storage)).code).toBe(0);
    repo.commitAt(51, 'remote');
    repo.git('init', '-q', '--bare', origin);
    repo.git('push', '-q', origin, 'main');
    await repo.mlpipe(52, 'exp', 'run', '-S', 'a=3', '-n', 'exp-a3');
    await repo.mlpipe(52, 'exp', 'run', '-S', 'a=4', '-n', 'exp-a4');
    const push = await repo.mlpipe(53, '--json', 'exp', 'push', origin, 'exp-a3');
    expect(push.code).toBe(0);
    expect(JSON.parse(push.stdout).map((e: { name: string }) => e.name)).toEqual(['exp-a3']);
    // only exp-a3's ref, and its model (a=3 b=2: DVC's object 50a1d056...) is on the data remote
    expect(repo.git('ls-remote', origin, 'refs/exps/*').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(join(storage, 'files/md5/50'))).toEqual(['a1d05673a15bf3f9cd8962c2c153df']);

    const clone = tempDir();
    repo.git('clone', '-q', '-b', 'main', origin, clone);
    const pull = await runCli(['--json', 'exp', 'pull', 'origin'], { cwd: clone });
    expect(pull.stderr).toBe('');
    expect(JSON.parse(pull.stdout).map((e: { name: string }) => e.name)).toEqual(['exp-a3']);
    const apply = await runCli(['exp', 'apply', 'exp-a3'], { cwd: clone });
    expect(apply.code).toBe(0);
    expect(readFileSync(join(clone, 'model.txt'), 'utf8')).toBe('a=3 b=2\n');
    expect(readFileSync(join(clone, 'metrics.json'), 'utf8')).toBe('{"score": 32, "loss": 0.2}');
  });
});
