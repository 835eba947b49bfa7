import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type TempRepo, tempDir, tempRepo } from '../helpers/tree.js';

const FIXTURE = new URL('../fixtures/dvc/pipeline/', import.meta.url).pathname;
const fixture = (p: string) => readFileSync(join(FIXTURE, p), 'utf8');
/** The verbatim output DVC printed for `$ command` in the golden `commands` file (nth occurrence). */
const golden = (command: string, nth = 1) => fixture('commands').split(`$ ${command}\n`)[nth]!.split(/\n\$ /)[0]!.replace(/\n$/, '');
const DVC_INIT = { '.dvc': { config: '', '.gitignore': '/config.local\n/tmp\n/cache\n' }, '.dvcignore': fixture('expected/.dvcignore') };

function golderRepo(): TempRepo {
  const repo = tempRepo(DVC_INIT);
  cpSync(join(FIXTURE, 'input'), repo.dir, { recursive: true });
  repo.commit('pipeline');
  return repo;
}

describe('golden pipeline (DVC 3.64)', () => {
  const repo = golderRepo();
  const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
  afterAll(() => repo.cleanup());

  it('repro runs both stages and writes dvc.lock and .gitignore byte for byte as DVC', async () => {
    const r = await mlpipe('repro');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // DVC's output up to its git hints, which mlpipe leaves out
    expect(r.stdout).toBe(`${golden('dvc repro').split('\nTo track the changes')[0]}\n`);
    expect(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8')).toBe(fixture('expected/dvc.lock'));
    expect(readFileSync(join(repo.dir, '.gitignore'), 'utf8')).toBe(fixture('expected/.gitignore'));
    expect(readFileSync(join(repo.dir, 'data/.gitignore'), 'utf8')).toBe(fixture('expected/data/.gitignore'));
    expect(readFileSync(join(repo.dir, 'metrics.json'), 'utf8')).toBe(fixture('expected/metrics.json'));
    for (const oid of ['024f6e64dc0dfbc711e277f254cff767', '458d5f1afc81ae7291a7aaad852dc12a', 'e151adcc623d8057b940f9c97553677c']) {
      expect(existsSync(join(repo.dir, '.dvc/cache/files/md5', oid.slice(0, 2), oid.slice(2)))).toBe(true);
    }
  });

  it('a second repro skips every stage with DVC words; status says what DVC said', async () => {
    const r = await mlpipe('repro');
    expect(r).toMatchObject({ code: 0, stdout: `${golden('dvc repro', 2)}\n` });
    expect(await mlpipe('status')).toMatchObject({ code: 0, stdout: `${golden('dvc status')}\n` });
  });

  it('after the param change: status, params diff and metrics show print what DVC printed; repro --dry names only train', async () => {
    repo.commit('after repro');
    writeFileSync(join(repo.dir, 'params.yaml'), fixture('params-after-change.yaml'));
    expect(await mlpipe('status')).toMatchObject({ code: 0, stdout: `${golden('dvc status', 2)}\n` });
    expect(JSON.parse((await mlpipe('--json', 'status')).stdout)).toEqual({ train: [{ 'changed deps': { 'params.yaml': { train: 'modified' } } }] });
    expect(await mlpipe('params', 'diff')).toMatchObject({ code: 0, stdout: `${golden('dvc params diff')}\n` });
    expect(await mlpipe('metrics', 'show')).toMatchObject({ code: 0, stdout: `${golden('dvc metrics show')}\n` });
    const dry = await mlpipe('repro', '--dry');
    expect(dry.stdout).toBe("Stage 'prepare' didn't change, skipping\nRunning stage 'train':\n> sh train.sh\n");
    const json = JSON.parse((await mlpipe('--json', 'params', 'diff')).stdout);
    expect(json).toEqual({ 'params.yaml': { 'train.lr': { old: 0.1, new: 0.2 } } });
  });
});

const THREE_STAGES = `stages:
  prepare:
    cmd: tr a-z A-Z < raw.txt > prepared.txt
    deps: [raw.txt]
    outs: [prepared.txt]
  train:
    cmd:
    - echo "lr=\${train.lr}" > model.txt
    - cat prepared.txt >> model.txt
    deps: [prepared.txt]
    params: [train.lr]
    outs: [model.txt]
  evaluate:
    cmd: sh eval.sh
    wdir: sub
    deps: [../model.txt, eval.sh]
    outs: [../score.txt]
    metrics:
    - ../metrics.json:
        cache: false
`;

/** Runs in wdir `sub`; checks DVC_ROOT and records DVC_STAGE in the metrics. */
const EVAL_SH = `wc -c < ../model.txt | tr -d ' ' > ../score.txt
printf '{"size": %s, "stage": "%s"}\\n' "$(cat ../score.txt)" "$DVC_STAGE" > ../metrics.json
test "$DVC_ROOT" = "$(cd .. && pwd)"
`;

describe('a three-stage pipeline', () => {
  const repo = tempRepo({ ...DVC_INIT, 'dvc.yaml': THREE_STAGES, 'params.yaml': 'train:\n  lr: 0.1\n', 'raw.txt': 'hello\n', sub: { 'eval.sh': EVAL_SH } });
  const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
  afterAll(() => repo.cleanup());

  it('runs every stage in order, then skips everything on the second run', async () => {
    const first = await mlpipe('repro');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((l) => l.startsWith('Running'))).toEqual([
      "Running stage 'prepare':",
      "Running stage 'train':",
      "Running stage 'evaluate':",
    ]);
    expect(readFileSync(join(repo.dir, 'model.txt'), 'utf8')).toBe('lr=0.1\nHELLO\n');
    expect(JSON.parse(readFileSync(join(repo.dir, 'metrics.json'), 'utf8'))).toEqual({ size: 13, stage: 'evaluate' });
    const second = await mlpipe('repro');
    expect(second).toMatchObject({
      code: 0,
      stdout:
        "Stage 'prepare' didn't change, skipping\nStage 'train' didn't change, skipping\nStage 'evaluate' didn't change, skipping\nData and pipelines are up to date.\n",
    });
  });

  it('status reads the wdir stage outputs of dvc.lock relative to its wdir (../score.txt is inside the repository)', async () => {
    expect(await mlpipe('--json', 'status')).toMatchObject({ code: 0, stdout: '{}\n' });
    const used = await mlpipe('--json', 'gc', '--workspace', '--force', '--dry');
    expect(used.code).toBe(0);
    expect(JSON.parse(used.stdout).kept).toBe(3); // prepared.txt, model.txt and ../score.txt
  });

  it('after a param edit only the affected stages rerun', async () => {
    writeFileSync(join(repo.dir, 'params.yaml'), 'train:\n  lr: 0.25\n');
    const r = await mlpipe('--json', 'repro');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ran: ['train', 'evaluate'], restored: [], skipped: ['prepare'], failed: [], blocked: [], upToDate: false });
    expect(readFileSync(join(repo.dir, 'model.txt'), 'utf8')).toBe('lr=0.25\nHELLO\n');
    expect(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8')).toContain('    params:\n      params.yaml:\n        train.lr: 0.25\n');
  });

  it('repro -f -s runs one stage even when unchanged; dag shows the chain', async () => {
    const r = await mlpipe('--json', 'repro', '-f', '-s', 'train');
    expect(JSON.parse(r.stdout)).toMatchObject({ ran: ['train'], skipped: [] });
    expect((await mlpipe('dag', '--mermaid')).stdout).toBe(
      'flowchart TD\n\tnode1["evaluate"]\n\tnode2["prepare"]\n\tnode3["train"]\n\tnode2-->node3\n\tnode3-->node1\n',
    );
  });

  it('a failing stage stops the run with its exit code and keeps the lock entries of earlier stages', async () => {
    writeFileSync(join(repo.dir, 'raw.txt'), 'changed\n');
    writeFileSync(join(repo.dir, 'dvc.yaml'), THREE_STAGES.replace('    - cat prepared.txt >> model.txt\n', '    - exit 3\n'));
    const lockBefore = readFileSync(join(repo.dir, 'dvc.lock'), 'utf8');
    const r = await mlpipe('--json', 'repro');
    expect(r.code).toBe(3);
    const err = JSON.parse(r.stdout).error;
    expect(err).toMatchObject({ code: 'E_STAGE_FAILED', message: "failed to reproduce 'train': the command exited with 3" });
    expect(err.data).toMatchObject({ exitCode: 3, ran: ['prepare'] });
    const lockAfter = readFileSync(join(repo.dir, 'dvc.lock'), 'utf8');
    // prepare's entry was updated (raw.txt changed), train's and evaluate's are as before
    expect(lockAfter).not.toBe(lockBefore);
    expect(lockAfter.slice(lockAfter.indexOf('  train:'))).toBe(lockBefore.slice(lockBefore.indexOf('  train:')));
  });

  it('an invalid dvc.yaml is E_PIPELINE (exit 11) naming the stage', async () => {
    writeFileSync(join(repo.dir, 'dvc.yaml'), 'stages:\n  a:\n    cmd: x\n    outs: [o]\n  b:\n    cmd: y\n    outs: [o]\n');
    const r = await mlpipe('repro');
    expect(r.code).toBe(11);
    expect(r.stderr).toContain("error [E_PIPELINE]: output 'o' is written by two stages: 'a' and 'b'");
  });
});

