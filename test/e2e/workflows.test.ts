/**
 * The GitHub workflows, run locally by the harness (test/harness/workflow-runner.ts) against a
 * bare repository standing in for GitHub, on a snapshot of this repository. In order: a push to main
 * trains and publishes while main moves on (the metadata commit is rebased) and registers v0.0.1;
 * promote.yml assigns prod and the stage tag fires deploy.yml, which scores a batch with v0.0.1; the
 * next push runs no stage and registers nothing (its metric does not beat prod's); a pull request
 * trains and reports but pushes nothing; the inference workflow resolves the model (by stage,
 * latest, version, ref, or the default) and predicts with it; a pull request with data that fails validation
 * stops at validation with a readable summary; with a protected main, publishing opens a pull
 * request through `gh` (a stub on PATH that records its arguments: gh cannot reach GitHub here).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type WorkflowRunResult, runWorkflow, triggered, wouldTrigger } from '../harness/workflow-runner.js';
import { ghStub } from '../harness/gh-stub.js';
import { GIT_ENV, REPO, git, publishSnapshot } from '../harness/snapshot.js';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';

const NODE_MODULES = join(REPO, 'node_modules');
const PROJECT = 'examples/adult-income';
/** The example's registered model (a monorepo name) and its tags' prefix. */
const ARTIFACT = 'examples/adult-income/dvc.yaml:income';
const TAG = 'examples/adult-income/dvc.yaml=income';
const WORKFLOWS = ['train.yml', 'infer.yml', 'promote.yml', 'deploy.yml', 'sweep.yml'].map((f) => join(REPO, '.github', 'workflows', f));

function workflow(name: string): string {
  return join(REPO, '.github', 'workflows', name);
}

