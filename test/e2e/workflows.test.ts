/**
 * The two GitHub workflows, run locally by the harness (test/harness/workflow-runner.ts) against a
 * bare repository standing in for GitHub, on a snapshot of this repository. In order: a push to main
 * trains and publishes; a pull request trains and reports but pushes nothing; the inference workflow
 * pulls the published model into a fresh checkout and predicts; a pull request with data that fails
 * validation stops at validation with a readable summary.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runWorkflow } from '../harness/workflow-runner.js';
import { tempDir } from '../helpers/tree.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NODE_MODULES = join(REPO, 'node_modules');
const PROJECT = 'examples/adult-income';
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'dev',
  GIT_AUTHOR_EMAIL: 'dev@mlpipe.invalid',
  GIT_COMMITTER_NAME: 'dev',
  GIT_COMMITTER_EMAIL: 'dev@mlpipe.invalid',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A bare "GitHub" repository whose main holds this repository's files as they are in the work tree. */
function publishSnapshot(root: string): { origin: string; dev: string } {
  const origin = join(root, 'github.git');
  const dev = join(root, 'dev');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  mkdirSync(dev);
  git(dev, 'init', '-q', '-b', 'main');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(REPO, f)));
  for (const f of files) cpSync(join(REPO, f), join(dev, f), { recursive: false });
  git(dev, 'add', '-A');
  git(dev, 'commit', '-q', '-m', 'snapshot');
  git(dev, 'remote', 'add', 'origin', origin);
  git(dev, 'push', '-q', 'origin', 'main');
  return { origin, dev };
}

function workflow(name: string): string {
  return join(REPO, '.github', 'workflows', name);
}

