import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inferSchema } from '../../../src/data/infer.js';
import { profile } from '../../../src/data/profile.js';
import { validate } from '../../../src/data/validate.js';
import { tempDir } from '../../helpers/tree.js';

// #12.18: distinct counts are exact; #12.11: wide files are profiled in batches of columns (through a
// Parquet spool), with the same results as a narrow file.

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('profile', () => {
  it('counts distinct values exactly (HyperLogLog said 57 for 60 and 9 for 8)', async () => {
    const path = join(dir, 'distinct.csv');
    const rows = Array.from({ length: 800 }, (_, i) => `v${(i * 37) % 60},${(i * 11) % 8},w${(i * 13) % 244}`);
    writeFileSync(path, `a,b,c\n${rows.join('\n')}\n`);
    const p = await profile({ data: path });
    expect(p.columns.map((c) => [c.name, c.distinct])).toEqual([
      ['a', 60],
      ['b', 8],
      ['c', 244],
    ]);
  });

  it('profiles 300 columns (more than one batch) the same way column by column, and the inferred schema accepts the file', async () => {
    const path = join(dir, 'wide.csv');
    const header = Array.from({ length: 300 }, (_, c) => `c${c}`).join(',');
    const rows = Array.from({ length: 7 }, (_, r) => Array.from({ length: 300 }, (_, c) => (c % 3 === 0 ? String(r * c) : c % 3 === 1 ? `${(r * c) / 7}` : r === 3 ? 'NA' : `t${(r + c) % 4}`)).join(','));
    writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
    const p = await profile({ data: path });
    expect(p.rows).toBe(7);
    expect(p.columns).toHaveLength(300);
    expect(p.columns.slice(0, 3).map((c) => [c.name, c.type, c.count, c.distinct])).toEqual([
      ['c0', 'int', 7, 1],
      ['c1', 'float', 7, 7],
      ['c2', 'category', 6, 3],
    ]);
    expect(p.columns[299]).toMatchObject({ name: 'c299', type: 'category', nulls: 1, distinct: 3 });
    expect(p.columns[297]).toMatchObject({ name: 'c297', type: 'int', min: 0, max: 1782, distinct: 7 });
    const { schema } = await inferSchema({ data: path });
    expect((await validate({ data: path, schema })).valid).toBe(true);
  });
});
