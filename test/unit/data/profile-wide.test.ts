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

  it('profiles a small wide file grouped by column with the same values as in batches (every type, empty and constant columns)', async () => {
    const path = join(dir, 'mixed.csv');
    const kinds = ['int', 'float', 'category', 'string', 'bool', 'date', 'datetime', 'empty', 'constant'];
    const columns = 45; // more than one batch of 32
    const cell = (r: number, c: number) => {
      const k = kinds[c % kinds.length];
      const x = (r * 7919 + c * 104729) % 1000;
      if (r % 11 === 5 && k !== 'constant') return 'NA';
      if (k === 'int') return String(x - 300);
      if (k === 'float') return String(x / 7 - 50.25);
      if (k === 'category') return ['red', 'green', 'blue'][x % 3]!;
      if (k === 'string') return `id-${x}-${c}`;
      if (k === 'bool') return x % 2 ? 'true' : 'false';
      if (k === 'date') return `2024-0${(x % 9) + 1}-1${x % 10}`;
      if (k === 'datetime') return `2024-03-1${x % 10} 0${x % 10}:15:00`;
      if (k === 'empty') return '';
      return '0.1';
    };
    const header = Array.from({ length: columns }, (_, c) => `${kinds[c % kinds.length]}_${c}`).join(',');
    const rows = Array.from({ length: 300 }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c)).join(','));
    writeFileSync(path, `${header}\n${rows.join('\n')}\n`);
    const grouped = await profile({ data: path, wide: 'grouped' });
    const batched = await profile({ data: path, wide: 'batched' });
    expect(grouped).toEqual(batched);
    expect(grouped.columns.slice(0, 9).map((c) => [c.name, c.type, c.count, c.nulls])).toEqual([
      ['int_0', 'int', 273, 27],
      ['float_1', 'float', 273, 27],
      ['category_2', 'category', 273, 27],
      ['string_3', 'string', 273, 27],
      ['bool_4', 'bool', 273, 27],
      ['date_5', 'date', 273, 27],
      ['datetime_6', 'date', 273, 27], // detection as before: DuckDB's DATE cast takes a time part
      ['empty_7', 'string', 0, 300],
      ['constant_8', 'float', 300, 0],
    ]);
    // A column with no values and a constant column: the same shapes as a narrow file gives them.
    expect(grouped.columns[7]).toMatchObject({ distinct: 0, min: null, max: null, minLength: null, top: null, histogram: null });
    expect(grouped.columns[8]).toMatchObject({ distinct: 1, min: 0.1, max: 0.1, mean: 0.10000000000000052 /* 300 x 0.1 added in order, / 300 */, histogram: [{ lo: 0.1, hi: 0.1, count: 300 }] });
    expect(grouped.columns[2]!.top!.map((t) => t.value).sort()).toEqual(['blue', 'green', 'red']);
    // Histogram counts add up to the values counted (missing values are in no bin).
    expect(grouped.columns[0]!.histogram!.map((b) => b.count)).toEqual([15, 14, 12, 15, 11, 14, 14, 14, 13, 12, 15, 12, 15, 14, 12, 14, 14, 14, 14, 15]);
    expect(grouped.columns[0]).toMatchObject({ count: 273, nulls: 27, min: -300, max: 696 });
  });
});