describe('GitHub workflows, run locally against a bare repository', { timeout: 300_000 }, () => {
  const root = tempDir('mlpipe-wf-');
  let origin = '';
  let dev = '';
  const env = { MLPIPE_HARNESS_NODE_MODULES: NODE_MODULES, NO_COLOR: '1' };

  beforeAll(() => {
    ({ origin, dev } = publishSnapshot(root));
  });

  it('a push to main trains, pushes data and model to the git remote, and commits dvc.lock to main', async () => {
    const sha = git(origin, 'rev-parse', 'main');
    const run = await runWorkflow({
      workflowFile: workflow('train.yml'), event: 'push', origin, ref: 'refs/heads/main', sha,
      workDir: join(root, 'push'), nodeModules: NODE_MODULES, env,
    });
    const failed = Object.values(run.jobs).flatMap((j) => j.steps.filter((s) => s.outcome === 'failure').map((s) => `${s.name}\n${s.output}`));
    expect(failed).toEqual([]);
    expect(run.conclusion).toBe('success');
    expect(run.jobs.publish!.status).toBe('success');
    // main moved on by exactly the bot's metadata commit, holding dvc.lock and the metrics.
    expect(git(origin, 'rev-list', '--count', `${sha}..main`)).toBe('1');
    expect(git(origin, 'log', '-1', '--format=%an %s', 'main')).toBe('github-actions[bot] Update DVC metadata from training run 1 [skip ci]');
    const committed = git(origin, 'show', '--name-only', '--format=', 'main').split('\n').sort();
    expect(committed).toEqual([`${PROJECT}/.gitignore`, `${PROJECT}/data/.gitignore`, `${PROJECT}/dvc.lock`, `${PROJECT}/metrics/eval.json`, `${PROJECT}/metrics/train.json`]);
    // Every cached object dvc.lock names is on the storage branch.
    const lock = git(origin, 'show', `main:${PROJECT}/dvc.lock`);
    const stored = new Set(git(origin, 'ls-tree', '-r', '--name-only', 'mlpipe-storage').split('\n'));
    const modelOid = /path: model\n\s+hash: md5\n\s+md5: ([0-9a-f]{32}\.dir)/.exec(lock)?.[1];
    expect(modelOid).toMatch(/\.dir$/);
    expect(stored.has(`files/md5/${modelOid!.slice(0, 2)}/${modelOid!.slice(2)}`)).toBe(true);
    expect(run.summary).toContain('## Data validation: passed');
    expect(existsSync(join(run.artifactsDir, 'reports', 'validation.html'))).toBe(true);
  });

  it('a pull request trains and reports a metrics diff against main, and pushes or commits nothing', async () => {
    git(dev, 'pull', '-q', 'origin', 'main');
    git(dev, 'checkout', '-q', '-b', 'topic');
    const params = join(dev, PROJECT, 'params.yaml');
    writeFileSync(params, readFileSync(params, 'utf8').replace('max_iter: 100', 'max_iter: 20'));
    git(dev, 'commit', '-q', '-am', 'fewer boosting iterations');
    git(dev, 'push', '-q', 'origin', 'topic');
    const before = git(origin, 'for-each-ref', '--format=%(refname) %(objectname)');
    const run = await runWorkflow({
      workflowFile: workflow('train.yml'), event: 'pull_request', origin, ref: 'refs/pull/1/merge',
      sha: git(dev, 'rev-parse', 'HEAD'), baseRef: 'main', headRef: 'topic',
      workDir: join(root, 'pr'), nodeModules: NODE_MODULES, env,
    });
    expect(run.jobs.train!.steps.filter((s) => s.outcome === 'failure').map((s) => s.output)).toEqual([]);
    expect(run.jobs.publish!.status).toBe('skipped');
    expect(git(origin, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(before);
    expect(run.summary).toContain('## Metrics (this pull request vs main)');
    // The markdown table of metrics diff: the eval accuracy row with both revisions' values.
    expect(run.summary).toMatch(/\| metrics\/eval\.json\s+\| test\.accuracy\s+\| 0\.\d+\s+\| 0\.\d+/);
  });

  it('the inference workflow pulls the published model in a fresh checkout and writes predictions', async () => {
    const sha = git(origin, 'rev-parse', 'main');
    const run = await runWorkflow({
      workflowFile: workflow('infer.yml'), event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha,
      inputs: { 'model-version': 'main', 'input-path': `${PROJECT}/samples/rows.jsonl`, rows: '' },
      workDir: join(root, 'infer'), nodeModules: NODE_MODULES, env,
    });
    expect(run.jobs.predict!.steps.filter((s) => s.outcome === 'failure').map((s) => s.output)).toEqual([]);
    const csv = readFileSync(join(run.artifactsDir, 'predictions', 'predictions.csv'), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('prediction,proba_<=50K,proba_>50K');
    expect(lines.length).toBe(6);
    expect(run.summary).toContain('## Predictions: 5 rows');
  });

  it('inline JSON rows are predicted too', async () => {
    const sha = git(origin, 'rev-parse', 'main');
    const rows = JSON.stringify({ age: 52, workclass: 'Self-emp-inc', fnlwgt: 287927, education: 'HS-grad', 'education-num': 9,
      'marital-status': 'Married-civ-spouse', occupation: 'Exec-managerial', relationship: 'Wife', race: 'White', sex: 'Female',
      'capital-gain': 15024, 'capital-loss': 0, 'hours-per-week': 40, 'native-country': 'United-States' });
    const run = await runWorkflow({
      workflowFile: workflow('infer.yml'), event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha,
      inputs: { 'model-version': 'main', 'input-path': '', rows },
      workDir: join(root, 'infer-inline'), nodeModules: NODE_MODULES, env,
    });
    expect(run.conclusion).toBe('success');
    expect(run.summary).toContain('## Predictions: 1 rows');
  });

  it('a pull request whose data fails validation stops at validation with a readable summary', async () => {
    git(dev, 'checkout', '-q', 'main');
    git(dev, 'checkout', '-q', '-b', 'tighter-schema');
    const schema = join(dev, PROJECT, 'schema.yaml');
    // Claim nobody in the data is over 60: the real data has people up to 90.
    writeFileSync(schema, readFileSync(schema, 'utf8').replace('    min: 17\n    max: 90', '    min: 17\n    max: 60'));
    git(dev, 'commit', '-q', '-am', 'age at most 60');
    git(dev, 'push', '-q', 'origin', 'tighter-schema');
    const run = await runWorkflow({
      workflowFile: workflow('train.yml'), event: 'pull_request', origin, ref: 'refs/pull/2/merge',
      sha: git(dev, 'rev-parse', 'HEAD'), baseRef: 'main', headRef: 'tighter-schema',
      workDir: join(root, 'pr-invalid'), nodeModules: NODE_MODULES, env,
    });
    expect(run.conclusion).toBe('failure');
    const steps = Object.fromEntries(run.jobs.train!.steps.map((s) => [s.name, s.outcome]));
    expect(steps['Validate the data']).toBe('failure');
    expect(steps['Validation summary']).toBe('success');
    expect(steps['Reproduce the pipeline']).toBe('skipped');
    expect(run.summary).toContain('## Data validation: FAILED');
    expect(run.summary).toContain('| error | age | max | 90 | <= 60 | 2332 | 75, 78, 101, 141, 145 |');
  });
});
