/**
 * The scaffold (`mlpipe init --template tabular --action me/mlpipe@v1`) as a team would use it on
 * GitHub, run by the harness: a user repository whose workflows use the setup action (mapped to a
 * snapshot of this repository, as GitHub would download it at its ref), tiny data, and the train
 * workflow with each classification algorithm, which registers the model; then promote.yml, the
 * deploy hook its stage tag starts, and the inference workflow on the version in prod.
 * With `include-hidden-files` taken out of the workflow (the bug upload-artifact >= 4.4 brings), the
 * first publish fails instead of committing metadata without its .gitignore entries.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ghStub } from '../harness/gh-stub.js';
import { type WorkflowRunResult, runWorkflow, triggered } from '../harness/workflow-runner.js';
import { MLPIPE_BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { dataset } from '../helpers/dataset.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NODE_MODULES = join(REPO, 'node_modules');
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@mlpipe.invalid', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@mlpipe.invalid' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

function mlpipe(cwd: string, ...args: string[]): string {
  return execFileSync(process.execPath, [MLPIPE_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
}

/** This repository as the action's checkout at its ref (with dist/ built, as after the action's build). */
function actionSnapshot(root: string): string {
  const dir = join(root, 'action');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !f.startsWith('examples/') && !f.startsWith('test/') && existsSync(join(REPO, f)));
  for (const f of files) cpSync(join(REPO, f), join(dir, f));
  cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true });
  return dir;
}

/** A user repository with the scaffold in `churn/`, data versioned and pushed, on a bare "GitHub". */
function userRepo(root: string, algorithm: string, mutate?: (trainYml: string) => string): { origin: string; sha: string; work: string } {
  const origin = join(root, 'github.git');
  const work = join(root, 'work');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'remote', 'add', 'origin', origin);
  writeFileSync(join(work, 'README.md'), '# churn\n');
  mlpipe(work, 'init', '--template', 'tabular', '--action', 'me/mlpipe@v1', 'churn');
  const project = join(work, 'churn');
  mkdirSync(join(project, 'data'));
  writeFileSync(join(project, 'data/train.csv'), dataset(120, 1));
  writeFileSync(join(project, 'data/test.csv'), dataset(40, 7));
  const params = readFileSync(join(project, 'params.yaml'), 'utf8')
    .replace('algorithm: hgb', `algorithm: ${algorithm}`)
    .replace('max_iter: 100', 'max_iter: 10\n  n_estimators: 5\n  max_depth: 4');
  writeFileSync(join(project, 'params.yaml'), params);
  mlpipe(project, 'schema', 'infer', 'data/train.csv', '-o', 'schema.yaml');
  mlpipe(project, 'add', 'data/train.csv', 'data/test.csv');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'scaffold and data');
  git(work, 'push', '-q', 'origin', 'main');
  mlpipe(project, 'push'); // the README's step 3: data on origin's mlpipe-storage branch
  if (mutate) {
    const wf = join(work, '.github/workflows/train.yml');
    writeFileSync(wf, mutate(readFileSync(wf, 'utf8')));
    git(work, 'commit', '-q', '-am', 'workflow change');
    git(work, 'push', '-q', 'origin', 'main');
  }
  return { origin, sha: git(origin, 'rev-parse', 'main'), work };
}

/** The scaffold's model artifact in churn/ (GTO's monorepo name) and the prefix of its tags. */
const ARTIFACT = 'churn/dvc.yaml:model';
const TAG = 'churn/dvc.yaml=model';

function failures(run: WorkflowRunResult): string[] {
  return Object.values(run.jobs).flatMap((j) => j.steps.filter((s) => s.outcome === 'failure').map((s) => `${j.id}: ${s.name}\n${s.output}`));
}

