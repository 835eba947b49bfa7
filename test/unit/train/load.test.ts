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
