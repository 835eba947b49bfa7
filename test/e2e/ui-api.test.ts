import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUiHandler } from '../../src/ui/handler.js';
import { runCli } from '../helpers/cli.js';
import { type UiRepo, uiRepo } from '../helpers/ui-repo.js';

// The dashboard's request handler called in-process (no sockets) over a real repository.
describe('dashboard API', () => {
  let repo: UiRepo;
  let handle: ReturnType<typeof createUiHandler>;
  const get = async (path: string, init?: RequestInit, h = handle) => {
    const res = await h(new Request(`http://ui.test${path}`, init));
    // biome-ignore lint/suspicious/noExplicitAny: the JSON bodies are checked field by field below
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    repo = await uiRepo();
    handle = createUiHandler({ root: repo.dir });
  });
  afterAll(() => repo?.cleanup());

  it('/api/experiments: the workspace, every commit of the branch and its experiments, with params, metrics and data versions', async () => {
    const { status, body } = await get('/api/experiments');
    expect(status).toBe(200);
    expect(body.branch).toBe('main');
    const [c2, c1, c0] = repo.commits;
    const rows = body.experiments.map((e: Record<string, unknown>) => [e.name, e.kind, e.rev, e.baseline, e.timestamp, e.params, e.metrics]);
    const p = (lr: number, epochs: number) => ({ 'params.yaml': { lr, epochs } });
    const m = (acc: number, loss: number) => ({ 'metrics.json': { acc, loss } });
    expect(rows).toEqual([
      ['workspace', 'workspace', 'workspace', null, null, p(0.05, 4), m(0.55, 0.95)],
      ['main', 'commit', c2, null, '2024-01-01T00:20:00', p(0.2, 3), m(0.7, 0.8)],
      ['exp-b', 'experiment', expect.stringMatching(/^[0-9a-f]{40}$/), c2, '2024-01-01T00:40:00', p(0.05, 4), m(0.55, 0.95)],
      ['exp-a', 'experiment', expect.stringMatching(/^[0-9a-f]{40}$/), c2, '2024-01-01T00:30:00', p(0.3, 3), m(0.8, 0.7)],
      [c1!.slice(0, 7), 'commit', c1, null, '2024-01-01T00:10:00', p(0.1, 3), m(0.6, 0.9)],
      [c0!.slice(0, 7), 'commit', c0, null, expect.any(String), p(0.1, 3), {}],
    ]);
    const refs = repo.git('for-each-ref', '--format=%(objectname)', 'refs/exps').trim().split('\n').sort();
    expect([body.experiments[2].rev, body.experiments[3].rev].sort()).toEqual(refs);
    // data versions: the md5 of each dependency as dvc.lock records it
    expect(body.experiments[1].deps['data.csv']).toBe('be3d9427ab45a663d070b8fd5bcf6478');
    expect(body.experiments[5].deps).toEqual({});
  });

  it('/api/pipeline: stages in topological order with status, deps, outs and params', async () => {
    const { body } = await get('/api/pipeline');
    expect(body.edges).toEqual([['validate', 'train']]);
    expect(body.statusError).toBeNull();
    expect(body.stages.map((s: Record<string, unknown>) => [s.name, s.status])).toEqual([
      ['validate', 'up-to-date'],
      ['train', 'up-to-date'],
    ]);
    expect(body.stages[1]).toMatchObject({
      cmd: 'node train.mjs',
      deps: ['train.mjs', 'data.csv', 'reports/validation.json'],
      outs: [
        { path: 'model', kind: 'out', cache: true },
        { path: 'metrics.json', kind: 'metric', cache: false },
        { path: 'loss.csv', kind: 'plot', cache: false },
      ],
      params: [{ file: 'params.yaml', keys: ['lr', 'epochs'] }],
    });
  });

  it('/api/pipeline: a changed param and a stage never run', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const params = readFileSync(join(repo.dir, 'params.yaml'), 'utf8');
    const yaml = readFileSync(join(repo.dir, 'dvc.yaml'), 'utf8');
    try {
      writeFileSync(join(repo.dir, 'params.yaml'), 'lr: 0.5\nepochs: 4\n');
      writeFileSync(join(repo.dir, 'dvc.yaml'), `${yaml}  report:\n    cmd: echo hi > hi.txt\n    deps:\n    - metrics.json\n    outs:\n    - hi.txt\n`);
      const { body } = await get('/api/pipeline');
      expect(body.stages.map((s: Record<string, unknown>) => [s.name, s.status])).toEqual([
        ['validate', 'up-to-date'],
        ['train', 'changed'],
        ['report', 'never-run'],
      ]);
      expect(body.stages[1].reasons).toEqual([{ 'changed deps': { 'params.yaml': { lr: 'modified' } } }]);
    } finally {
      writeFileSync(join(repo.dir, 'params.yaml'), params);
      writeFileSync(join(repo.dir, 'dvc.yaml'), yaml);
    }
  });

  it('/api/plots: the declared plots and their rows per revision', async () => {
    const c1 = repo.commits[1]!;
    const { status, body } = await get(`/api/plots?revs=workspace,${c1}`);
    expect(status).toBe(200);
    expect(body.definitions).toEqual([{ id: 'loss.csv', sources: [{ file: 'loss.csv', y: ['loss'], x: 'step' }], template: 'linear' }]);
    expect(body.series).toEqual([
      { rev: 'workspace', file: 'loss.csv', rows: [{ step: 0, loss: 0.95 }, { step: 1, loss: 0.475 }, { step: 2, loss: 0.317 }, { step: 3, loss: 0.238 }] },
      { rev: c1, file: 'loss.csv', rows: [{ step: 0, loss: 0.9 }, { step: 1, loss: 0.45 }, { step: 2, loss: 0.3 }] },
    ]);
    expect(await get('/api/plots?revs=--output=x')).toEqual({ status: 400, body: { code: 'E_USAGE', message: "'--output=x' is not a revision (expected 'workspace', a commit sha or a ref name)" } });
    expect((await get('/api/plots?revs=nosuchrev')).status).toBe(404);
  });

  it('/api/data and /api/models: the validation report and the model folder among the outputs', async () => {
    const data = (await get('/api/data')).body;
    expect(data.map((d: { path: string; report: Record<string, unknown> }) => [d.path, d.report.valid, d.report.rows, d.report.checks])).toEqual([
      ['reports/validation.json', false, 4, { total: 6, passed: 4, errors: 2, warnings: 0 }],
    ]);
    expect(data[0].report.issues.map((i: Record<string, unknown>) => [i.column, i.rule, i.count])).toEqual([
      ['x', 'min', 1],
      ['k', 'allowed', 1],
    ]);
    expect((await get('/api/models')).body.folders).toEqual([
      {
        path: 'model',
        name: 'toy',
        version: 'v-0.05',
        algorithm: 'logistic',
        task: 'binary',
        target: 'y',
        metrics: { acc: 0.55 },
        params: { lr: 0.05 },
        dataHash: 'd41d8cd98f00b204e9800998ecf8427e',
        createdAt: '2024-01-01T00:00:00Z',
      },
    ]);
    expect((await get('/api/models')).body.registry).toEqual([]);
  });

  it('/api/models: the registry (GTO tags), per artifact its versions, their stages and the version in each stage', async () => {
    const [c2, c1] = repo.commits;
    const at = (minute: number) => {
      const date = `2024-01-02T00:${String(minute).padStart(2, '0')}:00+00:00`;
      return { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@mlpipe.invalid', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@mlpipe.invalid', GIT_COMMITTER_DATE: date };
    };
    const cli = async (minute: number, ...args: string[]) => {
      const r = await runCli(args, { cwd: repo.dir, env: at(minute) });
      expect([r.code, r.stderr]).toEqual([0, '']);
    };
    await cli(1, 'models', 'register', 'toy', c1!, '--version', 'v1.0.0');
    await cli(2, 'models', 'register', 'toy', c2!);
    await cli(3, 'models', 'assign', 'toy', '--version', 'v1.0.0', '--stage', 'prod');
    await cli(4, 'models', 'assign', 'toy', '--version', 'v1.0.1', '--stage', 'staging');
    await cli(5, 'models', 'register', 'other', c1!);
    const tags = () => repo.git('for-each-ref', '--format=%(refname:short)', 'refs/tags').trim().split('\n');
    try {
      expect((await get('/api/models')).body.registry).toEqual([
        { name: 'other', latest: 'v0.0.1', stages: {}, versions: [{ version: 'v0.0.1', commit: c1, createdAt: '2024-01-02T00:05:00+00:00', tag: 'other@v0.0.1', stages: [] }] },
        {
          name: 'toy',
          latest: 'v1.0.1',
          stages: { prod: 'v1.0.0', staging: 'v1.0.1' },
          versions: [
            { version: 'v1.0.1', commit: c2, createdAt: '2024-01-02T00:02:00+00:00', tag: 'toy@v1.0.1', stages: ['staging'] },
            { version: 'v1.0.0', commit: c1, createdAt: '2024-01-02T00:01:00+00:00', tag: 'toy@v1.0.0', stages: ['prod'] },
          ],
        },
      ]);
      // prod moves to v1.0.1: the view follows the newest assignment, as `models show` does
      await cli(6, 'models', 'assign', 'toy', '--version', 'v1.0.1', '--stage', 'prod');
      const toy = (await get('/api/models')).body.registry[1];
      expect([toy.stages, toy.versions.map((v: { stages: string[] }) => v.stages)]).toEqual([{ prod: 'v1.0.1', staging: 'v1.0.1' }, [['prod', 'staging'], []]]);
    } finally {
      // the later tests see the repository without a registry
      for (const t of tags()) repo.git('tag', '-d', t);
    }
  });

  it('/api/version changes when a ref or a watched file changes, and not otherwise', async () => {
    const v1 = (await get('/api/version')).body.version;
    expect(v1).toMatch(/^[0-9a-f]{16}$/);
    expect((await get('/api/version')).body.version).toBe(v1);
    repo.git('update-ref', 'refs/heads/other', 'HEAD');
    const v2 = (await get('/api/version')).body.version;
    expect(v2).not.toBe(v1);
    repo.git('update-ref', '-d', 'refs/heads/other');
    expect((await get('/api/version')).body.version).toBe(v1);
  });

  it('is read-only, answers unknown paths with 404, and checks the token on /api/*', async () => {
    expect(await get('/api/experiments', { method: 'POST' })).toEqual({ status: 405, body: { code: 'E_USAGE', message: 'POST is not allowed: the dashboard is read-only' } });
    expect((await get('/api/nothing')).status).toBe(404);
    expect((await get('/../../etc/passwd')).status).toBe(404);
    const guarded = createUiHandler({ root: repo.dir, token: 's3cret' });
    expect((await get('/api/version', undefined, guarded)).status).toBe(401);
    expect((await get('/api/version', { headers: { authorization: 'Bearer wrong' } }, guarded)).status).toBe(401);
    expect((await get('/api/version', { headers: { authorization: 'Bearer s3cret' } }, guarded)).status).toBe(200);
    expect((await get('/api/version?token=s3cret', undefined, guarded)).status).toBe(200);
  });

  it('mlpipe ui refuses a non-loopback host without a token (E_USAGE, exit 2)', async () => {
    const r = await runCli(['ui', '--host', '0.0.0.0', '--port', '0', '--json'], { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error [E_USAGE]: serving the dashboard on 0.0.0.0 needs a token');
  });
});
