import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDvcYaml } from '../../../src/pipeline/dvcyaml.js';
import { parseLock } from '../../../src/pipeline/lockfile.js';
import { formatStatus } from '../../../src/cli/render/status.js';
import { type World, stageStatus } from '../../../src/pipeline/plan.js';
import type { Stage } from '../../../src/pipeline/stage.js';
import type { PyDict } from '../../../src/pipeline/values.js';
import { parseStructured } from '../../../src/pipeline/yaml-read.js';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/dvc/pipeline/${p}`, import.meta.url), 'utf8');
const LOCK = parseLock(fixture('expected/dvc.lock'));
const PIPELINE = parseDvcYaml({ text: fixture('input/dvc.yaml'), file: 'dvc.yaml', readFile: () => undefined });
const [PREPARE, TRAIN] = PIPELINE.stages as [Stage, Stage];

/** The workspace right after the golden `dvc repro`: every hash as in dvc.lock, all in cache. */
function world(overrides: { hashes?: Record<string, string | undefined>; params?: string; notInCache?: string[] } = {}): World {
  const hashes: Record<string, string | undefined> = {};
  for (const stage of LOCK.stages.values()) for (const item of [...stage.deps, ...stage.outs]) hashes[item.path] = item.md5;
  Object.assign(hashes, overrides.hashes);
  const params = parseStructured(overrides.params ?? fixture('input/params.yaml'), 'params.yaml') as PyDict;
  return {
    hash: (p) => hashes[p],
    inCache: (item) => !(overrides.notInCache ?? []).includes(item.path),
    params: (p) => (p === 'params.yaml' ? params : undefined),
  };
}

describe('change detection (dvc status rules)', () => {
  it('reports nothing for the golden workspace after repro', () => {
    expect(stageStatus(PREPARE, LOCK.stages.get('prepare'), world())).toEqual([]);
    expect(stageStatus(TRAIN, LOCK.stages.get('train'), world())).toEqual([]);
  });

  it('reports a changed param per key, worded as the golden `dvc status`', () => {
    const w = world({ params: fixture('params-after-change.yaml') });
    const reasons = stageStatus(TRAIN, LOCK.stages.get('train'), w);
    expect(reasons).toEqual([{ 'changed deps': { 'params.yaml': { train: 'modified' } } }]);
    expect(stageStatus(PREPARE, LOCK.stages.get('prepare'), w)).toEqual([]);
    const golden = fixture('commands').split('$ dvc status\n')[2]!.split('$ dvc params diff')[0]!.trimEnd();
    expect(formatStatus([{ stage: 'train', reasons }])).toBe(golden);
  });

  it('compares params as Python does: 42 == 42.0, True == 1, and detects new and deleted keys', () => {
    const same = world({ params: 'prepare:\n  keep_rows: 3.0\ntrain:\n  lr: 0.1\n  epochs: 10\n  layers: [4, 2]\nseed: 42.0\n' });
    expect(stageStatus(TRAIN, LOCK.stages.get('train'), same)).toEqual([]);
    const deleted = world({ params: 'prepare:\n  keep_rows: 3\ntrain:\n  lr: 0.1\n  epochs: 10\n  layers: [4, 2]\n' });
    expect(stageStatus(TRAIN, LOCK.stages.get('train'), deleted)).toEqual([{ 'changed deps': { 'params.yaml': { seed: 'deleted' } } }]);
    const lock = structuredClone(LOCK.stages.get('prepare')!);
    lock.params['params.yaml'] = {};
    expect(stageStatus(PREPARE, lock, world())).toEqual([{ 'changed deps': { 'params.yaml': { 'prepare.keep_rows': 'new' } } }]);
    expect(stageStatus(PREPARE, LOCK.stages.get('prepare'), { ...world(), params: () => undefined })).toEqual([
      { 'changed deps': { 'params.yaml': 'deleted' } },
    ]);
  });

  it('reports modified and deleted deps, and outs deleted, modified, not in cache', () => {
    const w = world({ hashes: { 'data/raw.csv': '0'.repeat(32), 'model.bin': undefined, 'loss.csv': 'f'.repeat(32) }, notInCache: ['metrics.json', 'data/prepared.csv'] });
    expect(stageStatus(PREPARE, LOCK.stages.get('prepare'), w)).toEqual([
      { 'changed deps': { 'data/raw.csv': 'modified' } },
      { 'changed outs': { 'data/prepared.csv': 'not in cache' } },
    ]);
    // metrics.json is `cache: false`, so a missing cache object does not matter for it
    expect(stageStatus(TRAIN, LOCK.stages.get('train'), w)).toEqual([
      { 'changed outs': { 'model.bin': 'deleted', 'loss.csv': 'modified' } },
    ]);
    const gone = world({ hashes: { 'train.sh': undefined } });
    expect(stageStatus(TRAIN, LOCK.stages.get('train'), gone)).toEqual([{ 'changed deps': { 'train.sh': 'deleted' } }]);
  });

  it('reports a changed command, exact to the whitespace', () => {
    const stage = { ...PREPARE, cmd: 'head -n 4  data/raw.csv > data/prepared.csv' };
    expect(stageStatus(stage, LOCK.stages.get('prepare'), world())).toEqual(['changed command']);
  });

  it('a stage never run: deps modified, missing outs deleted, params new, no command change', () => {
    const w = world({ hashes: { 'data/prepared.csv': undefined } });
    expect(stageStatus(PREPARE, undefined, w)).toEqual([
      { 'changed deps': { 'data/raw.csv': 'modified', 'params.yaml': 'new' } },
      { 'changed outs': { 'data/prepared.csv': 'deleted' } },
    ]);
  });

  it('always_changed and stages without deps/outs are always changed; frozen ignores deps only', () => {
    expect(stageStatus({ ...PREPARE, alwaysChanged: true }, LOCK.stages.get('prepare'), world())).toEqual(['always changed']);
    const callback: Stage = { ...PREPARE, deps: [], params: [], outs: [], cmd: 'date' };
    expect(stageStatus(callback, { cmd: 'date', deps: [], params: {}, outs: [] }, world())).toEqual(['always changed']);
    const w = world({ hashes: { 'data/raw.csv': '0'.repeat(32), 'data/prepared.csv': undefined } });
    expect(stageStatus({ ...PREPARE, frozen: true }, LOCK.stages.get('prepare'), w)).toEqual([
      { 'changed outs': { 'data/prepared.csv': 'deleted' } },
    ]);
  });

  it('formats every kind of reason as dvc status does', () => {
    expect(
      formatStatus([
        {
          stage: 'train',
          reasons: [
            { 'changed deps': { data: 'modified', 'params.yaml': { lr: 'modified' } } },
            { 'changed outs': { 'model.pkl': 'deleted' } },
            'changed command',
          ],
        },
      ]),
    ).toBe(
      'train:\n\tchanged deps:\n\t\tmodified:           data\n\t\tparams.yaml:\n\t\t\tmodified:           lr\n\tchanged outs:\n\t\tdeleted:            model.pkl\n\tchanged command',
    );
  });
});
