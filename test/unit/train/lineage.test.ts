import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { train } from '../../../src/train/train.js';
import { tempRepo } from '../../helpers/tree.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function csv(): string {
  const lines = ['x,y,label'];
  for (let i = 0; i < 120; i++) lines.push(`${(i * 7) % 23},${i % 5},${(i * 7) % 23 > 11 ? 'a' : 'b'}`);
  return `${lines.join('\n')}\n`;
}

const data = csv();
const repo = tempRepo({
  '.dvc': { config: '' },
  'data.csv': data,
  lookup: { bar: 'bar', foo: 'foo' },
  'train.mjs': '// code, not data\n',
  'dvc.yaml': 'stages:\n  train:\n    cmd: mlpipe train\n    deps:\n    - train.mjs\n    - data.csv\n    - lookup\n    outs:\n    - model\n',
});
afterAll(() => repo.cleanup());

describe('model.json lineage', () => {
  it('records the commit, the md5 of each data dependency of the producing stage (as dvc.lock would), importance', async () => {
    const head = repo.git('rev-parse', 'HEAD').trim();
    await train({ data: 'data.csv', target: 'label', cwd: repo.dir, out: 'model', metricsFile: null, plotsDir: null, name: 'm', set: ['max_iter=5'] });
    const meta = JSON.parse(readFileSync(join(repo.dir, 'model/model.json'), 'utf8'));
    // the .dir oid of {bar: "bar", foo: "foo"} is the md5 of DVC's manifest (dvc-format.md §1.4)
    const manifest = '[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]';
    expect(meta.lineage.git).toEqual({ commit: head, dirty: false });
    expect(meta.lineage.stage).toBe('train');
    expect(meta.lineage.data).toEqual([
      { path: 'data.csv', md5: md5(data) },
      { path: 'lookup', md5: `${md5(manifest)}.dir` },
    ]);
    expect(meta.lineage.trainingSeconds).toBeGreaterThan(0);
    expect(meta.importance).toHaveLength(meta.features.length);
    expect(meta.dataHash).toBe(md5(data));
  });

  it('marks a dirty work tree', async () => {
    writeFileSync(join(repo.dir, 'train.mjs'), '// changed\n');
    await train({ data: 'data.csv', target: 'label', cwd: repo.dir, out: 'model', metricsFile: null, plotsDir: null, name: 'm', set: ['max_iter=5'] });
    const meta = JSON.parse(readFileSync(join(repo.dir, 'model/model.json'), 'utf8'));
    expect(meta.lineage.git.dirty).toBe(true);
  });
});
