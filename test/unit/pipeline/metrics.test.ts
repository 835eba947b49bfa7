import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffTable, formatValue, metricsShowTable } from '../../../src/cli/render/metrics.js';
import { formatTable } from '../../../src/cli/render/table.js';
import { metricsDiff, metricsShow, paramsDiff } from '../../../src/pipeline/metrics.js';
import { tempRepo } from '../../helpers/tree.js';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/dvc/pipeline/${p}`, import.meta.url), 'utf8');
const goldenOutput = (command: string) => fixture('commands').split(`$ ${command}\n`)[1]!.split('\n$ ')[0]!.trimEnd();

describe('params diff and metrics show/diff (golden pipeline)', () => {
  const repo = tempRepo({
    'dvc.yaml': fixture('input/dvc.yaml'),
    'params.yaml': fixture('input/params.yaml'),
    'metrics.json': fixture('expected/metrics.json'),
    '.dvc': { config: '' },
  });
  afterAll(() => repo.cleanup());

  it('params diff HEAD vs workspace prints what DVC printed', () => {
    writeFileSync(join(repo.dir, 'params.yaml'), fixture('params-after-change.yaml'));
    const result = paramsDiff({ root: repo.dir });
    expect(result.diff).toEqual({ 'params.yaml': { 'train.lr': { old: 0.1, new: 0.2 } } });
    expect(diffTable(result, { title: 'Param', withChange: false })).toBe(goldenOutput('dvc params diff'));
  });

  it('metrics show prints what DVC printed', () => {
    const result = metricsShow({ root: repo.dir });
    expect(result.revisions).toEqual({ workspace: { 'metrics.json': { rows: 4n, loss: 0.25 } } });
    expect(metricsShowTable(result)).toBe(goldenOutput('dvc metrics show'));
  });

  it('metrics diff computes new - old, rounded to 5 digits, with a Change column', () => {
    writeFileSync(join(repo.dir, 'metrics.json'), '{"rows": 4, "loss": 0.2, "acc": {"top1": 0.9}}\n');
    const result = metricsDiff({ root: repo.dir });
    expect(result.diff).toEqual({
      'metrics.json': { 'acc.top1': { old: undefined, new: 0.9 }, loss: { old: 0.25, new: 0.2, diff: 0.2 - 0.25 } },
    });
    expect(diffTable(result, { title: 'Metric', withChange: true })).toBe(
      'Path          Metric    HEAD    workspace    Change\nmetrics.json  acc.top1  -       0.9          -\nmetrics.json  loss      0.25    0.2          -0.05',
    );
    expect(metricsShowTable(metricsShow({ root: repo.dir, revs: ['HEAD', 'workspace'] }))).toBe(
      'Revision    Path          acc.top1    loss    rows\nHEAD        metrics.json  -           0.25    4\nworkspace   metrics.json  0.9         0.2     4',
    );
  });

  it('an unknown revision is E_NOT_FOUND', () => {
    expect(() => paramsDiff({ root: repo.dir, a: 'nope' })).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
  });
});

describe('tables and number formatting', () => {
  it('formats markdown tables as tabulate github does', () => {
    expect(formatTable(['Path', 'loss'], [['m.json', '0.25']], true)).toBe('| Path   | loss   |\n|--------|--------|\n| m.json | 0.25   |');
  });

  it('rounds floats to 5 digits and prints Python reprs', () => {
    expect([formatValue(1 / 3), formatValue(2.0), formatValue(1e-7), formatValue(12n), formatValue(true), formatValue(undefined)]).toEqual([
      '0.33333', '2.0', '0.0', '12', 'True', '-',
    ]);
  });
});

describe('metrics of an old revision', () => {
  it('are read from the cache when the metrics file is a cached (git-ignored) output', () => {
    const content = '{"acc": 0.75}\n';
    const md5 = createHash('md5').update(content).digest('hex');
    const repo = tempRepo({
      '.dvc': { config: "[cache]\n    dir = ../store\n" },
      '.gitignore': '/m.json\n/store\n',
      'dvc.yaml': 'stages:\n  e:\n    cmd: x\n    metrics: [m.json]\n',
      'dvc.lock': `schema: '2.0'\nstages:\n  e:\n    cmd: x\n    outs:\n    - path: m.json\n      hash: md5\n      md5: ${md5}\n      size: 14\n`,
      store: { files: { md5: { [md5.slice(0, 2)]: { [md5.slice(2)]: content } } } },
    });
    expect(metricsShow({ root: repo.dir, revs: ['HEAD'] }).revisions).toEqual({ HEAD: { 'm.json': { acc: 0.75 } } });
    repo.cleanup();
  });
});
