import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../../src/train/data/load.js';
import { train } from '../../../src/train/train.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// #12.19 and #14.2: training on tables as people have them (IDs, dates, rows without a target, NA
// tokens), and `train --schema` reading the data with the schema's types, delimiter and null markers.

const lines = ['customer,user_id,signup,x,plan,y'];
for (let i = 0; i < 100; i++) {
  const y = i % 25 === 0 ? '' : (i * 7) % 10 > 4 ? 'churn' : 'stay';
  const x = i % 10 === 3 ? 'NA' : String((i * 7) % 10);
  lines.push(`C-${1000 + i},${5000 + i * 3},2024-01-${String((i % 28) + 1).padStart(2, '0')},${x},${['basic', 'pro'][i % 2]},${y}`);
}
const dir = tempDir();
writeTree(dir, {
  'customers.csv': `${lines.join('\n')}\n`,
  // Semicolons, "?" for missing, a code column that must stay text.
  'semi.csv': 'code;n;y\n007;1;a\n008;?;b\n009;3;a\n010;4;b\n011;?;a\n012;6;b\n',
  'semi.yaml': 'version: 1\ncsv:\n  delimiter: ";"\n  nullMarkers: ["", "?"]\ncolumns:\n  code: {type: category}\n  n: {type: float}\n  y: {type: category}\n',
  'semi-int.yaml': 'version: 1\ncsv:\n  delimiter: ";"\ncolumns:\n  code: {type: category}\n  n: {type: int}\n  y: {type: category}\n',
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string, extra: Record<string, unknown> = {}) =>
  train({ data: 'customers.csv', target: 'y', cwd: dir, out, metricsFile: null, plotsDir: null, set: ['algorithm=tree'], ...extra });

describe('training on real tables', () => {
  it('leaves out ID-like and date columns and counts rows without a target, with notes in the result and model.json', async () => {
    const r = await run('m1');
    expect(r.excluded).toEqual([
      { column: 'customer', reason: 'id' },
      { column: 'user_id', reason: 'id' },
      { column: 'signup', reason: 'date' },
    ]);
    expect(r.rows.dropped).toBe(4);
    expect(r.notes).toEqual([
      '4 of 100 row(s) have no value in the target "y" and were left out',
      'column "customer" looks like an ID (all 96 values distinct) and was left out (--set features=... naming it keeps it)',
      'column "user_id" looks like an ID (all 96 values distinct) and was left out (--set features=... naming it keeps it)',
      'column "signup" holds dates and was left out (derive numbers such as year or month from it, or --set categorical=signup)',
    ]);
    const meta = JSON.parse(readFileSync(join(dir, 'm1', 'model.json'), 'utf8'));
    expect(meta.inputSchema.map((c: { name: string; type: string; nullable: boolean }) => [c.name, c.type, c.nullable])).toEqual([
      ['x', 'int', true],
      ['plan', 'category', false],
    ]);
    expect(meta.data).toEqual({ droppedRows: 4, excluded: r.excluded, notes: r.notes });
  });

  it('keeps an ID column named in features', async () => {
    const r = await run('m2', { set: ['algorithm=tree', 'features=[customer,x]'] });
    expect(r.excluded).toEqual([]);
    const meta = JSON.parse(readFileSync(join(dir, 'm2', 'model.json'), 'utf8'));
    expect(meta.inputSchema.map((c: { name: string }) => c.name)).toEqual(['customer', 'x']);
  });
});

describe('train --schema', () => {
  it("reads with the schema's delimiter, null markers and types (007 stays a category)", async () => {
    const t = await loadTable(join(dir, 'semi.csv'), { schema: join(dir, 'semi.yaml') });
    expect(t.columns.map((c) => [c.name, c.kind, c.nulls])).toEqual([
      ['code', 'string', 0],
      ['n', 'numeric', 2],
      ['y', 'string', 0],
    ]);
    expect(t.columns[0]!.values).toEqual(['007', '008', '009', '010', '011', '012']);
    expect(Array.from(t.columns[1]!.values as Float64Array)).toEqual([1, Number.NaN, 3, 4, Number.NaN, 6]);
  });

  it('refuses a value its type cannot parse, naming column and row', async () => {
    await expect(loadTable(join(dir, 'semi.csv'), { schema: join(dir, 'semi-int.yaml') })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: 'column "n", row 2: "?" is not a valid int',
      data: { column: 'n', row: 2, value: '?' },
    });
  });
});
