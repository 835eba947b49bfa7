import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDataOps } from '../../../src/pipeline/core-ops.js';
import { formatStatus } from '../../../src/cli/render/status.js';
import { type ReproEvent, pipelineStatus, repro } from '../../../src/pipeline/repro.js';
import { stageAdd, stageList } from '../../../src/pipeline/stage-add.js';
import { tempRepo } from '../../helpers/tree.js';

const FIXTURE = new URL('../../fixtures/dvc/pipeline/', import.meta.url).pathname;
const fixture = (p: string) => readFileSync(join(FIXTURE, p), 'utf8');

/** A git repo holding the golden pipeline's input files, with DataOps over the real core. */
function goldenWorkspace() {
  const repo = tempRepo({ '.dvc': { config: '' } });
  cpSync(join(FIXTURE, 'input'), repo.dir, { recursive: true });
  const ops = openDataOps(repo.dir);
  afterAll(() => {
    ops.close();
    repo.cleanup();
  });
  return { repo, ops };
}

describe('repro and status with the versioning core (golden pipeline)', () => {
  const { repo, ops } = goldenWorkspace();

  it('status before the first run: deps modified, outputs deleted, params new', async () => {
    expect((await pipelineStatus(ops)).changed).toEqual([
      {
        stage: 'prepare',
        reasons: [{ 'changed deps': { 'data/raw.csv': 'modified', 'params.yaml': 'new' } }, { 'changed outs': { 'data/prepared.csv': 'deleted' } }],
      },
      {
        stage: 'train',
        reasons: [
          { 'changed deps': { 'data/prepared.csv': 'deleted', 'train.sh': 'modified', 'params.yaml': 'new' } },
          { 'changed outs': { 'model.bin': 'deleted', 'metrics.json': 'deleted', 'loss.csv': 'deleted' } },
        ],
      },
    ]);
  });

  it('repro emits DVC messages; status is then empty; the param change reads as the golden `dvc status`', async () => {
    const events: ReproEvent[] = [];
    await repro({ ops, onEvent: (e) => events.push(e), stdoutToStderr: true });
    expect(events.map((e) => e.message)).toEqual([
      "Running stage 'prepare':",
      '> head -n 4 data/raw.csv > data/prepared.csv',
      "Generating lock file 'dvc.lock'",
      "Updating lock file 'dvc.lock'",
      "Running stage 'train':",
      '> sh train.sh',
      "Updating lock file 'dvc.lock'",
    ]);
    expect((await pipelineStatus(ops)).changed).toEqual([]);
    writeFileSync(join(repo.dir, 'params.yaml'), fixture('params-after-change.yaml'));
    const goldenStatus = fixture('commands').split('$ dvc status\n')[2]!.split('\n$ ')[0]!.trimEnd();
    expect(formatStatus((await pipelineStatus(ops)).changed)).toBe(goldenStatus);
  });

  it('a deleted cache object reads as "not in cache" and the stage reruns', async () => {
    writeFileSync(join(repo.dir, 'params.yaml'), fixture('input/params.yaml'));
    rmSync(join(repo.dir, '.dvc/cache/files/md5/45/8d5f1afc81ae7291a7aaad852dc12a'), { force: true });
    expect((await pipelineStatus(ops)).changed).toEqual([{ stage: 'train', reasons: [{ 'changed outs': { 'model.bin': 'not in cache' } }] }]);
    const result = await repro({ ops, stdoutToStderr: true });
    expect(result).toMatchObject({ ran: ['train'], skipped: ['prepare'] });
    expect(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8')).toBe(fixture('expected/dvc.lock'));
  });

  it('--keep-going runs independent stages after a failure and blocks the dependents', async () => {
    writeFileSync(
      join(repo.dir, 'dvc.yaml'),
      'stages:\n  bad:\n    cmd: exit 4\n    outs: [b.txt]\n  after:\n    cmd: cp b.txt c.txt\n    deps: [b.txt]\n    outs: [c.txt]\n  other:\n    cmd: echo ok > o.txt\n    outs: [o.txt]\n',
    );
    await expect(repro({ ops, keepGoing: true, stdoutToStderr: true })).rejects.toMatchObject({
      code: 'E_STAGE_FAILED',
      data: { exitCode: 4, failed: [{ stage: 'bad', exitCode: 4 }], ran: ['other'], blocked: ['after'] },
    });
    expect(readFileSync(join(repo.dir, 'o.txt'), 'utf8')).toBe('ok\n');
  });
});

describe('a workspace reproduced by DVC', () => {
  const { repo, ops } = goldenWorkspace();

  it("is up to date for mlpipe with DVC's own dvc.lock", async () => {
    // what `dvc repro` leaves: the outputs, DVC's dvc.lock, and the cached outputs in the cache
    execFileSync('sh', ['-c', 'head -n 4 data/raw.csv > data/prepared.csv && sh train.sh'], { cwd: repo.dir });
    writeFileSync(join(repo.dir, 'dvc.lock'), fixture('expected/dvc.lock'));
    for (const out of ['data/prepared.csv', 'model.bin', 'loss.csv']) await ops.commit(out);
    expect((await pipelineStatus(ops)).changed).toEqual([]);
    expect(await repro({ ops })).toMatchObject({ ran: [], skipped: ['prepare', 'train'], upToDate: true });
    expect(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8')).toBe(fixture('expected/dvc.lock'));
  });
});

describe('repro of always_changed, frozen and command-only stages', () => {
  const repo = tempRepo({
    '.dvc': { config: '' },
    'dvc.yaml':
      'stages:\n  tick:\n    cmd: date >> ticks.txt\n  every:\n    cmd: echo x > e.txt\n    outs: [e.txt]\n    always_changed: true\n  ice:\n    cmd: echo y > f.txt\n    outs: [f.txt]\n    always_changed: true\n    frozen: true\n',
  });
  const ops = openDataOps(repo.dir);
  afterAll(() => {
    ops.close();
    repo.cleanup();
  });

  it('runs command-only and always_changed stages every time, never a frozen one for that reason', async () => {
    await repro({ ops, stdoutToStderr: true });
    const second = await repro({ ops, stdoutToStderr: true });
    expect(second).toMatchObject({ ran: ['tick', 'every'], skipped: ['ice'] });
    expect(readFileSync(join(repo.dir, 'ticks.txt'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});

describe('stage add and stage list', () => {
  const repo = tempRepo({ '.dvc': { config: '' } });
  afterAll(() => repo.cleanup());

  it('writes a new dvc.yaml in DVC order and layout', () => {
    stageAdd({
      root: repo.dir,
      name: 'train',
      cmd: 'python train.py',
      deps: ['train.py', 'data'],
      params: ['lr', 'params2.yaml:a'],
      outs: ['model.pkl'],
      metricsNoCache: ['metrics.json'],
    });
    // the example of ../shared/docs/dvc-format.md §3.2, as ruamel dumps it
    expect(readFileSync(join(repo.dir, 'dvc.yaml'), 'utf8')).toBe(
      'stages:\n  train:\n    cmd: python train.py\n    deps:\n    - data\n    - train.py\n    params:\n    - lr\n    - params2.yaml:\n      - a\n    outs:\n    - model.pkl\n    metrics:\n    - metrics.json:\n        cache: false\n',
    );
  });

  it('adds to an existing dvc.yaml keeping comments, refuses duplicates and clashing outputs', () => {
    const path = join(repo.dir, 'dvc.yaml');
    writeFileSync(path, `# my pipeline\n${readFileSync(path, 'utf8')}`);
    stageAdd({ root: repo.dir, name: 'eval', cmd: 'python eval.py', deps: ['model.pkl'], desc: 'score the model' });
    expect(readFileSync(path, 'utf8')).toContain('# my pipeline\nstages:\n');
    expect(readFileSync(path, 'utf8')).toContain('  eval:\n    desc: score the model\n    cmd: python eval.py\n    deps:\n    - model.pkl\n');
    expect(() => stageAdd({ root: repo.dir, name: 'eval', cmd: 'x' })).toThrow(expect.objectContaining({ code: 'E_CONFLICT' }));
    expect(() => stageAdd({ root: repo.dir, name: 'copy', cmd: 'x', outs: ['model.pkl'] })).toThrow(expect.objectContaining({ code: 'E_PIPELINE' }));
    expect(stageList(repo.dir)).toEqual([
      { name: 'train', description: 'Outputs model.pkl; Reports metrics.json' },
      { name: 'eval', description: 'score the model' },
    ]);
  });
});
