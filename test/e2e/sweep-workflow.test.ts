/**
 * The sweep workflow (.github/workflows/sweep.yml), run by the workflow harness against a bare
 * repository standing in for GitHub, with a 4-point grid on a small project (one stage, its data
 * remote the repository's own storage branch, as examples/adult-income has). Checks: the matrix is
 * the grid's expansion, every point pushed its experiment ref and its model, the job summary ranks
 * the points with the best marked, and the pull request step branches the best point and calls
 * `gh pr create` (a stand-in `gh` on the PATH records its arguments).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, git, publishSnapshot } from '../harness/snapshot.js';
import { runWorkflow } from '../harness/workflow-runner.js';
import { tempDir, writeTree } from '../helpers/tree.js';

const NODE_MODULES = join(REPO, 'node_modules');

/** accuracy = 0.5 + lr + max_depth / 100, rounded: 0.57, 0.61, 0.64, 0.68 over the grid. */
const DEMO = {
  '.dvc': { config: '', '.gitignore': '/config.local\n/tmp\n/cache\n', 'mlpipe.config': "[core]\n    remote = storage\n['remote \"storage\"']\n    url = git\n" },
  'params.yaml': 'train:\n  lr: 0.01\n  max_depth: 2\n',
  'dvc.yaml': 'stages:\n  train:\n    cmd: node train.mjs\n    deps:\n    - train.mjs\n    params:\n    - train.lr\n    - train.max_depth\n    outs:\n    - model.txt\n    metrics:\n    - metrics.json:\n        cache: false\n',
  'train.mjs': `import { readFileSync, writeFileSync } from 'node:fs';
const text = readFileSync('params.yaml', 'utf8');
const lr = Number(/lr: ([0-9.]+)/.exec(text)[1]);
const depth = Number(/max_depth: ([0-9]+)/.exec(text)[1]);
writeFileSync('metrics.json', JSON.stringify({ accuracy: Math.round((0.5 + lr + depth / 100) * 1000) / 1000 }));
writeFileSync('model.txt', \`lr=\${lr} depth=\${depth}\\n\`);
`,
};

describe('the sweep workflow, run locally against a bare repository', { timeout: 300_000 }, () => {
  it('expands a 4-point grid into a matrix, pushes 4 experiments with their models, ranks them and opens a pull request for the best', async () => {
    const root = tempDir('mlpipe-sweep-');
    const { origin } = publishSnapshot(root, { extra: (dev) => writeTree(join(dev, 'sweep-demo'), DEMO) });
    const fakeBin = join(root, 'fake-bin');
    mkdirSync(fakeBin);
    const ghLog = join(root, 'gh-args.txt');
    writeFileSync(join(fakeBin, 'gh'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${ghLog}'\necho https://github.com/example/mlpipe/pull/7\n`);
    chmodSync(join(fakeBin, 'gh'), 0o755);
    const sha = git(origin, 'rev-parse', 'main');
    const run = await runWorkflow({
      workflowFile: join(REPO, '.github/workflows/sweep.yml'),
      event: 'workflow_dispatch',
      origin,
      ref: 'refs/heads/main',
      sha,
      inputs: {
        grid: 'train.lr=0.03,0.1;train.max_depth=4,8',
        'max-parallel': '2',
        metric: 'accuracy',
        order: 'desc',
        'open-pr': 'true',
        runner: 'ubuntu-latest',
        project: 'sweep-demo',
      },
      workDir: join(root, 'run'),
      nodeModules: NODE_MODULES,
      env: { MLPIPE_HARNESS_NODE_MODULES: NODE_MODULES, NO_COLOR: '1', PATH: `${fakeBin}:${process.env.PATH}` },
    });
    const failed = Object.values(run.jobs).flatMap((j) => j.steps.filter((s) => s.outcome === 'failure').map((s) => `${s.name}\n${s.output}`));
    expect(failed).toEqual([]);
    expect(run.conclusion).toBe('success');

    // the matrix is the grid's expansion, last key fastest
    const matrix = JSON.parse(run.jobs.expand!.outputs.matrix!);
    expect(matrix.include.map((p: { name: string; set: string[] }) => [p.name, ...p.set])).toEqual([
      ['sweep-1-1', 'train.lr=0.03', 'train.max_depth=4'],
      ['sweep-1-2', 'train.lr=0.03', 'train.max_depth=8'],
      ['sweep-1-3', 'train.lr=0.1', 'train.max_depth=4'],
      ['sweep-1-4', 'train.lr=0.1', 'train.max_depth=8'],
    ]);
    expect(run.jobs.point!.instances!.map((i) => [i.matrix.name, i.status])).toEqual([
      ['sweep-1-1', 'success'],
      ['sweep-1-2', 'success'],
      ['sweep-1-3', 'success'],
      ['sweep-1-4', 'success'],
    ]);

    // 4 experiment refs on "GitHub", each a child of main holding its params and metrics
    const refs = git(origin, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/exps').split('\n');
    expect(refs.map((r) => r.split(' ')[0])).toEqual([1, 2, 3, 4].map((n) => `refs/exps/${sha.slice(0, 2)}/${sha.slice(2)}/sweep-1-${n}`));
    const metrics = refs.map((r) => git(origin, 'show', `${r.split(' ')[1]}:sweep-demo/metrics.json`));
    expect(metrics).toEqual(['{"accuracy":0.57}', '{"accuracy":0.61}', '{"accuracy":0.64}', '{"accuracy":0.68}']);
    for (const r of refs) expect(git(origin, 'rev-parse', `${r.split(' ')[1]}~1`)).toBe(sha);
    // each point's model is on the storage branch (the project's data remote)
    const stored = new Set(git(origin, 'ls-tree', '-r', '--name-only', 'mlpipe-storage').split('\n'));
    for (const r of refs) {
      const lock = git(origin, 'show', `${r.split(' ')[1]}:sweep-demo/dvc.lock`);
      const md5 = /path: model\.txt\n\s+hash: md5\n\s+md5: ([0-9a-f]{32})/.exec(lock)![1]!;
      expect(stored.has(`files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`)).toBe(true);
    }

    // the job summary ranks the points, best first and marked
    expect(run.jobs.report!.summary).toBe(
      [
        '## Sweep: 4 of 4 points ran, sorted by metrics.json:accuracy (highest first)',
        '',
        '|    | Experiment   | train.lr   | train.max_depth   | metrics.json:accuracy   |',
        '|----|--------------|------------|-------------------|-------------------------|',
        '| ★  | sweep-1-4    | 0.1        | 8                 | 0.68                    |',
        '|    | sweep-1-3    | 0.1        | 4                 | 0.64                    |',
        '|    | sweep-1-2    | 0.03       | 8                 | 0.61                    |',
        '|    | sweep-1-1    | 0.03       | 4                 | 0.57                    |',
        '',
        'Best: **sweep-1-4** (`mlpipe exp apply sweep-1-4`).',
        '',
      ].join('\n'),
    );
    // the pull request: a branch at the best experiment, and gh called with it
    expect(git(origin, 'show', 'sweep/sweep-1-4:sweep-demo/params.yaml')).toBe('train:\n  lr: 0.1\n  max_depth: 8');
    expect(readFileSync(ghLog, 'utf8').split('\n').slice(0, 8)).toEqual(['pr', 'create', '--base', 'main', '--head', 'sweep/sweep-1-4', '--title', 'Sweep 1: apply sweep-1-4']);
  });
});
