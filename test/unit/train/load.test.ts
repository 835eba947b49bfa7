import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../../src/train/data/load.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeTree(dir, { 't.csv': 'n,x,s,flag\n1,0.5,a,yes\n2,,b,no\n3,2.25,,yes\n' });

describe('loadTable (DuckDB)', () => {
  it('reads CSV into float64 columns (NaN for missing) and text columns (null for missing)', async () => {
    const t = await loadTable(join(dir, 't.csv'));
    expect(t.rows).toBe(3);
    expect(t.columns.map((c) => [c.name, c.kind, c.sqlType, c.nulls])).toEqual([
      ['n', 'numeric', 'BIGINT', 0],
      ['x', 'numeric', 'DOUBLE', 1],
      ['s', 'string', 'VARCHAR', 1],
      ['flag', 'string', 'VARCHAR', 0],
    ]);
    expect(Array.from(t.columns[1]!.values as Float64Array)).toEqual([0.5, Number.NaN, 2.25]);
    expect(t.columns[2]!.values).toEqual(['a', 'b', null]);
    expect(t.columns[3]!.values).toEqual(['yes', 'no', 'yes']);
  });

  it('keeps the file order of a CSV large enough for DuckDB to read in parallel (12 MB)', async () => {
    // Without preserve_insertion_order DuckDB returned this file's rows in a changing order, so the
    // train/test split and the model changed from run to run.
    const rows = 500_000;
    const lines = ['i,x,y'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${((i * 7919) % 1000) / 7},${i % 2}`);
    writeTree(dir, { 'big.csv': `${lines.join('\n')}\n` });
    const t = await loadTable(join(dir, 'big.csv'));
    expect(t.rows).toBe(rows);
    const index = t.columns[0]!.values as Float64Array;
    let misplaced = 0;
    for (let i = 0; i < rows; i++) if (index[i] !== i) misplaced++;
    expect(misplaced).toBe(0);
    expect((t.columns[1]!.values as Float64Array)[rows - 1]).toBe(((499_999 * 7919) % 1000) / 7);
  }, 120_000);

  it('lands text columns value for value, in file order, whether as codes of few values or one by one', async () => {
    // 30,000 rows (15 DuckDB chunks): `cat` and `day` have few distinct values (landed as codes into
    // them, columns.ts MAX_DICTIONARY), `id` one per row (landed value by value), `sparse` is mostly
    // missing and `none` always.
    const cats = ['DE', 'Zürich', "it's", 'a,b', 'Married-civ-spouse', ' padded '];
    const expected = { cat: [] as (string | null)[], id: [] as string[], sparse: [] as (string | null)[], day: [] as string[] };
    const lines = ['i,cat,id,sparse,none,day'];
    for (let i = 0; i < 30_000; i++) {
      const cat = i % 7 === 6 ? null : cats[(i * 31) % cats.length]!;
      const sparse = i % 1000 === 0 ? `s${i % 3}` : null;
      const day = `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`;
      expected.cat.push(cat);
      expected.id.push(`id-${i}`);
      expected.sparse.push(sparse);
      expected.day.push(day);
      lines.push([i, cat === null ? '' : `"${cat}"`, `id-${i}`, sparse ?? '', '', day].join(','));
    }
    writeTree(dir, { 'text.csv': `${lines.join('\n')}\n` });
    const t = await loadTable(join(dir, 'text.csv'));
    const column = (name: string) => t.columns.find((c) => c.name === name)!;
    expect(t.columns.map((c) => [c.name, c.kind, c.nulls])).toEqual([
      ['i', 'numeric', 0],
      ['cat', 'string', 4285],
      ['id', 'string', 0],
      ['sparse', 'string', 29_970],
      ['none', 'string', 30_000],
      ['day', 'date', 0],
    ]);
    expect(column('cat').values).toEqual(expected.cat);
    expect(column('id').values).toEqual(expected.id);
    expect(column('sparse').values).toEqual(expected.sparse);
    expect(column('day').values).toEqual(expected.day);
    expect(column('none').values).toEqual(new Array(30_000).fill(null));
  }, 60_000);

  it('reads the same table from Parquet', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${join(dir, 't.csv')}')) TO '${join(dir, 't.parquet')}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const t = await loadTable(join(dir, 't.parquet'));
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
      ['n', 'numeric'],
      ['x', 'numeric'],
      ['s', 'string'],
      ['flag', 'bool'],
    ]);
    expect(Array.from(t.columns[3]!.values as Float64Array)).toEqual([1, 0, 1]);
  });

  it('names a missing file', async () => {
    await expect(loadTable(join(dir, 'none.csv'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
