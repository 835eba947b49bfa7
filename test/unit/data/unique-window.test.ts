import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileChecks } from '../../../src/data/checks.js';
import type { Issue } from '../../../src/data/issues.js';
import { parseSchema, sourceFromSchema } from '../../../src/data/schema.js';
import { openDatabase } from '../../../src/data/source.js';
import { integerKeyWindows, keyWindowSize, validate } from '../../../src/data/validate.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// An integer key checked for uniqueness is counted with a bitmap over a window of keys (sized for
// the file: 2^16 to 2^25) placed from the first rows, plus count(DISTINCT) over the keys outside
// it. The count must stay exact whichever side of the window a repeated key falls on.
// Rows 1-3000: keys 1..3000 (the probe places the window around 1). Then:
const TAIL = [
  '40000000', // row 3001: above the window
  '40000000', // row 3002: repeats row 3001, both outside
  '-50000000', // row 3003: below the window
  '7', // row 3004: repeats row 7, inside
  '', // row 3005: NULL, not compared
  '1000000000000', // row 3006: far above
  '', // row 3007: NULL again
  '1000000000000', // row 3008: repeats row 3006
];
const keys = [...Array.from({ length: 3000 }, (_, i) => String(i + 1)), ...TAIL];
const dir = tempDir();
writeTree(dir, {
  'data.csv': `id,g\n${keys.map((k, i) => `${k},${i % 2}`).join('\n')}\n`,
  // The same keys plus 5e18: beyond 2^62, no window (count(DISTINCT) alone).
  'huge.csv': `id,g\n${keys.map((k, i) => `${k === '' ? '' : String(5_000_000_000_000_000_000n + BigInt(k))},${i % 2}`).join('\n')}\n`,
  'noheader.csv': `${keys.slice(0, 10).map((k, i) => `${i},${k}`).join('\n')}\n`,
  'clean.csv': `id,g\n${Array.from({ length: 3000 }, (_, i) => `${i * 1000 - 1_000_000},0`).join('\n')}\n`,
  // 100,000 lines of 10 bytes: about 100,000 rows estimated from the head, a window of 2^18 keys.
  'long.csv': `id,g\n${Array.from({ length: 100_000 }, (_, i) => `${String(i).padStart(7, '0')},0`).join('\n')}\n`,
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const notUnique = async (file: string, schema: object): Promise<Issue[]> => {
  const report = await validate({ data: join(dir, file), schema: parseSchema(stringify({ version: 1, ...schema })) });
  return report.issues.filter((i) => i.code === 'not_unique');
};
const brief = (i: Issue) => ({ rule: i.rule, count: i.count, observed: i.observed, rows: i.sample.map((s) => s.row) });

describe('uniqueness of an integer key (bitmap window + count(DISTINCT) outside it)', () => {
  it('counts repeats inside the window, outside it, and ignores NULLs', async () => {
    const column = await notUnique('data.csv', { columns: { id: { type: 'int', unique: true }, g: { type: 'int' } } });
    // Repeated keys in order of first appearance: 7 (rows 7, 3004), 40000000 (3001, 3002), 1e12 (3006, 3008).
    expect(column.map(brief)).toEqual([{ rule: 'unique', count: 3, observed: 3, rows: [7, 3004, 3001, 3002, 3006, 3008] }]);
  });

  it('gives the same exact count without a window (keys beyond 2^62)', async () => {
    const column = await notUnique('huge.csv', { columns: { id: { type: 'int', unique: true }, g: { type: 'int' } } });
    expect(column.map(brief)).toEqual([{ rule: 'unique', count: 3, observed: 3, rows: [7, 3004, 3001, 3002, 3006, 3008] }]);
  });

  it('passes a unique key that starts below zero, and the same file as a compound key', async () => {
    expect(await notUnique('clean.csv', { columns: { id: { type: 'int', unique: true }, g: { type: 'int' } } })).toEqual([]);
    expect(await notUnique('clean.csv', { columns: { id: { type: 'int' }, g: { type: 'int' } }, unique: [{ columns: ['id', 'g'] }] })).toEqual([]);
  });

  it('places the window from the first rows (smallest key - a quarter of it), sized from the file, none past 2^62 or for text keys', async () => {
    const windows = async (file: string, columns: object) => {
      const schema = parseSchema(stringify({ version: 1, columns }));
      const db = await openDatabase();
      try {
        return await integerKeyWindows(db, schema, sourceFromSchema(schema, join(dir, file), 'csv'), new Set(['id', 'g']));
      } finally {
        db.close();
      }
    };
    expect(await windows('data.csv', { id: { type: 'int', unique: true }, g: { type: 'int' } })).toEqual(new Map([['id', { lo: 1n - 16384n, hi: 1n - 16384n + 65535n }]]));
    expect(await windows('clean.csv', { id: { type: 'int', unique: true }, g: { type: 'int' } })).toEqual(new Map([['id', { lo: -1000000n - 16384n, hi: -1000000n - 16384n + 65535n }]]));
    expect(await windows('long.csv', { id: { type: 'int', unique: true }, g: { type: 'int' } })).toEqual(new Map([['id', { lo: -65536n, hi: -65536n + 262143n }]]));
    expect(await windows('huge.csv', { id: { type: 'int', unique: true }, g: { type: 'int' } })).toEqual(new Map());
    // Without a header the columns are read by position: the key is the second one.
    const schema = parseSchema(stringify({ version: 1, csv: { header: false }, columns: { g: { type: 'int' }, id: { type: 'int', unique: true } } }));
    const db = await openDatabase();
    try {
      const found = await integerKeyWindows(db, schema, sourceFromSchema(schema, join(dir, 'noheader.csv'), 'csv'), new Set(['id', 'g']));
      expect(found).toEqual(new Map([['id', { lo: 1n - 16384n, hi: 1n - 16384n + 65535n }]]));
    } finally {
      db.close();
    }
    expect(await windows('data.csv', { id: { type: 'string', unique: true }, g: { type: 'int' } })).toEqual(new Map());
  });

  it("sizes a Parquet file's window from the rows in its metadata, and counts the same repeats", async () => {
    const parquet = join(dir, 'long.parquet');
    const db = await openDatabase();
    try {
      await db.all(`COPY (SELECT * FROM read_csv('${join(dir, 'long.csv')}', columns={'id': 'BIGINT', 'g': 'BIGINT'}, header=true, auto_detect=false)) TO '${parquet}' (FORMAT parquet)`);
      const schema = parseSchema(stringify({ version: 1, columns: { id: { type: 'int', unique: true }, g: { type: 'int' } } }));
      expect(await integerKeyWindows(db, schema, sourceFromSchema(schema, parquet, 'parquet'), new Set(['id', 'g']))).toEqual(new Map([['id', { lo: -65536n, hi: -65536n + 262143n }]]));
    } finally {
      db.close();
    }
    expect(await notUnique('long.parquet', { columns: { id: { type: 'int', unique: true }, g: { type: 'int' } } })).toEqual([]);
    expect(await notUnique('long.parquet', { columns: { id: { type: 'int' }, g: { type: 'int', unique: true } } }).then((x) => x.map((i) => i.count))).toEqual([99_999]);
  });

  it('sizes the window at twice the rows, a power of 2 from 2^16 to 2^25 (2^25 when the rows are unknown)', () => {
    expect([undefined, 0, 32768, 32769, 100_000, 2 ** 24, 2 ** 24 + 1, 1e9].map((n) => keyWindowSize(n))).toEqual([
      2n ** 25n, 2n ** 16n, 2n ** 16n, 2n ** 17n, 2n ** 18n, 2n ** 25n, 2n ** 25n, 2n ** 25n,
    ]);
  });

  it('compiles the bitmap only for a single integer key given a window', () => {
    const schema = parseSchema(stringify({ version: 1, columns: { id: { type: 'int', unique: true }, g: { type: 'int' } }, unique: [{ columns: ['id', 'g'] }] }));
    const checks = compileChecks(schema, { present: new Set(['id', 'g']), text: true, keyWindows: new Map([['id', { lo: -10n, hi: 100n }]]) });
    const observed = checks.filter((c) => c.code === 'not_unique').map((c) => c.observed);
    expect(observed).toEqual([
      'count(*) FILTER (WHERE "id" IS NOT NULL) - (coalesce(bit_count(bitstring_agg("id", -10, 100) FILTER (WHERE "id" BETWEEN -10 AND 100)), 0) + count(DISTINCT "id") FILTER (WHERE NOT ("id" BETWEEN -10 AND 100)))',
      'count(*) FILTER (WHERE "id" IS NOT NULL AND "g" IS NOT NULL) - (count(DISTINCT struct_pack("id" := "id", "g" := "g")) FILTER (WHERE "id" IS NOT NULL AND "g" IS NOT NULL))',
    ]);
  });
});
