import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { predict } from '../../../src/serve/predict.js';
import { linearExpected, withModels } from './fixtures.js';

const models = withModels();
let root: string;
beforeAll(() => {
  root = models();
});

/** The tree model's value, by hand (see treeModel). */
const treeValue = (a: number, b: number, c: number) => (a <= 1.5 ? (b <= 10 ? 1 : 2) : 3) + (c <= 0.5 ? 10 : 20);

function treeRows(n: number): { a: number; b: number; c: number; id: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `r${String(i).padStart(3, '0')}`, a: (i % 4) * 0.75, b: (i * 7) % 20, c: (i % 3) * 0.4 }));
}

async function duckdb<T>(sql: string): Promise<T[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await (await conn.run(sql)).getRowObjectsJS()) as T[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('predict', () => {
  it('scores a CSV in batches, keeping input order and passing ids through', async () => {
    const rows = treeRows(50);
    const input = join(root, 'rows.csv');
    writeFileSync(input, `id,c,b,a,extra\n${rows.map((r) => `${r.id},${r.c},${r.b},${r.a},x`).join('\n')}\n`);
    const output = join(root, 'preds.csv');
    const result = await predict({ model: join(root, 'tree'), input, output, ids: ['id'], batchSize: 7 });
    expect([result.rows, result.format, result.output]).toEqual([50, 'csv', output]);
    const expected = `id,prediction\n${rows.map((r) => `${r.id},${treeValue(r.a, r.b, r.c)}`).join('\n')}\n`;
    expect(readFileSync(output, 'utf8')).toBe(expected);
  });

  it('keeps the file spelling of an input that is also an id, and names the row of a bad number in a CSV', async () => {
    // Numbers are parsed by DuckDB's CSV reader, except in a column also copied out as an id.
    const input = join(root, 'spelled.csv');
    writeFileSync(input, 'a,b,c\n0.750,07,0.40\n2,+1e1, 0.8\n1.5,3,0\n');
    const output = join(root, 'spelled-preds.csv');
    await predict({ model: join(root, 'tree'), input, output, ids: ['b', 'a'] });
    expect(readFileSync(output, 'utf8')).toBe(`b,a,prediction\n07,0.750,${treeValue(0.75, 7, 0.4)}\n+1e1,2,${treeValue(2, 10, 0.8)}\n3,1.5,${treeValue(1.5, 3, 0)}\n`);
    writeFileSync(input, 'a,b,c\n1,2,3\n1,2,x3\n');
    await expect(predict({ model: join(root, 'tree'), input, output: join(root, 'bad-csv.csv') })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: 'column "c", row 2: expected a number, got "x3"',
    });
  });

  it('reads and writes Parquet with class probabilities', async () => {
    const input = join(root, 'iris.parquet');
    await duckdb(`COPY (SELECT * FROM (VALUES (1, 1.0, 2, 'red'), (2, 5.0, NULL, 'blue'), (3, -3.0, 7, NULL)) t(id, x1, x2, color)) TO '${input}' (FORMAT parquet)`);
    const output = join(root, 'iris-preds.parquet');
    await predict({ model: join(root, 'iris'), input, output, ids: ['id'], proba: true });
    const back = await duckdb<Record<string, unknown>>(`SELECT * FROM read_parquet('${output}')`);
    expect(back.map((r) => [r.id, r.prediction])).toEqual([
      ['1', 'versicolor'],
      ['2', 'virginica'],
      ['3', 'versicolor'],
    ]);
    expect(Object.keys(back[0]!)).toEqual(['id', 'prediction', 'proba_setosa', 'proba_versicolor', 'proba_virginica']);
    expect(back[0]!.proba_versicolor as number).toBeCloseTo(0.7605329, 6);
    expect(readdirSync(root).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('reads category inputs of a CSV as the JSON Lines reader does: known, missing, quoted, several chunks', async () => {
    // The CSV reader codes a category input by the model's categories (batch-read.ts
    // codedCategories); the JSON Lines reader takes each value as it is: same predictions.
    const colors = ['red', 'green', 'blue', null, 'blue'];
    const rows = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, x1: (i % 9) - 4, x2: i % 5 === 0 ? null : i % 3, color: colors[(i * 7) % 5]! }));
    const csv = join(root, 'colors.csv');
    writeFileSync(csv, `key,x1,x2,color\n${rows.map((r) => [r.key, r.x1, r.x2 ?? '', r.color === null ? '' : `"${r.color}"`].join(',')).join('\n')}\n`);
    const jsonl = join(root, 'colors.jsonl');
    writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n'));
    const fromCsv = join(root, 'colors-csv.csv');
    const fromJsonl = join(root, 'colors-jsonl.csv');
    await predict({ model: join(root, 'iris'), input: csv, output: fromCsv, ids: ['key'], proba: true, batchSize: 3000 });
    await predict({ model: join(root, 'iris'), input: jsonl, output: fromJsonl, ids: ['key'], proba: true, batchSize: 3000 });
    const text = readFileSync(fromCsv, 'utf8');
    expect(text).toBe(readFileSync(fromJsonl, 'utf8'));
    // Row k2 is (-2, 2, blue); k5 has x2 missing and k1 color missing.
    for (const line of text.trim().split('\n').slice(1, 8)) {
      const [key, label, ...p] = line.split(',');
      const r = rows[Number(key!.slice(1))]!;
      const expected = linearExpected(r.x1, r.x2, r.color);
      expect(label).toBe(['setosa', 'versicolor', 'virginica'][expected.indexOf(Math.max(...expected))]);
      p.forEach((v, k) => {
        expect(Number(v)).toBeCloseTo(expected[k]!, 6);
      });
    }
  });

  it('names the row and the value of an unknown category in a CSV', async () => {
    const input = join(root, 'purple.csv');
    writeFileSync(input, `x1,x2,color\n${Array.from({ length: 3000 }, (_, i) => `1,2,${i === 2500 ? 'purple' : 'red'}`).join('\n')}\n`);
    await expect(predict({ model: join(root, 'iris'), input, output: join(root, 'purple-preds.csv') })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: expect.stringContaining('row 2501'),
    });
    await expect(predict({ model: join(root, 'iris'), input, output: join(root, 'purple-preds.csv') })).rejects.toMatchObject({
      message: expect.stringContaining('"purple"'),
    });
  });

  it('reads one JSON row from stdin and writes JSON lines to stdout', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    const stdin = Readable.from(['{"x1": 1, "x2": 2, "color": "red", "key": "k1"}\n', '\n{"x1": 5, "color": "blue", "key": 2}\n']);
    const result = await predict({ model: join(root, 'iris'), input: '-', stdin, stdout, ids: ['key'] });
    expect([result.rows, result.output, result.format]).toEqual([2, null, 'jsonl']);
    expect(text).toBe('{"key":"k1","prediction":"versicolor"}\n{"key":2,"prediction":"virginica"}\n');
  });

  it('names the file row of a bad value and leaves no output behind', async () => {
    const rows = treeRows(40).map((r, i) => (i === 37 ? { ...r, b: 'oops' } : r));
    const input = join(root, 'bad.jsonl');
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'));
    const output = join(root, 'bad-preds.csv');
    await expect(predict({ model: join(root, 'tree'), input, output, batchSize: 8 })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      // Rows count from 1, as validate numbers them: the 38th line.
      message: 'invalid input: column "b", row 38: expected a finite number, got "oops"',
    });
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('scores a Parquet file of several DuckDB chunks on the scoring thread, in order, across batch edges', async () => {
    const input = join(root, 'many.parquet');
    // 5,000 rows: three DuckDB chunks of 2,048 rows cut across 1,500-row batches.
    await duckdb(`COPY (SELECT 'r' || i AS id, (i % 4) * 0.75 AS a, (i * 7) % 20 AS b, (i % 3) * 0.4 AS c FROM range(5000) t(i)) TO '${input}' (FORMAT parquet)`);
    const output = join(root, 'many-preds.csv');
    const result = await predict({ model: join(root, 'tree'), input, output, ids: ['id'], batchSize: 1500 });
    expect(result.rows).toBe(5000);
    const lines = readFileSync(output, 'utf8').split('\n');
    expect(lines.length).toBe(5002);
    expect(lines[0]).toBe('id,prediction');
    for (const i of [0, 1, 1499, 1500, 2047, 2048, 2999, 4095, 4096, 4999]) {
      expect(lines[i + 1]).toBe(`r${i},${treeValue((i % 4) * 0.75, (i * 7) % 20, (i % 3) * 0.4)}`);
    }
    expect(lines.slice(1, -1).filter((l, i) => l !== `r${i},${treeValue((i % 4) * 0.75, (i * 7) % 20, (i % 3) * 0.4)}`)).toEqual([]);
  });

  it('writes the same bytes with one or two onnxruntime threads, large batches and small', async () => {
    const input = join(root, 'threads.csv');
    // 3,000 rows cut into batches of 2,000 (two threads) and 1,000 (under 1,024 rows: one thread).
    const row = (i: number) => [((i * 37) % 101) / 10 - 5, i % 7 === 0 ? null : ((i * 13) % 17) - 8, ['red', 'green', 'blue'][i % 3]!] as const;
    const rows = Array.from({ length: 3000 }, (_, i) => row(i).map((v) => v ?? '').join(','));
    writeFileSync(input, `x1,x2,color\n${rows.join('\n')}\n`);
    const outputs = [1, 2].map((threads) => join(root, `threads-${threads}.csv`));
    for (const [i, output] of outputs.entries()) {
      await predict({ model: join(root, 'iris'), input, output, proba: true, batchSize: 2000, threads: i + 1 });
    }
    const [one, two] = outputs.map((o) => readFileSync(o, 'utf8'));
    expect(two).toBe(one);
    const lines = one!.split('\n');
    expect(lines.length).toBe(3002);
    // The probabilities computed apart, in float64 (the model's are float32), on both sides of the batch edge.
    for (const i of [0, 1999, 2000, 2999]) {
      const p = linearExpected(...row(i));
      const fields = lines[i + 1]!.split(',').slice(1).map(Number);
      expect(fields).toHaveLength(3);
      for (const [k, v] of fields.entries()) expect(v).toBeCloseTo(p[k]!, 6);
    }
  });

  it('names the file row of a null read from a Parquet column that is not nullable', async () => {
    const input = join(root, 'null.parquet');
    await duckdb(`COPY (SELECT i * 1.0 AS a, CASE WHEN i = 3000 THEN NULL ELSE 1.0 END AS b, 0.0 AS c FROM range(5000) t(i)) TO '${input}' (FORMAT parquet)`);
    const output = join(root, 'null-preds.csv');
    await expect(predict({ model: join(root, 'tree'), input, output, batchSize: 1500 })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: 'invalid input: column "b", row 3001: expected a finite number, got a missing value (NaN) where the column is not nullable',
    });
    expect(existsSync(output)).toBe(false);
  });

  it('moves JSON Lines scoring to the scoring thread once a batch is large, keeping order', async () => {
    const rows = treeRows(100);
    const input = join(root, 'big.jsonl');
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'));
    const output = join(root, 'big-preds.csv');
    // Batches of 64 (scored on the thread) then 36, then none: the thread keeps scoring once started.
    await predict({ model: join(root, 'tree'), input, output, ids: ['id'], batchSize: 64 });
    expect(readFileSync(output, 'utf8')).toBe(`id,prediction\n${rows.map((r) => `${r.id},${treeValue(r.a, r.b, r.c)}`).join('\n')}\n`);
  });

  it('rejects missing columns, unknown formats and --proba for a regressor', async () => {
    const input = join(root, 'short.csv');
    writeFileSync(input, 'a,b\n1,2\n');
    await expect(predict({ model: join(root, 'tree'), input, ids: ['id'] })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: `${input} lacks columns "c", "id"`,
    });
    await expect(predict({ model: join(root, 'tree'), input: join(root, 'rows.xlsx') })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
    await expect(predict({ model: join(root, 'tree'), input: join(root, 'none.csv') })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(predict({ model: join(root, 'tree'), input, proba: true })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(predict({ model: join(root, 'tree'), input, output: join(root, 'no', 'such', 'p.csv') })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: `cannot write ${join(root, 'no', 'such', 'p.csv')}: the folder ${join(root, 'no', 'such')} does not exist`,
    });
  });
});
