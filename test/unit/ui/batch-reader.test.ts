import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { revisionReader } from '../../../src/pipeline/revision.js';
import { batchReaders, batchTimestamps } from '../../../src/ui/batch-reader.js';
import { tempRepo } from '../../helpers/tree.js';

describe('batchReaders', () => {
  // the project in a sub-folder of the git repository, as examples/adult-income is
  const repo = tempRepo({ proj: { 'params.yaml': 'lr: 1\n', 'dvc.yaml': 'stages: {}\n' }, 'params.yaml': 'top: 1\n' });
  const first = repo.git('rev-parse', 'HEAD').trim();
  writeFileSync(join(repo.dir, 'proj/params.yaml'), 'lr: 2\n');
  mkdirSync(join(repo.dir, 'proj/sub'));
  writeFileSync(join(repo.dir, 'proj/sub/x.json'), '{"a": "é"}');
  repo.commit('second');
  const second = repo.git('rev-parse', 'HEAD').trim();
  const root = join(repo.dir, 'proj');
  afterAll(() => repo.cleanup());

  it('reads what git show reads, relative to the project folder, from one git process', () => {
    const readers = batchReaders(root, [first, second, first], ['params.yaml', 'sub/x.json', 'dvc.lock']);
    for (const rev of [first, second]) {
      for (const path of ['params.yaml', 'sub/x.json', 'dvc.lock', 'dvc.yaml']) {
        expect(readers(rev).read(path)).toBe(revisionReader(root, rev).read(path));
      }
    }
    expect(readers(first).read('params.yaml')).toBe('lr: 1\n');
    expect(readers(second).read('sub/x.json')).toBe('{"a": "é"}');
    expect(readers(first).read('sub/x.json')).toBeUndefined();
    // not prefetched: read with git show
    expect(readers(second).read('dvc.yaml')).toBe('stages: {}\n');
  });

  it('leaves an unknown revision to revisionReader, which reports it', () => {
    const readers = batchReaders(root, ['nosuchrev'], ['params.yaml']);
    expect(() => readers('nosuchrev')).toThrow("unknown git revision 'nosuchrev'");
  });

  it('looks up commit times of many commits at once', () => {
    const time = batchTimestamps(root, [first, second]);
    expect(time(first)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(time('f'.repeat(40))).toBeUndefined();
  });
});