describe('experiments', () => {
  const repo = golderRepo();
  const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
  afterAll(() => repo.cleanup());

  it('exp run -S records params and metrics as a git ref; exp show lists it; survives a fresh clone', async () => {
    await mlpipe('repro');
    repo.commit('baseline');
    const run = await mlpipe('--json', 'exp', 'run', '-n', 'fast', '-S', 'train.lr=0.3');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.ran).toEqual(['train']);
    expect(result.params['params.yaml']['train.lr']).toBe(0.3);
    expect(result.metrics).toEqual({ 'metrics.json': { rows: 4, loss: 0.25 } });
    const head = repo.git('rev-parse', 'HEAD').trim();
    expect(result.experiment.ref).toBe(`refs/exps/${head.slice(0, 2)}/${head.slice(2)}/fast`);
    expect(repo.git('show', 'HEAD:params.yaml')).toContain('lr: 0.1'); // the committed params are untouched

    const show = JSON.parse((await mlpipe('--json', 'exp', 'show', '--sort-by', 'train.lr', '--sort-order', 'desc')).stdout);
    expect(show.map((r: { rev: string; name: string | null }) => [r.rev, r.name])).toEqual([
      ['workspace', null],
      [head, 'main'],
    ]);
    expect(show[1].experiments.map((e: { name: string }) => e.name)).toEqual(['fast']);
    expect(show[1].experiments[0].revs[0].data.params['params.yaml'].data.train.lr).toBe(0.3);

    // back to the baseline params, then apply the experiment
    repo.git('checkout', '--', 'params.yaml', 'dvc.lock');
    const apply = await mlpipe('exp', 'apply', 'fast');
    expect(apply.code).toBe(0);
    expect(readFileSync(join(repo.dir, 'params.yaml'), 'utf8')).toContain('  lr: 0.3\n  epochs: 10\n  layers: [4, 2]\n');

    // a fresh clone gets the experiment with `exp pull` after `exp push`
    const remote = tempDir();
    repo.git('init', '-q', '--bare', remote);
    repo.git('push', '-q', remote, 'main');
    expect((await mlpipe('exp', 'push', remote)).code).toBe(0);
    const clone = tempDir();
    repo.git('clone', '-q', '-b', 'main', remote, clone);
    const pull = await runCli(['--json', 'exp', 'pull', 'origin'], { cwd: clone });
    expect(pull.stderr).toBe('');
    const pulled = JSON.parse(pull.stdout);
    expect(pulled.map((e: { name: string }) => e.name)).toEqual(['fast']);
    const cloned = JSON.parse((await runCli(['--json', 'exp', 'show'], { cwd: clone })).stdout);
    expect(cloned[1].experiments[0]).toMatchObject({ name: 'fast', revs: [{ data: { params: { 'params.yaml': { data: { train: { lr: 0.3 } } } } } }] });
  });
});