describe('the scaffold on GitHub (harness)', { timeout: 600_000 }, () => {
  const root = tempDir('mlpipe-scaffold-wf-');
  let action = '';
  beforeAll(() => {
    action = actionSnapshot(root);
  });
  const env = () => ({ MLPIPE_HARNESS_NODE_MODULES: NODE_MODULES, NO_COLOR: '1' });

  for (const algorithm of ['hgb', 'random_forest', 'decision_tree', 'logistic']) {
    it(`trains and publishes with ${algorithm}`, async () => {
      const dir = join(root, algorithm);
      mkdirSync(dir);
      const { origin, sha, work } = userRepo(dir, algorithm);
      const run = await runWorkflow({
        workflowFile: join(work, '.github/workflows/train.yml'), event: 'push', origin, ref: 'refs/heads/main', sha,
        workDir: join(dir, 'run'), nodeModules: NODE_MODULES, env: env(), actions: { 'me/mlpipe': action },
      });
      expect(failures(run)).toEqual([]);
      expect(git(origin, 'log', '-1', '--format=%an', 'main')).toBe('github-actions[bot]');
      const committed = git(origin, 'show', '--name-only', '--format=', 'main').split('\n').sort();
      expect(committed).toEqual(['churn/.gitignore', 'churn/dvc.lock', 'churn/metrics/eval.json', 'churn/metrics/train.json', 'churn/plots/.gitignore', 'churn/reports/.gitignore']);
      const trainPlots = git(origin, 'show', 'main:churn/dvc.lock');
      expect(trainPlots).toContain('path: plots/train');
      expect(JSON.parse(git(origin, 'show', 'main:churn/metrics/eval.json')).rows).toBe(40);
      expect(run.summary).toContain('## Data validation: passed');
      // The register job tagged the first model (nothing to beat yet) on the metadata commit.
      const v1 = git(origin, 'rev-parse', 'main');
      expect(git(origin, 'tag', '-l')).toBe(`${TAG}@v0.0.1`);
      expect(git(origin, 'rev-parse', `${TAG}@v0.0.1^{commit}`)).toBe(v1);
      if (algorithm !== 'hgb') return;

      // promote.yml assigns prod; the stage tag starts deploy.yml (by dispatch from promote, by
      // its push filter when a person pushes it), which scores the samples with that version.
      const wf = (name: string) => join(work, '.github/workflows', name);
      const stub = ghStub(join(dir, 'gh'));
      const promote = await runWorkflow({
        workflowFile: wf('promote.yml'), event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha: v1,
        inputs: { name: ARTIFACT, version: 'v0.0.1', stage: 'prod' },
        workDir: join(dir, 'promote'), nodeModules: NODE_MODULES, env: { ...env(), PATH: `${stub.dir}:${process.env.PATH}` }, actions: { 'me/mlpipe': action },
      });
      expect(failures(promote)).toEqual([]);
      const stageTag = `${TAG}#prod#1`;
      expect(git(origin, 'rev-parse', `${stageTag}^{commit}`)).toBe(v1);
      expect(readFileSync(stub.args, 'utf8')).toBe(`workflow run deploy.yml --ref ${stageTag}\n`);
      const all = ['train.yml', 'infer.yml', 'promote.yml', 'deploy.yml', 'sweep.yml'].map(wf);
      expect(triggered(all, { event: 'push', ref: `refs/tags/${stageTag}` })).toEqual([wf('deploy.yml')]);
      expect(triggered(all, { event: 'push', ref: `refs/tags/${TAG}@v0.0.1` })).toEqual([]);
      const deploy = await runWorkflow({
        workflowFile: wf('deploy.yml'), event: 'push', origin, ref: `refs/tags/${stageTag}`, sha: v1,
        workDir: join(dir, 'deploy'), nodeModules: NODE_MODULES, env: env(), actions: { 'me/mlpipe': action },
      });
      expect(failures(deploy)).toEqual([]);
      expect(JSON.parse(readFileSync(join(deploy.artifactsDir, 'deployment', 'model-used.json'), 'utf8'))).toEqual({
        artifact: ARTIFACT, version: 'v0.0.1', stage: 'prod', commit: v1, ref: stageTag, how: 'stage',
      });
      expect(deploy.summary).toContain('## Predictions: 3 rows');

      // infer.yml with no model named uses the version in prod.
      const infer = await runWorkflow({
        workflowFile: wf('infer.yml'), event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha: v1,
        inputs: { model: '', 'model-version': '', 'input-path': 'churn/samples/rows.jsonl', rows: '' },
        workDir: join(dir, 'infer'), nodeModules: NODE_MODULES, env: env(), actions: { 'me/mlpipe': action },
      });
      expect(failures(infer)).toEqual([]);
      expect(infer.summary).toContain(`## Model: ${ARTIFACT} v0.0.1 (prod)\n\nCommit \`${v1}\`: the version in stage \`prod\`.\n`);
      expect(infer.summary).toContain('## Predictions: 3 rows');
    });
  }

  it('without include-hidden-files the first publish fails: the .gitignore entries would be lost', async () => {
    const dir = join(root, 'hidden');
    mkdirSync(dir);
    const { origin, sha, work } = userRepo(dir, 'hgb', (yml) => {
      expect(yml).toContain('          include-hidden-files: true\n');
      return yml.replace(/ *#[^\n]*are hidden[^\n]*\n *include-hidden-files: true\n/, '');
    });
    const run = await runWorkflow({
      workflowFile: join(work, '.github/workflows/train.yml'), event: 'push', origin, ref: 'refs/heads/main', sha,
      workDir: join(dir, 'run'), nodeModules: NODE_MODULES, env: env(), actions: { 'me/mlpipe': action },
    });
    expect(run.conclusion).toBe('failure');
    const failed = failures(run);
    expect(failed.length).toBe(1);
    expect(failed[0]).toContain('publish: Check that the artifact delivered the metadata');
    // The project's .gitignore (a new /model entry), and those of reports/ and plots/ (new files).
    expect(failed[0]!.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      '::error::.gitignore was not delivered by the results artifact',
      '::error::plots/.gitignore was not delivered by the results artifact',
      '::error::reports/.gitignore was not delivered by the results artifact',
    ]);
    expect(git(origin, 'rev-parse', 'main')).toBe(sha);
  });
});
