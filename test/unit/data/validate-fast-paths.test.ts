import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { mulberry32 } from '../../../bench/lib/synthetic.mjs';
import { parseSchema } from '../../../src/data/schema.js';
import { type SourceColumn, castRejects, fastReadOptions, openDatabase, openSource } from '../../../src/data/source.js';
import { validate } from '../../../src/data/validate.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// Validation's cheaper main pass must give the answers of the plain one: dates parsed by the CSV
// reader with the schema's format (instead of TRY_STRPTIME over text), and the label balance
// counted per declared class (instead of histogram()).

/** Seeded date-like text: fields of 1-5 digits, month names, separators, signs, spaces, junk. */
function dateText(rand: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const field = () => pick([digits(1), digits(2), digits(2), digits(4), digits(4), digits(3), digits(5), pick(['Jan', 'feb', 'MARCH', 'Sept', 'dec', 'Foo'])]);
  const sep = () => pick(['-', '-', '/', ' ', '', '.', 'T', ':']);
  const parts = [field(), sep(), field(), sep(), field()];
  if (rand() < 0.1) parts.push(pick([' 12:00', 'Z', ' ', 'x', '-01']));
  if (rand() < 0.05) parts.unshift(pick([' ', '+', '-']));
  return parts.join('');
}

const FORMATS = ['%Y-%m-%d', '%d/%m/%Y', '%Y%m%d', '%d %b %Y', '%B %d %Y', '%y-%m-%d', '%m.%d.%y'];
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dates parsed by the CSV reader (dateformat) equal TRY_STRPTIME over the text', () => {
  it.each(FORMATS)('format %s: same dates, and a rejected value is one TRY_STRPTIME cannot parse', async (format) => {
    const rand = mulberry32(FORMATS.indexOf(format) + 1);
    // Real dates written in the format, mixed with random text (most of which does not parse).
    const values = Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? dateText(rand) : formatDate(format, rand)));
    const file = join(dir, `dates-${FORMATS.indexOf(format)}.csv`);
    writeFileSync(file, `i,d\n${values.map((v, i) => `${i},"${v}"`).join('\n')}\n`);
    const columns: SourceColumn[] = [
      { name: 'i', type: 'int' },
      { name: 'd', type: 'date', format },
    ];
    const source = { path: file, format: 'csv' as const, csv: { delimiter: ',', header: true, quote: '"', escape: '"', encoding: 'utf-8' as const, nullMarkers: [''], skipRows: 0 }, columns };
    const options = fastReadOptions(columns);
    expect(options).toEqual({ readerTypes: { d: 'DATE' }, dateFormat: format });
    const db = await openDatabase();
    try {
      const text = await openSource(db, source);
      const parsed = await db.all(`SELECT i, CAST(d AS VARCHAR) AS d FROM ${text.typedSql} ORDER BY i`);
      const reader = await openSource(db, source, { ...options, rejects: true });
      const read = await db.all(`SELECT i, CAST(d AS VARCHAR) AS d FROM ${reader.typedSql} ORDER BY i`);
      // Cast rejects are recorded (up to rejects_limit) and their rows dropped from the scan.
      expect(await castRejects(db)).toBe(1000);
      const byRow = new Map(read.map((r) => [String(r.i), r.d]));
      // Every row the reader kept has TRY_STRPTIME's date; every row it dropped has none.
      const kept = parsed.filter((r) => byRow.has(String(r.i)));
      expect(kept.map((r) => byRow.get(String(r.i)))).toEqual(kept.map((r) => r.d));
      expect(parsed.filter((r) => !byRow.has(String(r.i))).map((r) => r.d)).toEqual(parsed.filter((r) => r.d === null).map(() => null));
      // Not degenerate: most real dates parse (not unpadded fields of %Y%m%d), most random text does not.
      expect(kept.length).toBeGreaterThan(1500);
      expect(values.length - kept.length).toBeGreaterThan(1000);
    } finally {
      db.close();
    }
  });

  it('keeps dates with a time, an offset or no format as text, and one format per scan', () => {
    expect(
      fastReadOptions([
        { name: 'a', type: 'date', format: '%Y-%m-%d %H:%M' },
        { name: 'b', type: 'date' },
        { name: 'c', type: 'date', format: '%d.%m.%Y' },
        { name: 'd', type: 'date', format: '%Y-%m-%d' },
        { name: 'e', type: 'datetime', format: '%d.%m.%Y' },
        { name: 'f', type: 'float' },
        { name: 'g', type: 'bool' },
        { name: 'h', type: 'date', format: '%d.%m.%Y' },
      ]),
    ).toEqual({ readerTypes: { c: 'DATE', f: 'DOUBLE', g: 'BOOLEAN', h: 'DATE' }, dateFormat: '%d.%m.%Y' });
  });

  it('reports dates as written in samples, and counts bad dates exactly (text rescan)', async () => {
    writeTree(dir, {
      'seen.csv': 'signup,seen\n2015-1-1,2015-01-02\n2015-01-05,2015-1-3\n2015-02-30,2015-01-04\n 2015-01-06,2015-01-07\n',
    });
    const schema = parseSchema(
      stringify({
        version: 1,
        csv: { nullMarkers: [''] },
        columns: { signup: { type: 'date', format: '%Y-%m-%d', max: '2015-01-05' }, seen: { type: 'date', format: '%Y-%m-%d' } },
        rules: [{ name: 'order', check: 'seen >= signup' }],
      }),
    );
    const report = await validate({ data: join(dir, 'seen.csv'), schema });
    expect(report.issues.map((i) => ({ rule: i.rule, count: i.count, observed: i.observed, sample: i.sample }))).toEqual([
      { rule: 'type', count: 1, observed: '1 row(s)', sample: [{ row: 3, values: { signup: '2015-02-30' } }] },
      { rule: 'max', count: 1, observed: '2015-01-06', sample: [{ row: 4, values: { signup: ' 2015-01-06' } }] },
      { rule: 'rules.order', count: 1, observed: '1 row(s)', sample: [{ row: 2, values: { seen: '2015-1-3', signup: '2015-01-05' } }] },
    ]);
    // Without the bad date, the reader's pass is the only one; samples still show the text.
    writeTree(dir, { 'seen2.csv': 'signup,seen\n2015-1-1,2015-01-02\n2015-01-05,2015-1-3\n 2015-01-06,2015-01-07\n' });
    const clean = await validate({ data: join(dir, 'seen2.csv'), schema });
    expect(clean.issues.map((i) => ({ rule: i.rule, count: i.count, observed: i.observed, sample: i.sample }))).toEqual([
      { rule: 'max', count: 1, observed: '2015-01-06', sample: [{ row: 3, values: { signup: ' 2015-01-06' } }] },
      { rule: 'rules.order', count: 1, observed: '1 row(s)', sample: [{ row: 2, values: { seen: '2015-1-3', signup: '2015-01-05' } }] },
    ]);
    // A sample that shows no date is read with the dates still parsed by the reader: same rows.
    writeTree(dir, { 'seen3.csv': 'signup,seen,x\n2015-1-1,2015-01-02,1\n2015-01-05,2015-1-3,-1\n2015-01-04,2015-01-07,-2\n' });
    const floats = parseSchema(stringify({ version: 1, columns: { signup: { type: 'date', format: '%Y-%m-%d' }, seen: { type: 'date', format: '%Y-%m-%d' }, x: { type: 'float', min: 0 } } }));
    const third = await validate({ data: join(dir, 'seen3.csv'), schema: floats });
    expect(third.issues.map((i) => ({ rule: i.rule, count: i.count, observed: i.observed, sample: i.sample }))).toEqual([
      { rule: 'min', count: 2, observed: -2, sample: [{ row: 2, values: { x: -1 } }, { row: 3, values: { x: -2 } }] },
    ]);
  });
});

