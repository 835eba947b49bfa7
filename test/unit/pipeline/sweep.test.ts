import { describe, expect, it } from 'vitest';
import { expandGrid } from '../../../src/pipeline/exp/sweep.js';

describe('the sweep grid (one parser for `mlpipe exp sweep` and the sweep workflow)', () => {
  it('expands to the cartesian product in the order written, the last key fastest', () => {
    expect(expandGrid('train.lr=0.03,0.1;train.max_depth=4,8')).toEqual([
      { name: 'sweep-1', set: ['train.lr=0.03', 'train.max_depth=4'], args: '-S train.lr=0.03 -S train.max_depth=4' },
      { name: 'sweep-2', set: ['train.lr=0.03', 'train.max_depth=8'], args: '-S train.lr=0.03 -S train.max_depth=8' },
      { name: 'sweep-3', set: ['train.lr=0.1', 'train.max_depth=4'], args: '-S train.lr=0.1 -S train.max_depth=4' },
      { name: 'sweep-4', set: ['train.lr=0.1', 'train.max_depth=8'], args: '-S train.lr=0.1 -S train.max_depth=8' },
    ]);
  });

  it('keeps brackets and quotes whole, takes file prefixes, and quotes for the shell', () => {
    const points = expandGrid("layers=[8,4],[16,8]; cfg.yaml:act=relu, 'a b'", { prefix: 'run7' });
    expect(points.map((p) => p.set)).toEqual([
      ['layers=[8,4]', 'cfg.yaml:act=relu'],
      ['layers=[8,4]', "cfg.yaml:act='a b'"],
      ['layers=[16,8]', 'cfg.yaml:act=relu'],
      ['layers=[16,8]', "cfg.yaml:act='a b'"],
    ]);
    expect(points[1]!.args).toBe(`-S 'layers=[8,4]' -S 'cfg.yaml:act='\\''a b'\\'''`);
    expect(points.map((p) => p.name)).toEqual(['run7-1', 'run7-2', 'run7-3', 'run7-4']);
  });

  it('refuses what it cannot read, with E_USAGE', () => {
    for (const bad of ['', 'lr', 'lr=', 'lr=0.1,,0.2', '=1,2', 'lr=1;lr=2']) {
      expect(() => expandGrid(bad), bad).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    }
    expect(() => expandGrid('a=1,2', { prefix: 'bad name' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => expandGrid('a=1,2,3,4;b=1,2,3,4;c=1,2,3,4;d=1,2,3,4;e=1,2')).toThrow(/512 points, more than 256/);
  });
});
