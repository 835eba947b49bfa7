import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/data/source.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/tree.js';

const SCHEMA = `version: 1
csv: {delimiter: ",", header: true}
columns:
  id: {type: int, unique: true}
  name: {type: string}
  score: {type: float, min: 0, max: 10}
`;

const dir = tempDir();
writeTree(dir, {
  'schema.yaml': SCHEMA,
  'good.csv': 'id,name,score\n1,a,1.5\n2,b,9\n3,c,0\n',
  'bad.csv': 'id,name,score\n1,a,1.5\n1,b,11\n3,c,-1\n',
  'empty.csv': '',
  'ragged.csv': 'id,name,score\n1,a,1.5\n2,b\n3,c,0,7\n4,d,2\n',
  'semicolon.csv': 'id;name;score\n1;a;1.5\n2;b;9\n',
  'unknown-keys.yaml': `${SCHEMA}  other: {type: int, minimum: 3}\nextra_top: 1\n`,
  'wrong-types.yaml': 'version: 1\ncolumns:\n  id: {type: integer, unique: "yes"}\n',
  'misplaced.yaml': 'version: 1\ncolumns:\n  id: {type: int}\n  score: {type: string, min: 1, pattern: "("}\n',
  'not-yaml.yaml': 'version: 1\ncolumns: [\n',
  'injection.yaml': `${SCHEMA}rules:\n  - {name: sneaky, check: "id > (SELECT count(*) FROM read_csv('/etc/passwd'))"}\n`,
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => runCli(args, { cwd: dir });

describe('mlpipe validate', () => {
  it('valid data exits 0 with a one-line summary', async () => {
    const r = await run('validate', 'good.csv', '--schema', 'schema.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`good.csv: valid, 3 rows, 9 checks: 9 passed, 0 error(s), 0 warning(s)\n`);
  });

  it('failing data exits 10 (E_VALIDATION_FAILED): a table of every issue on stdout, the error on stderr', async () => {
    const r = await run('validate', 'bad.csv', '--schema', 'schema.yaml');
    expect(r.code).toBe(10);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`bad.csv: invalid, 3 rows, 9 checks: 6 passed, 3 error(s), 0 warning(s)`);
    expect(lines[2]).toMatch(/^severity\s+column\s+rule\s+rows\s+observed\s+expected\s+sample$/);
    expect(lines.slice(3, 6).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      ['error', 'id', 'unique', '1'],
      ['error', 'score', 'min', '1'],
      ['error', 'score', 'max', '1'],
    ]);
    expect(r.stderr).toContain('error [E_VALIDATION_FAILED]');
    expect(r.stderr).toContain('id.unique, score.min, score.max');
  });

  it('--json prints exactly one document (the report) and still exits 10', async () => {
    const r = await run('--json', 'validate', 'bad.csv', '--schema', 'schema.yaml');
    expect(r.code).toBe(10);
    const report = JSON.parse(r.stdout);
    expect(report.valid).toBe(false);
    expect(report.issues.map((i: { code: string; count: number; sample: { row: number }[] }) => [i.code, i.count, i.sample.map((s) => s.row)])).toEqual([
      ['not_unique', 1, [1, 2]],
      ['too_small', 1, [3]],
      ['too_big', 1, [2]],
    ]);
  });

  it('reads Parquet with the same schema and gives the same issues', async () => {
    const db = await openDatabase();
    await db.all(`COPY (SELECT * FROM read_csv('${join(dir, 'bad.csv')}', columns={'id': 'BIGINT', 'name': 'VARCHAR', 'score': 'DOUBLE'}, header=true, auto_detect=false)) TO '${join(dir, 'bad.parquet')}' (FORMAT parquet)`);
    db.close();
    const r = await run('--json', 'validate', 'bad.parquet', '--schema', 'schema.yaml');
    expect(r.code).toBe(10);
    const report = JSON.parse(r.stdout);
    expect(report.format).toBe('parquet');
    expect(report.issues.map((i: { code: string; count: number }) => [i.code, i.count])).toEqual([
      ['not_unique', 1],
      ['too_small', 1],
      ['too_big', 1],
    ]);
  });

  it('--report writes a self-contained HTML file', async () => {
    const r = await run('validate', 'bad.csv', '--schema', 'schema.yaml', '--report', 'out/../report.html');
    expect(r.code).toBe(10);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<tr class="issue">/g)?.length).toBe(3);
  });
});