/** A real date in `format` (two-digit years for %y), with unpadded fields now and then. */
function formatDate(format: string, rand: () => number): string {
  const d = new Date(Date.UTC(1950 + Math.floor(rand() * 100), Math.floor(rand() * 12), 1 + Math.floor(rand() * 28)));
  const pad = (n: number) => (rand() < 0.2 ? String(n) : String(n).padStart(2, '0'));
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return format.replace(/%([YymdbB])/g, (_, f: string) => {
    switch (f) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return String(d.getUTCFullYear() % 100).padStart(2, '0');
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'b':
        return months[d.getUTCMonth()]!.slice(0, 3);
      default:
        return months[d.getUTCMonth()]!;
    }
  });
}

describe('label balance counted per declared class', () => {
  // Labels whose byte order differs from JavaScript's default sort (UTF-16) and from case order.
  const LABELS = ['z', 'é', 'Z', 'b10', 'b9', 'z', '😀', 'ｚ', 'b9', 'b9', ''];
  const csv = `label\n${LABELS.join('\n')}\n`;
  writeTree(dir, { 'labels.csv': csv });
  const balance = async (label: object) => {
    const schema = parseSchema(stringify({ version: 1, csv: { nullMarkers: [''] }, columns: { label: { type: 'category' } }, label: { column: 'label', ...label } }));
    const report = await validate({ data: join(dir, 'labels.csv'), schema });
    return report.issues.filter((i) => i.rule === 'label.balance').map((i) => i.observed);
  };
  // 10 non-missing labels, in histogram()'s order (UTF-8 bytes): Z, b10, b9, z, é, ｚ, 😀.
  const FRACTIONS = { Z: 0.1, b10: 0.1, b9: 0.3, z: 0.2, é: 0.1, ｚ: 0.1, '😀': 0.1 };
  const ORDER = ['Z', 'b10', 'b9', 'z', 'é', 'ｚ', '😀'];

  it('gives histogram()\'s classes and order when every label is declared (one pass)', async () => {
    const observed = await balance({ classes: ['😀', 'z', 'é', 'ｚ', 'Z', 'b9', 'b10', 'unused', 'z'], minClassFraction: 0.15 });
    expect(observed).toEqual([FRACTIONS]);
    expect(Object.keys(observed[0] as object)).toEqual(ORDER);
  });

  it('falls back to histogram() when a label is not declared, and with no classes at all', async () => {
    for (const label of [{ classes: ['z', 'b9'], minClassFraction: 0.15 }, { minClassFraction: 0.15 }]) {
      const observed = await balance(label);
      expect(observed).toEqual([FRACTIONS]);
      expect(Object.keys(observed[0] as object)).toEqual(ORDER);
    }
  });

  it('passes a balanced label with many declared classes (more than are counted one by one)', async () => {
    const classes = ['z', 'é', 'Z', 'b10', 'b9', '😀', 'ｚ', 'a', 'b', 'c', 'd', 'e'];
    expect(await balance({ classes, minClassFraction: 0.05 })).toEqual([]);
    expect(await balance({ classes, maxClassFraction: 0.25 })).toEqual([FRACTIONS]);
  });
});
