import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Issue } from '../../../src/data/issues.js';
import { parseSchema } from '../../../src/data/schema.js';
import { validate } from '../../../src/data/validate.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// Ten rows with one planted fault per check; each test validates one rule that passes and one that
// fails and asserts the exact count, observed value and offending row numbers.
const CSV = `id,start,end,score,grade,name,flag,day
1,1,5,0.5,A,alice,true,2024-01-05
2,2,3,1.5,B,bob,false,2024-02-10
3,3,2,2.5,A,carol,true,2024-03-15
4,4,8,,C,dave,false,2024-13-01
5,5,9,4.5,A,eve,maybe,2024-04-20
5,6,6,5.5,B,x,true,2024-05-25
7,7,10,abc,A,frank,false,2024-06-30
8,8,1,7.5,D,grace,true,2024-07-04
9,9,12,8.5,A,heidi,false,2024-08-08
10,10,11,9.5,B,ivan,true,2024-09-09
`;

const TYPES = {
  id: { type: 'int' },
  start: { type: 'int' },
  end: { type: 'int' },
  score: { type: 'float' },
  grade: { type: 'category' },
  name: { type: 'string' },
  flag: { type: 'bool' },
  day: { type: 'date', format: '%Y-%m-%d' },
} as const;

const dir = tempDir();
writeTree(dir, { 'data.csv': CSV });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Validates data.csv with the column types above, `columns` merged in, and top-level `extra` keys. */
async function issuesOf(columns: Record<string, object> = {}, extra: object = {}): Promise<Issue[]> {
  const cols = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [k, { ...v, ...columns[k] }]));
  const schema = parseSchema(stringify({ version: 1, columns: cols, ...extra }));
  const report = await validate({ data: join(dir, 'data.csv'), schema });
  return report.issues;
}

const brief = (i: Issue) => ({ code: i.code, column: i.column, rule: i.rule, count: i.count, observed: i.observed, rows: i.sample.map((s) => s.row) });