describe('GitHub workflows, run locally against a bare repository', { timeout: 300_000 }, () => {
  const root = tempDir('mlpipe-wf-');
  let origin = '';
  let dev = '';
  const env = { MLPIPE_HARNESS_NODE_MODULES: NODE_MODULES, NO_COLOR: '1' };

  beforeAll(() => {
    ({ origin, dev } = publishSnapshot(root, { dist: true }));
  });
  /** The train workflow for a push to main at `sha`. */
  const pushToMain = (sha: string, name: string) =>
    runWorkflow({ workflowFile: workflow('train.yml'), event: 'push', origin, ref: 'refs/heads/main', sha, workDir: join(root, name), nodeModules: NODE_MODULES, env });

  it('a push to main trains, pushes data, model and run-cache, and commits dvc.lock to a main that moved meanwhile', async () => {
    const sha = git(origin, 'rev-parse', 'main');
    // Someone pushes to main while the run trains: the bot's push is not a fast-forward any more.
    git(dev, 'commit', '-q', '--allow-empty', '-m', 'meanwhile on main');
    git(dev, 'push', '-q', 'origin', 'main');
    const moved = git(origin, 'rev-parse', 'main');
    const run = await pushToMain(sha, 'push');
    expect(failures(run)).toEqual([]);
    expect(run.conclusion).toBe('success');
    expect(run.jobs.publish!.status).toBe('success');
    // main moved on by exactly the bot's metadata commit, on top of the other push.
    expect(git(origin, 'rev-parse', 'main~1')).toBe(moved);
    expect(git(origin, 'log', '-1', '--format=%an %s', 'main')).toBe('github-actions[bot] Update DVC metadata from training run 1 [skip ci]');
    const committed = git(origin, 'show', '--name-only', '--format=', 'main').split('\n').sort();
    expect(committed).toEqual([
      `${PROJECT}/.gitignore`, `${PROJECT}/data/.gitignore`, `${PROJECT}/dvc.lock`, `${PROJECT}/metrics/eval.json`,
      `${PROJECT}/metrics/train.json`, `${PROJECT}/plots/.gitignore`, `${PROJECT}/reports/.gitignore`,
    ]);
    // Every cached object dvc.lock names is on the storage branch, and so is the run-cache.
    const lock = git(origin, 'show', `main:${PROJECT}/dvc.lock`);
    const stored = git(origin, 'ls-tree', '-r', '--name-only', 'mlpipe-storage').split('\n');
    const modelOid = /path: model\n\s+hash: md5\n\s+md5: ([0-9a-f]{32}\.dir)/.exec(lock)?.[1];
    expect(modelOid).toMatch(/\.dir$/);
    expect(stored).toContain(`files/md5/${modelOid!.slice(0, 2)}/${modelOid!.slice(2)}`);
    expect(stored.filter((p) => p.startsWith('runs/')).length).toBe(4);
    // The bot's pushes were made with the GITHUB_TOKEN: GitHub starts no workflow for them.
    // (the storage branch twice: the objects, then the run-cache entries)
    expect(run.pushes.map((p) => `${p.job} ${p.ref} ${p.byGithubToken}`).sort()).toEqual([
      'publish refs/heads/main true', 'publish refs/heads/mlpipe-storage true', 'publish refs/heads/mlpipe-storage true',
      `register refs/tags/${TAG}@v0.0.1 true`,
    ]);
    expect(wouldTrigger(workflow('train.yml'), { event: 'push', ref: 'refs/heads/main', byGithubToken: true })).toBe(false);
    // The first model is registered (nothing to beat) on the metadata commit, by the bot.
    expect(git(origin, 'tag', '-l')).toBe(`${TAG}@v0.0.1`);
    expect(git(origin, 'rev-parse', `${TAG}@v0.0.1^{commit}`)).toBe(git(origin, 'rev-parse', 'main'));
    expect(git(origin, 'tag', '-l', '--format=%(taggername)|%(contents:subject)', `${TAG}@v0.0.1`)).toBe(
      `github-actions[bot]|Registering artifact ${ARTIFACT} version v0.0.1`,
    );
    expect(run.summary).toContain(`## Model registry\n\nCreated git tag '${TAG}@v0.0.1' that registers version`);
    // A registration starts no workflow (and the bot's token pushed it anyway).
    expect(triggered(WORKFLOWS, { event: 'push', ref: `refs/tags/${TAG}@v0.0.1` })).toEqual([]);
    expect(run.summary).toContain('## Data validation: passed');
    expect(existsSync(join(run.artifactsDir, 'reports', 'validation.html'))).toBe(true);
  });

  it('promote.yml assigns prod to v0.0.1 and pushes the stage tag; the tag fires the deploy hook, which scores the batch with that version', async () => {
    const v1 = git(origin, 'rev-parse', `${TAG}@v0.0.1^{commit}`);
    const stub = ghStub(join(root, 'gh-promote'));
    const promote = await runWorkflow({
      workflowFile: workflow('promote.yml'), event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha: git(origin, 'rev-parse', 'main'),
      inputs: { name: ARTIFACT, version: 'v0.0.1', stage: 'prod' },
      workDir: join(root, 'promote'), nodeModules: NODE_MODULES, env: { ...env, PATH: `${stub.dir}:${process.env.PATH}` },
    });
    expect(failures(promote)).toEqual([]);
    const stageTag = `${TAG}#prod#1`;
    expect(promote.pushes.map((p) => `${p.job} ${p.ref} ${p.byGithubToken}`)).toEqual([`assign refs/tags/${stageTag} true`]);
    expect(git(origin, 'rev-parse', `${stageTag}^{commit}`)).toBe(v1);
    expect(promote.summary).toBe(`## Promoted ${ARTIFACT} v0.0.1 to prod\n\nTag \`${stageTag}\`, pushed.\n`);
    // GitHub starts nothing for a tag the GITHUB_TOKEN pushed, so promote starts deploy.yml on the
    // tag itself; a person's push of the same tag would start deploy.yml (and only it) by its filter.
    expect(triggered(WORKFLOWS, { event: 'push', ref: `refs/tags/${stageTag}`, byGithubToken: true })).toEqual([]);
    expect(readFileSync(stub.args, 'utf8')).toBe(`workflow run deploy.yml --ref ${stageTag}\n`);
    expect(wouldTrigger(workflow('deploy.yml'), { event: 'workflow_dispatch', ref: `refs/tags/${stageTag}` })).toBe(true);
    expect(triggered(WORKFLOWS, { event: 'push', ref: `refs/tags/${stageTag}` })).toEqual([workflow('deploy.yml')]);
    // The tag push fires the hook: GitHub runs it on the tag's commit with github.ref the tag.
    const deploy = await runWorkflow({
      workflowFile: workflow('deploy.yml'), event: 'push', origin, ref: `refs/tags/${stageTag}`, sha: v1,
      workDir: join(root, 'deploy'), nodeModules: NODE_MODULES, env,
    });
    expect(failures(deploy)).toEqual([]);
    expect(JSON.parse(readFileSync(join(deploy.artifactsDir, 'deployment', 'model-used.json'), 'utf8'))).toEqual({
      artifact: ARTIFACT, version: 'v0.0.1', stage: 'prod', commit: v1, ref: stageTag, how: 'stage',
    });
    expect(readFileSync(join(deploy.artifactsDir, 'deployment', 'predictions.csv'), 'utf8').trim().split('\n').length).toBe(6);
    expect(deploy.summary).toContain(`## Model: ${ARTIFACT} v0.0.1 (prod)\n\nCommit \`${v1}\`: the version in stage \`prod\`.\n`);
    expect(deploy.summary).toContain('## Predictions: 5 rows');
    // Unassigning prod (NAME#prod!#N) does not match the filter: nothing is deployed for it.
    expect(triggered(WORKFLOWS, { event: 'push', ref: `refs/tags/${TAG}#prod!#3` })).toEqual([]);
  });

  it('the next push to main restores or skips every stage: no stage runs, nothing to commit', async () => {
    git(dev, 'pull', '-q', 'origin', 'main');
    writeFileSync(join(dev, 'NOTES.md'), 'a change that is not about the model\n');
    git(dev, 'add', 'NOTES.md');
    git(dev, 'commit', '-q', '-m', 'notes');
    git(dev, 'push', '-q', 'origin', 'main');
    const sha = git(origin, 'rev-parse', 'main');
    const run = await pushToMain(sha, 'push2');
    expect(failures(run)).toEqual([]);
    const trainOutput = run.jobs.train!.steps.map((s) => s.output).join('\n');
    expect(trainOutput).not.toContain('Running stage');
    expect(trainOutput).toContain("Stage 'train' didn't change, skipping");
    expect(git(origin, 'rev-parse', 'main')).toBe(sha);
    expect(run.jobs.publish!.steps.find((s) => s.name === 'Commit the DVC metadata to main')!.output).toContain('metadata unchanged: nothing to commit');
    // The same model as prod's: its metric does not beat prod's by the margin, nothing is registered.
    const auc = JSON.parse(git(origin, 'show', `main:${PROJECT}/metrics/eval.json`)).test.roc_auc as number;
    expect(run.summary).toContain(
      `## Model registry\n\nNot registered: metrics/eval.json:test.roc_auc ${auc} does not beat ${auc} (${ARTIFACT}#prod) by more than 0.002\n`,
    );
    expect(run.pushes).toEqual([]);
    expect(git(origin, 'tag', '-l').split('\n')).toEqual([`${TAG}#prod#1`, `${TAG}@v0.0.1`]);
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
    expect(failures(run)).toEqual([]);
    expect(run.jobs.publish!.status).toBe('skipped');
    expect(run.jobs.register!.status).toBe('skipped');
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
    expect(failures(run)).toEqual([]);
    const csv = readFileSync(join(run.artifactsDir, 'predictions', 'predictions.csv'), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('prediction,proba_<=50K,proba_>50K');
    expect(lines.length).toBe(6);
    expect(run.summary).toContain('## Predictions: 5 rows');
    // model-version (the older input) still names a git ref.
    expect(JSON.parse(readFileSync(join(run.artifactsDir, 'predictions', 'model-used.json'), 'utf8'))).toEqual({
      artifact: ARTIFACT, version: null, stage: null, commit: sha, ref: 'main', how: 'ref',
    });
  });

  it('infer.yml picks the model by NAME#prod, NAME@latest, NAME@vX.Y.Z, a ref, or by default prod; and records which', async () => {
    // A second version, registered by hand on main's head (the NOTES commit), so that latest is not prod.
    git(dev, 'checkout', '-q', 'main');
    git(dev, 'pull', '-q', '--tags', 'origin', 'main');
    const head = git(dev, 'rev-parse', 'HEAD');
    const v1 = git(origin, 'rev-parse', `${TAG}@v0.0.1^{commit}`);
    const registered = await runCli(['models', 'register', ARTIFACT, '--push'], { cwd: join(dev, PROJECT), env: GIT_ENV });
    expect([registered.code, registered.stderr]).toEqual([0, '']);
    expect(git(origin, 'rev-parse', `${TAG}@v0.0.2^{commit}`)).toBe(head);
    const cases: Array<[string, Record<string, string | null>]> = [
      ['', { version: 'v0.0.1', stage: 'prod', commit: v1, ref: `${TAG}@v0.0.1`, how: 'stage' }],
      [`${ARTIFACT}#prod`, { version: 'v0.0.1', stage: 'prod', commit: v1, ref: `${TAG}@v0.0.1`, how: 'stage' }],
      [`${ARTIFACT}@latest`, { version: 'v0.0.2', stage: null, commit: head, ref: `${TAG}@v0.0.2`, how: 'latest' }],
      [`${ARTIFACT}@v0.0.1`, { version: 'v0.0.1', stage: null, commit: v1, ref: `${TAG}@v0.0.1`, how: 'version' }],
      [v1, { version: null, stage: null, commit: v1, ref: v1, how: 'ref' }],
    ];
    let last = '';
    for (const [i, [model, used]] of cases.entries()) {
      const run = await runWorkflow({
        workflowFile: workflow('infer.yml'), event: 'workflow_dispatch', origin, ref: 'refs/heads/main', sha: head,
        inputs: { model, 'model-version': '', 'input-path': `${PROJECT}/samples/rows.jsonl`, rows: '' },
        workDir: join(root, `infer-by-${i}`), nodeModules: NODE_MODULES, env,
      });
      expect(failures(run)).toEqual([]);
      expect(JSON.parse(readFileSync(join(run.artifactsDir, 'predictions', 'model-used.json'), 'utf8'))).toEqual({ artifact: ARTIFACT, ...used });
      // The predict job ran on that commit.
      expect(git(run.jobs.predict!.workspace, 'rev-parse', 'HEAD')).toBe(used.commit);
      expect(run.summary).toContain(`Commit \`${used.commit}\``);
      last = run.jobs.resolve!.workspace;
    }
    // The shorthands for the workflow's own artifact (#STAGE, @latest, @vX.Y.Z), and a stage tag
    // (what deploy.yml passes), resolved by the same script in the last run's checkout.
    const bin = join(root, 'mlpipe-bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'mlpipe'))) symlinkSync(MLPIPE_BIN, join(bin, 'mlpipe'));
    const resolveModel = (model: string) => {
      const out = join(root, 'resolve-output.txt');
      writeFileSync(out, '');
      execFileSync('bash', [join(REPO, 'scripts/ci/resolve-model.sh'), model], {
        cwd: join(last, PROJECT),
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ARTIFACT, GITHUB_OUTPUT: out, NO_COLOR: '1' },
      });
      return readFileSync(out, 'utf8');
    };
    expect(resolveModel('#prod')).toBe(`commit=${v1}\nversion=v0.0.1\nstage=prod\nref=${TAG}@v0.0.1\nhow=stage\n`);
    expect(resolveModel('@latest')).toBe(`commit=${head}\nversion=v0.0.2\nstage=\nref=${TAG}@v0.0.2\nhow=latest\n`);
    expect(resolveModel('@v0.0.1')).toBe(`commit=${v1}\nversion=v0.0.1\nstage=\nref=${TAG}@v0.0.1\nhow=version\n`);
    expect(resolveModel(`${TAG}#prod#1`)).toBe(`commit=${v1}\nversion=v0.0.1\nstage=prod\nref=${TAG}@v0.0.1\nhow=version\n`);
  });

  it('deploy.yml refuses a prod tag that a later promotion superseded (a queued run never deploys an older version)', async () => {
    const assigned = await runCli(['models', 'assign', ARTIFACT, '--version', 'v0.0.2', '--stage', 'prod', '--push'], { cwd: join(dev, PROJECT), env: GIT_ENV });
    expect([assigned.code, assigned.stderr]).toEqual([0, '']);
    const v1 = git(origin, 'rev-parse', `${TAG}@v0.0.1^{commit}`);
    const v2 = git(origin, 'rev-parse', `${TAG}@v0.0.2^{commit}`);
    // The new tag (#prod#2) would start its own deploy; the run for #prod#1, still queued, must not deploy.
    expect(git(origin, 'rev-parse', `${TAG}#prod#2^{commit}`)).toBe(v2);
    const stale = await runWorkflow({
      workflowFile: workflow('deploy.yml'), event: 'push', origin, ref: `refs/tags/${TAG}#prod#1`, sha: v1,
      workDir: join(root, 'deploy-stale'), nodeModules: NODE_MODULES, env,
    });
    expect(stale.conclusion).toBe('failure');
    const check = stale.jobs.deploy!.steps.find((s) => s.name === 'Check that the tag still holds the stage')!;
    expect(check.outcome).toBe('failure');
    expect(check.output).toContain(`::error::${ARTIFACT}#prod is now at ${v2}, not ${v1} (a later promotion): not deploying ${TAG}#prod#1`);
    expect(stale.jobs.deploy!.steps.find((s) => s.name === 'Batch inference')!.outcome).toBe('skipped');
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

  it('with a protected main, publishing opens a pull request with the metadata and a metrics summary', async () => {
    git(dev, 'checkout', '-q', 'main');
    git(dev, 'pull', '-q', 'origin', 'main');
    const params = join(dev, PROJECT, 'params.yaml');
    writeFileSync(params, readFileSync(params, 'utf8').replace('max_iter: 100', 'max_iter: 30'));
    git(dev, 'commit', '-q', '-am', 'fewer iterations');
    git(dev, 'push', '-q', 'origin', 'main');
    const sha = git(origin, 'rev-parse', 'main');
    const stub = ghStub(join(root, 'gh'));
    const run = await runWorkflow({
      workflowFile: workflow('train.yml'), event: 'push', origin, ref: 'refs/heads/main', sha,
      workDir: join(root, 'protected'), nodeModules: NODE_MODULES, protectedBranches: ['main'], vars: { MLPIPE_PUBLISH: 'pull-request' },
      env: { ...env, PATH: `${stub.dir}:${process.env.PATH}` },
    });
    expect(failures(run)).toEqual([]);
    expect(git(origin, 'rev-parse', 'main')).toBe(sha);
    // The metadata went to a pull request, not main: nothing to register yet.
    expect(run.jobs.register!.status).toBe('skipped');
    expect(git(origin, 'tag', '-l', `${TAG}@*`).split('\n')).toEqual([`${TAG}@v0.0.1`, `${TAG}@v0.0.2`]);
    expect(readFileSync(stub.args, 'utf8')).toBe(
      'pr create --base main --head mlpipe/metadata-1 --title Update DVC metadata from training run 1 --body-file BODY\n',
    );
    expect(readFileSync(stub.body, 'utf8')).toMatch(/^## Metrics of training run 1\n\n\| Path +\| /);
    const files = git(origin, 'show', '--name-only', '--format=', 'mlpipe/metadata-1').split('\n').sort();
    expect(files).toEqual([`${PROJECT}/dvc.lock`, `${PROJECT}/metrics/eval.json`, `${PROJECT}/metrics/train.json`]);
  });
});

/** The failed steps of a run, with their output (empty when all passed). */
function failures(run: WorkflowRunResult): string[] {
  return Object.values(run.jobs).flatMap((j) => j.steps.filter((s) => s.outcome === 'failure').map((s) => `${j.id}: ${s.name}\n${s.output}`));
}
