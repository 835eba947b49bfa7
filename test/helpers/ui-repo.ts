import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at } from './exp-repo.js';
import { MLPIPE_BIN, runCli } from './cli.js';
import { type TempRepo, tempRepo } from './tree.js';

/**
 * A small repository for the dashboard: a `validate` stage (real `mlpipe validate --json`) and a
 * `train` stage writing metrics, a loss curve (a declared plot) and a model folder, with three
 * commits on main and two experiments (exp refs) on the last one:
 *
 *   initial (no results) -> lr 0.1 (00:10) -> lr 0.2 (00:20) -> exp-a lr 0.3 (00:30), exp-b lr 0.05 (00:40)
 */
export const TRAIN_MJS = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const p = Object.fromEntries(readFileSync('params.yaml', 'utf8').trim().split('\\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
const r = (x) => Math.round(x * 1000) / 1000;
writeFileSync('metrics.json', JSON.stringify({ acc: r(0.5 + p.lr), loss: r(1 - p.lr) }));
const rows = Array.from({ length: p.epochs }, (_, i) => \`\${i},\${r((1 - p.lr) / (i + 1))}\`);
writeFileSync('loss.csv', 'step,loss\\n' + rows.join('\\n') + '\\n');
mkdirSync('model', { recursive: true });
writeFileSync('model/model.json', JSON.stringify({ format: 'mlpipe-model', formatVersion: 1, name: 'toy', version: 'v-' + p.lr,
  algorithm: 'logistic', task: 'binary', target: 'y', metrics: { acc: r(0.5 + p.lr) }, params: { lr: p.lr }, dataHash: 'd41d8cd98f00b204e9800998ecf8427e',
  createdAt: '2024-01-01T00:00:00Z' }));
`;

export const dvcYaml = () => `stages:
  validate:
    cmd: mkdir -p reports && (node "${MLPIPE_BIN}" validate data.csv --schema schema.yaml --json > reports/validation.json; test $? -le 10)
    deps:
    - data.csv
    - schema.yaml
    outs:
    - reports/validation.json:
        cache: false
  train:
    cmd: node train.mjs
    deps:
    - train.mjs
    - data.csv
    - reports/validation.json
    params:
    - lr
    - epochs
    outs:
    - model
    metrics:
    - metrics.json:
        cache: false
    plots:
    - loss.csv:
        cache: false
        x: step
        y: loss
`;

export interface UiRepo extends TempRepo {
  /** Commit shas, newest first: [lr 0.2, lr 0.1, initial]. */
  commits: string[];
}

export async function uiRepo(): Promise<UiRepo> {
  const repo = tempRepo({
    '.dvc': { config: '', '.gitignore': '/config.local\n/tmp\n/cache\n' },
    'dvc.yaml': dvcYaml(),
    'params.yaml': 'lr: 0.1\nepochs: 3\n',
    'train.mjs': TRAIN_MJS,
    'data.csv': 'x,k\n1,a\n2,b\n3,a\n-1,c\n',
    'schema.yaml': 'version: 1\ncolumns:\n  x: {type: float, min: 0}\n  k: {type: category, allowed: [a, b]}\n',
    '.gitignore': '/model\n',
  });
  const mlpipe = async (minute: number, ...args: string[]) => {
    const r = await runCli(args, { cwd: repo.dir, env: at(minute) });
    if (r.code !== 0) throw new Error(`mlpipe ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  };
  const commitAt = (minute: number, message: string) => {
    repo.git('add', '-A');
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', message], { cwd: repo.dir, env: { ...process.env, ...at(minute) } });
  };
  await mlpipe(10, 'repro');
  commitAt(10, 'lr 0.1');
  writeFileSync(join(repo.dir, 'params.yaml'), 'lr: 0.2\nepochs: 3\n');
  await mlpipe(20, 'repro');
  commitAt(20, 'lr 0.2');
  await mlpipe(30, 'exp', 'run', '-n', 'exp-a', '-S', 'lr=0.3');
  await mlpipe(40, 'exp', 'run', '-n', 'exp-b', '-S', 'lr=0.05', '-S', 'epochs=4');
  const commits = repo.git('rev-list', 'HEAD').trim().split('\n');
  return { ...repo, commits };
}
