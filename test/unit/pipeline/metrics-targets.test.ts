import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsShowTable } from '../../../src/cli/render/metrics.js';
import { metricsDiffTargets, metricsShowTargets } from '../../../src/pipeline/metrics-targets.js';
import { tempRepo } from '../../helpers/tree.js';

/** `metrics show [TARGETS...] [-a|-T|-A]` and `metrics diff --targets`, as DVC takes them. */
describe('metrics targets and revisions', () => {
  const repo = tempRepo({
    'dvc.yaml': 'stages:\n  eval:\n    cmd: "true"\n    metrics:\n    - metrics/eval.json:\n        cache: false\n    - metrics/train.json:\n        cache: false\n',
    metrics: { 'eval.json': '{"acc": 0.8}', 'train.json': '{"acc": 0.9, "loss": 0.2}' },
    'extra.yaml': 'auc: 0.7\n',
  });
  afterAll(() => repo.cleanup());
  repo.git('tag', 'v1');
  repo.git('checkout', '-q', '-b', 'other');
  writeFileSync(join(repo.dir, 'metrics/eval.json'), '{"acc": 0.85}');
  repo.commit('better');
  repo.git('checkout', '-q', 'main');

  it('a target is a declared file, a folder of them, or any metrics file', () => {
    expect(metricsShowTargets({ root: repo.dir, targets: ['metrics/eval.json'] }).revisions).toEqual({ workspace: { 'metrics/eval.json': { acc: 0.8 } } });
    expect(Object.keys(metricsShowTargets({ root: repo.dir, targets: ['metrics'] }).revisions.workspace!)).toEqual(['metrics/eval.json', 'metrics/train.json']);
    expect(metricsShowTargets({ root: repo.dir, targets: ['extra.yaml'] }).revisions).toEqual({ workspace: { 'extra.yaml': { auc: 0.7 } } });
    expect(metricsShowTargets({ root: repo.dir, targets: ['missing.json'] }).revisions).toEqual({ workspace: {} });
  });

  it('-a adds every branch, -T every tag; the table gets a Revision column', () => {
    const result = metricsShowTargets({ root: repo.dir, targets: ['metrics/eval.json'], allBranches: true, allTags: true });
    expect(Object.keys(result.revisions)).toEqual(['workspace', 'main', 'other', 'v1']);
    expect(metricsShowTable(result)).toBe(
      'Revision    Path               acc\nworkspace   metrics/eval.json  0.8\nmain        metrics/eval.json  0.8\nother       metrics/eval.json  0.85\nv1          metrics/eval.json  0.8',
    );
  });

  it('metrics diff --targets limits the files compared', () => {
    const diff = metricsDiffTargets({ root: repo.dir, a: 'main', b: 'other', targets: ['metrics/eval.json'], all: true });
    expect(diff).toEqual({ a: 'main', b: 'other', diff: { 'metrics/eval.json': { acc: { old: 0.8, new: 0.85, diff: 0.04999999999999993 } } } });
    expect(metricsDiffTargets({ root: repo.dir, a: 'main', b: 'other', targets: ['metrics/train.json'] }).diff).toEqual({});
  });
});