describe('checks: one rule passing, one failing, exact counts', () => {
  it('types: int, float, bool, date with format count unparseable values (and nothing on clean columns)', async () => {
    const issues = await issuesOf();
    expect(issues.map(brief)).toEqual([
      { code: 'invalid_type', column: 'score', rule: 'type', count: 1, observed: '1 row(s)', rows: [7] },
      { code: 'invalid_type', column: 'flag', rule: 'type', count: 1, observed: '1 row(s)', rows: [5] },
      { code: 'invalid_type', column: 'day', rule: 'type', count: 1, observed: '1 row(s)', rows: [4] },
    ]);
    expect(issues[0]!.sample[0]!.values).toEqual({ score: 'abc' });
  });

  it('an int column rejects a decimal value instead of rounding it', async () => {
    const issues = await issuesOf({ score: { type: 'int' } }, {});
    const score = issues.find((i) => i.column === 'score')!;
    // 9 non-empty values, all written with a decimal point (or not numbers at all)
    expect(brief(score)).toEqual({ code: 'invalid_type', column: 'score', rule: 'type', count: 9, observed: '9 row(s)', rows: [1, 2, 3, 5, 6] });
  });

  it('nullable: false and maxNullFraction', async () => {
    const pass = await issuesOf({ grade: { nullable: false, maxNullFraction: 0 } });
    expect(pass.filter((i) => i.column === 'grade')).toEqual([]);
    const fail = await issuesOf({ score: { nullable: false, maxNullFraction: 0.05 } });
    expect(fail.filter((i) => i.rule !== 'type').map(brief)).toEqual([
      { code: 'null_values', column: 'score', rule: 'nullable', count: 1, observed: '1 row(s)', rows: [4] },
      { code: 'null_fraction', column: 'score', rule: 'maxNullFraction', count: null, observed: 0.1, rows: [] },
    ]);
  });

  it('min / max on numbers and dates', async () => {
    const pass = await issuesOf({ start: { min: 1, max: 10 }, day: { min: '2024-01-01' } });
    expect(pass.filter((i) => i.rule === 'min' || i.rule === 'max')).toEqual([]);
    const fail = await issuesOf({ score: { min: 1, max: 9 }, day: { min: '2024-02-01' } });
    expect(fail.filter((i) => i.rule === 'min' || i.rule === 'max').map(brief)).toEqual([
      { code: 'too_small', column: 'score', rule: 'min', count: 1, observed: 0.5, rows: [1] },
      { code: 'too_big', column: 'score', rule: 'max', count: 1, observed: 9.5, rows: [10] },
      { code: 'too_small', column: 'day', rule: 'min', count: 1, observed: '2024-01-05', rows: [1] },
    ]);
  });

  it('min / max of an int column: integer, fractional and beyond-2^53 bounds', async () => {
    const fail = await issuesOf({ start: { min: 2, max: 9.5 }, end: { min: -3, max: 11 } });
    expect(fail.filter((i) => i.rule === 'min' || i.rule === 'max').map(brief)).toEqual([
      { code: 'too_small', column: 'start', rule: 'min', count: 1, observed: 1, rows: [1] },
      { code: 'too_big', column: 'start', rule: 'max', count: 1, observed: 10, rows: [10] },
      { code: 'too_big', column: 'end', rule: 'max', count: 1, observed: 12, rows: [9] },
    ]);
    // A bound of 2^53 or more is compared as a DOUBLE, as it always was: 10000000000000001 -> 1e16.
    writeTree(dir, { 'big.csv': 'n\n10000000000000001\n-10000000000000001\n' });
    const big = await validate({ data: join(dir, 'big.csv'), schema: parseSchema(stringify({ version: 1, columns: { n: { type: 'int', min: -1e16, max: 1e16 } } })) });
    expect(big.issues).toEqual([]);
  });

  it('allowed values (a missing value is not counted)', async () => {
    writeTree(dir, { 'grades.csv': 'grade\nA\n\nZ\nB\n' });
    const withNull = await validate({ data: join(dir, 'grades.csv'), schema: parseSchema(stringify({ version: 1, columns: { grade: { type: 'category', allowed: ['A', 'B'] } } })) });
    expect(withNull.issues.map(brief)).toEqual([{ code: 'invalid_value', column: 'grade', rule: 'allowed', count: 1, observed: '1 row(s)', rows: [3] }]);
    expect(await issuesOf({ grade: { allowed: ['A', 'B', 'C', 'D'] } }).then((x) => x.filter((i) => i.rule === 'allowed'))).toEqual([]);
    const fail = await issuesOf({ grade: { allowed: ['A', 'B', 'C'] } });
    expect(fail.filter((i) => i.rule === 'allowed').map(brief)).toEqual([
      { code: 'invalid_value', column: 'grade', rule: 'allowed', count: 1, observed: '1 row(s)', rows: [8] },
    ]);
  });

  it('regex pattern and string length', async () => {
    const pass = await issuesOf({ name: { pattern: '^[a-z]+$', minLength: 1, maxLength: 5 } });
    expect(pass.filter((i) => i.column === 'name')).toEqual([]);
    const fail = await issuesOf({ name: { pattern: '^[a-h]', minLength: 2, maxLength: 4 } });
    expect(fail.filter((i) => i.column === 'name').map(brief)).toEqual([
      { code: 'pattern_mismatch', column: 'name', rule: 'pattern', count: 2, observed: '2 row(s)', rows: [6, 10] },
      { code: 'too_short', column: 'name', rule: 'minLength', count: 1, observed: 1, rows: [6] },
      { code: 'too_long', column: 'name', rule: 'maxLength', count: 5, observed: 5, rows: [1, 3, 7, 8, 9] },
    ]);
  });

  it('uniqueness of one column and of a compound key (NULL key parts are not compared)', async () => {
    const pass = await issuesOf({ start: { unique: true } }, { unique: [{ columns: ['id', 'start'] }] });
    expect(pass.filter((i) => i.code === 'not_unique')).toEqual([]);
    const fail = await issuesOf({ id: { unique: true } }, { unique: [{ columns: ['grade', 'flag'] }] });
    expect(fail.filter((i) => i.code === 'not_unique').map(brief)).toEqual([
      { code: 'not_unique', column: 'id', rule: 'unique', count: 1, observed: 1, rows: [5, 6] },
      { code: 'not_unique', column: null, rule: 'unique(grade, flag)', count: 3, observed: 3, rows: [1, 3, 6, 10, 7, 9] },
    ]);
  });

  it('row count bounds', async () => {
    expect(await issuesOf({}, { rows: { min: 10, max: 10 } }).then((x) => x.filter((i) => i.code === 'row_count'))).toEqual([]);
    const fail = await issuesOf({}, { rows: { min: 20 } });
    expect(fail.filter((i) => i.code === 'row_count').map(brief)).toEqual([
      { code: 'row_count', column: null, rule: 'rows', count: null, observed: 10, rows: [] },
    ]);
  });

  it('cross-column rules (rows with NULLs are not counted as failures)', async () => {
    const pass = await issuesOf({}, { rules: [{ name: 'end_not_before_one', check: 'end >= 1 AND id <= 10' }] });
    expect(pass.filter((i) => i.code === 'rule_failed')).toEqual([]);
    const fail = await issuesOf({}, { rules: [{ name: 'end_after_start', check: 'end >= start', severity: 'warning' }] });
    const rule = fail.find((i) => i.code === 'rule_failed')!;
    expect(brief(rule)).toEqual({ code: 'rule_failed', column: null, rule: 'rules.end_after_start', count: 2, observed: '2 row(s)', rows: [3, 8] });
    expect(rule.severity).toBe('warning');
    expect(rule.sample[0]!.values).toEqual({ end: '2', start: '3' });
  });

  it('mean / std / quantile bounds (start = 1..10: mean 5.5, sample std 3.0276503540974917, median 5.5)', async () => {
    const pass = await issuesOf({ start: { mean: { min: 5, max: 6 }, std: { min: 3, max: 3.1 }, quantiles: { '0.5': { min: 5.5, max: 5.5 } } } });
    expect(pass.filter((i) => i.column === 'start')).toEqual([]);
    const fail = await issuesOf({ start: { mean: { min: 6 }, std: { max: 3 }, quantiles: { '0.9': { max: 9 } } } });
    const got = fail.filter((i) => i.column === 'start').map(brief);
    expect(got).toEqual([
      { code: 'mean_out_of_range', column: 'start', rule: 'mean', count: null, observed: 5.5, rows: [] },
      { code: 'std_out_of_range', column: 'start', rule: 'std', count: null, observed: 3.0276503540974917, rows: [] },
      // numpy.quantile(range(1, 11), 0.9) = 9.1 (linear interpolation, like quantile_cont)
      { code: 'quantile_out_of_range', column: 'start', rule: 'quantiles.0.9', count: null, observed: 9.1, rows: [] },
    ]);
  });

  it('label rules: allowed classes and class balance', async () => {
    const pass = await issuesOf({}, { label: { column: 'grade', classes: ['A', 'B', 'C', 'D'], minClassFraction: 0.1, maxClassFraction: 0.5 } });
    expect(pass.filter((i) => i.rule.startsWith('label'))).toEqual([]);
    const fail = await issuesOf({}, { label: { column: 'grade', classes: ['A', 'B', 'C'], minClassFraction: 0.2 } });
    expect(fail.filter((i) => i.rule.startsWith('label')).map(brief)).toEqual([
      { code: 'invalid_class', column: 'grade', rule: 'label.classes', count: 1, observed: '1 row(s)', rows: [8] },
      { code: 'class_balance', column: 'grade', rule: 'label.balance', count: null, observed: { A: 0.5, B: 0.3, C: 0.1, D: 0.1 }, rows: [] },
    ]);
  });

  it('required columns and the extra-columns policy', async () => {
    const schema = (extraColumns: string, more: object) => {
      const cols: Record<string, object> = { ...TYPES, ...more };
      delete cols.day;
      return parseSchema(stringify({ version: 1, extraColumns, columns: cols }));
    };
    const allow = await validate({ data: join(dir, 'data.csv'), schema: schema('allow', { zzz: { type: 'int', required: false } }) });
    expect(allow.issues.filter((i) => i.code === 'extra_column' || i.code === 'missing_column')).toEqual([]);
    const strict = await validate({ data: join(dir, 'data.csv'), schema: schema('warning', { zzz: { type: 'float' } }) });
    expect(strict.issues.filter((i) => i.code === 'extra_column' || i.code === 'missing_column').map((i) => [i.code, i.column, i.severity])).toEqual([
      ['missing_column', 'zzz', 'error'],
      ['extra_column', 'day', 'warning'],
    ]);
    expect(strict.valid).toBe(false);
  });

  it('severity: a warning-level failure leaves the data valid', async () => {
    const report = await validate({
      data: join(dir, 'data.csv'),
      schema: parseSchema(stringify({ version: 1, columns: { ...TYPES, score: { type: 'float', severity: 'warning' }, flag: { type: 'string' }, day: { type: 'string' }, id: { type: 'int', unique: { value: true, severity: 'warning' } } } })),
    });
    expect(report.issues.map((i) => [i.column, i.rule, i.severity])).toEqual([
      ['id', 'unique', 'warning'],
      ['score', 'type', 'warning'],
    ]);
    expect(report.valid).toBe(true);
    expect(report.checks).toEqual({ total: report.checks.total, passed: report.checks.total - 2, errors: 0, warnings: 2 });
  });
});
