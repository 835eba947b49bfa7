import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectSource } from '../../../src/data/detect.js';
import { openDatabase, openSource } from '../../../src/data/source.js';
import { type Table, landColumns, landedSelect } from '../../../src/train/data/columns.js';
import { loadTable } from '../../../src/train/data/load.js';
import { SAMPLE_ROWS, readCsvOneScan } from '../../../src/train/data/read-csv.js';
import { Random } from '../../../src/train/random.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The two-scan reading: detectSource over the whole file, then the typed read (load.ts's fallback). */
async function twoScans(path: string): Promise<Table> {
  const db = await openDatabase({ preserveOrder: true });
  try {
    const source = await detectSource(db, path);
    for (const c of source.columns) if (c.type === 'bool') c.type = 'category';
    const opened = await openSource(db, source, { rejects: true });
    const { rows, columns } = await landColumns(db, `SELECT ${landedSelect(source.columns, true)} FROM ${opened.rawSql}`, source.columns);
    return { rows, columns };
  } finally {
    db.close();
  }
}

function csv(name: string, header: string, rows: number, cell: (r: number) => string): string {
  const lines = [header];
  for (let r = 0; r < rows; r++) lines.push(cell(r));
  writeTree(dir, { [name]: `${lines.join('\n')}\n` });
  return join(dir, name);
}

const summary = (t: Table) => t.columns.map((c) => [c.name, c.kind, c.sqlType, c.nulls]);

describe('one-scan CSV read (no schema)', () => {
  it('types every column as whole-file detection does, in one scan', async () => {
    const path = csv('types.csv', 'i,f,s,b,d,t,e', 3, (r) =>
      [
        ['1', '0.5', 'a', 'true', '2024-01-31', '2024-01-31T10:00:00', ''],
        ['NA', '1e3', '', 'False', '', '2024-02-01 11:30:00', 'NA'],
        ['-7', 'nan', 'c', 'true', '2024-03-01', '', ''],
      ][r]!.join(','),
    );
    const t = await readCsvOneScan(path, undefined);
    expect(t).toBeDefined();
    expect(summary(t!)).toEqual([
      ['i', 'numeric', 'BIGINT', 1],
      ['f', 'numeric', 'DOUBLE', 1],
      ['s', 'string', 'VARCHAR', 1],
      ['b', 'string', 'VARCHAR', 0],
      ['d', 'date', 'DATE', 1],
      // DuckDB casts '2024-01-31T10:00:00' to a DATE, so detection calls this column a date.
      ['t', 'date', 'DATE', 1],
      ['e', 'string', 'VARCHAR', 3],
    ]);
    expect(Array.from(t!.columns[0]!.values as Float64Array)).toEqual([1, Number.NaN, -7]);
    expect(Array.from(t!.columns[1]!.values as Float64Array)).toEqual([0.5, 1000, Number.NaN]);
    expect(t!.columns[3]!.values).toEqual(['true', 'False', 'true']);
    expect(t!.columns[4]!.values).toEqual(['2024-01-31', null, '2024-03-01']);
    expect(t!.columns[5]!.values).toEqual(['2024-01-31', '2024-02-01', null]);
    expect(t).toEqual(await twoScans(path));
  }, 60_000);

  it('hands a file back when a row after the sample breaks the sampled type; loadTable then reads it as before', async () => {
    const path = csv('late-float.csv', 'a,y', SAMPLE_ROWS + 500, (r) => `${r === SAMPLE_ROWS + 100 ? '2.5' : r},${r % 2}`);
    expect(await readCsvOneScan(path, undefined)).toBeUndefined();
    const t = await loadTable(path);
    expect(summary(t)).toEqual([
      ['a', 'numeric', 'DOUBLE', 0],
      ['y', 'numeric', 'BIGINT', 0],
    ]);
    expect((t.columns[0]!.values as Float64Array)[SAMPLE_ROWS + 100]).toBe(2.5);
    expect((t.columns[0]!.values as Float64Array)[SAMPLE_ROWS + 101]).toBe(SAMPLE_ROWS + 101);
  }, 60_000);

  it('detects a column with no value in the sample over the whole file', async () => {
    const path = csv('sparse.csv', 'a,b,y', SAMPLE_ROWS + 300, (r) => `${r},${r < SAMPLE_ROWS + 100 ? '' : r / 4},${r % 2}`);
    const t = await readCsvOneScan(path, undefined);
    expect(t).toBeDefined();
    expect(summary(t!)).toEqual([
      ['a', 'numeric', 'BIGINT', 0],
      ['b', 'numeric', 'DOUBLE', SAMPLE_ROWS + 100],
      ['y', 'numeric', 'BIGINT', 0],
    ]);
    expect((t!.columns[1]!.values as Float64Array)[SAMPLE_ROWS + 299]).toBe((SAMPLE_ROWS + 299) / 4);
  }, 60_000);

  it('reports a malformed row after the sample with its line, as the two-scan read did', async () => {
    const path = csv('malformed.csv', 'a,b,y', SAMPLE_ROWS + 50, (r) => (r === SAMPLE_ROWS + 10 ? `${r},${r}` : `${r},${r},1`));
    expect(await readCsvOneScan(path, undefined)).toBeUndefined();
    await expect(loadTable(path)).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: `1 malformed row(s) in ${path}: line ${SAMPLE_ROWS + 12}: Expected Number of Columns: 3 Found: 2`,
    });
  }, 60_000);

  it('reads seeded random tables exactly as the two-scan read (types broken before, at and after the sample)', async () => {
    const random = new Random(11);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random.float() * xs.length)]!;
    const kinds = ['int', 'float', 'text', 'bool', 'date', 'empty'] as const;
    const value = (kind: (typeof kinds)[number], r: number): string => {
      if (random.float() < 0.05) return pick(['', 'NA', 'nan', 'None']);
      switch (kind) {
        case 'int':
          return String(Math.floor(random.float() * 2000) - 1000);
        case 'float':
          return String(random.float() * 1e3);
        case 'text':
          return pick(['x', 'y', 'z w', '"q,r"']);
        case 'bool':
          return pick(['true', 'false', 'TRUE']);
        case 'date':
          return `2024-0${1 + (r % 9)}-1${r % 10}`;
        default:
          return '';
      }
    };
    let oneScan = 0;
    for (let t = 0; t < 12; t++) {
      const columns = Array.from({ length: 4 }, () => ({ kind: pick([...kinds]), odd: pick([-1, -1, 5, SAMPLE_ROWS - 1, SAMPLE_ROWS, SAMPLE_ROWS + 7]), as: pick([...kinds]) }));
      const path = csv(`random-${t}.csv`, 'c0,c1,c2,c3', SAMPLE_ROWS + 20, (r) => columns.map((c) => value(r === c.odd ? c.as : c.kind, r)).join(','));
      const fast = await readCsvOneScan(path, undefined);
      const slow = await twoScans(path);
      if (fast) oneScan++;
      expect(fast ?? slow, `table ${t}: ${JSON.stringify(columns)}`).toEqual(slow);
      expect(await loadTable(path)).toEqual(slow);
    }
    // Most tables take the one-scan path (only a type broken after the sample sends one back).
    expect(oneScan).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