describe('bad input: clear coded errors, never a crash', () => {
  const errorOf = async (...args: string[]) => {
    const r = await run('--json', ...args);
    return { code: r.code, error: JSON.parse(r.stdout).error as { code: string; message: string; received?: string; hint?: string } };
  };

  it('a missing data file or schema is E_NOT_FOUND (exit 4)', async () => {
    const data = await errorOf('validate', 'nope.csv', '--schema', 'schema.yaml');
    expect(data.code).toBe(4);
    expect(data.error.code).toBe('E_NOT_FOUND');
    expect(data.error.message).toBe(`data file not found: ${join(dir, 'nope.csv')}`);
    const schema = await errorOf('validate', 'good.csv', '--schema', 'nope.yaml');
    expect(schema.error).toMatchObject({ code: 'E_NOT_FOUND', message: `schema file not found: ${join(dir, 'nope.yaml')}` });
  });

  it('an empty file is E_BAD_INPUT (exit 3)', async () => {
    const r = await errorOf('validate', 'empty.csv', '--schema', 'schema.yaml');
    expect(r.code).toBe(3);
    expect(r.error).toMatchObject({ code: 'E_BAD_INPUT', message: `data file is empty: ${join(dir, 'empty.csv')}` });
    const p = await errorOf('profile', 'empty.csv');
    expect(p.error.code).toBe('E_BAD_INPUT');
  });

  it('a ragged CSV is E_BAD_INPUT naming every malformed line', async () => {
    const r = await errorOf('validate', 'ragged.csv', '--schema', 'schema.yaml');
    expect(r.code).toBe(3);
    expect(r.error.code).toBe('E_BAD_INPUT');
    expect(r.error.message).toBe(
      `2 malformed row(s) in ${join(dir, 'ragged.csv')}: line 3: Expected Number of Columns: 3 Found: 2; line 4: Expected Number of Columns: 3 Found: 4`,
    );
  });

  it('a wrong delimiter is E_BAD_INPUT saying how the first line splits', async () => {
    const r = await errorOf('validate', 'semicolon.csv', '--schema', 'schema.yaml');
    expect(r.code).toBe(3);
    expect(r.error.message).toBe(`line 1 of ${join(dir, 'semicolon.csv')} splits into 1 field(s) with delimiter ",", the schema has 3 column(s)`);
    expect(r.error.hint).toContain('mlpipe schema infer');
  });

  it('unknown keys and wrong types in the schema are E_SCHEMA listing every problem with its path', async () => {
    const unknown = await errorOf('validate', 'good.csv', '--schema', 'unknown-keys.yaml');
    expect(unknown.code).toBe(3);
    expect(unknown.error.code).toBe('E_SCHEMA');
    expect(unknown.error.message).toBe(
      `${join(dir, 'unknown-keys.yaml')} is invalid: 2 problem(s): columns.other: Unrecognized key: "minimum"; (top): Unrecognized key: "extra_top"`,
    );
    const wrong = await errorOf('validate', 'good.csv', '--schema', 'wrong-types.yaml');
    expect(wrong.error.message).toBe(
      `${join(dir, 'wrong-types.yaml')} is invalid: 2 problem(s): columns.id.type: Invalid option: expected one of "int"|"float"|"bool"|"string"|"category"|"date"|"datetime"; columns.id.unique: Invalid input`,
    );
    const misplaced = await errorOf('validate', 'good.csv', '--schema', 'misplaced.yaml');
    expect(misplaced.error.message).toContain('2 problem(s): columns.score.min: min needs a numeric or date column, this one is string; columns.score.pattern: not a regular expression');
    const yaml = await errorOf('validate', 'good.csv', '--schema', 'not-yaml.yaml');
    expect(yaml.error.code).toBe('E_SCHEMA');
    expect(yaml.error.message).toMatch(/is not valid YAML/);
  });

  it('a bad --sample value is a usage error (exit 2)', async () => {
    const r = await errorOf('validate', 'good.csv', '--schema', 'schema.yaml', '--sample', 'many');
    expect(r).toEqual({
      code: 2,
      error: {
        code: 'E_USAGE',
        message: 'invalid value "many" for --sample',
        expected: 'a whole number >= 0',
        received: '"many"',
        hint: 'run `mlpipe help validate` to see its options',
      },
    });
  });

  it('a cross-column rule cannot smuggle SQL: E_SCHEMA', async () => {
    const r = await errorOf('validate', 'good.csv', '--schema', 'injection.yaml');
    expect(r.error.code).toBe('E_SCHEMA');
    expect(r.error.message).toBe('rule "sneaky" cannot be compiled: "SELECT" is not a column of the schema, an operator or an allowed function (abs, length, lower, upper, trim, coalesce, round, floor, ceil, least, greatest, year, month, day, date_diff)');
  });
});

describe('mlpipe schema infer / profile', () => {
  it('infer writes a schema that validates its data', async () => {
    const r = await run('schema', 'infer', 'good.csv', '-o', 'inferred.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('wrote inferred.yaml: 3 columns, 3 rows\n');
    const text = readFileSync(join(dir, 'inferred.yaml'), 'utf8');
    expect(text).toContain('  id:\n    type: int\n    nullable: false\n    min: 1\n    max: 3\n    unique: true\n');
    const v = await run('validate', 'good.csv', '--schema', 'inferred.yaml');
    expect(v.code).toBe(0);
  });

  it('profile --json gives per-column statistics and histograms', async () => {
    const r = await run('--json', 'profile', 'good.csv', '--html', 'profile.html');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.rows).toBe(3);
    const score = p.columns.find((c: { name: string }) => c.name === 'score');
    expect(score).toMatchObject({ type: 'float', count: 3, nulls: 0, min: 0, max: 9, mean: 3.5 });
    expect(score.histogram.map((b: { count: number }) => b.count).reduce((a: number, b: number) => a + b, 0)).toBe(3);
    expect(readFileSync(join(dir, 'profile.html'), 'utf8')).toContain('<div class="card column"><h3>score</h3>');
  });
});
