import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { inferSchema } from '../../../src/data/infer.js';
import { parseSchema, serializeSchema } from '../../../src/data/schema.js';
import { validate } from '../../../src/data/validate.js';
import { mulberry32 } from '../../../bench/lib/synthetic.mjs';
import { tempDir } from '../../helpers/tree.js';

// #12.10: an inferred schema accepts the file it came from. Seeded random tables of floats (17
// significant digits, tiny and huge exponents), ints, strings, categories, dates and missing-value
// tokens; each is inferred, written as YAML, read back and validated against its own file.

const NA = ['NA', '', 'NaN', 'null', 'None', '#N/A', 'N/A', '-NaN'];
type Kind = 'float' | 'int' | 'string' | 'category' | 'date' | 'bool';
const KINDS: Kind[] = ['float', 'int', 'string', 'category', 'date', 'bool'];

function cell(kind: Kind, rand: () => number): string {
  switch (kind) {
    case 'float': {
      const exp = Math.floor(rand() * 40) - 20;
      const v = (rand() - 0.5) * 10 ** exp;
      // Shortest round-trip text: up to 17 significant digits (0.028451075096064038).
      return rand() < 0.5 ? String(v) : v.toPrecision(17);
    }
    case 'int':
      return String(Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 52))));
    case 'string':
      return `s${Math.floor(rand() * 1e9).toString(36)}${rand() < 0.1 ? ' with, comma' : ''}`;
    case 'category':
      return ['yes', 'no', 'on', 'off', 'true', 'null', '2024-01-01', 'x', '~', '010'][Math.floor(rand() * 10)]!;
    case 'date': {
      const d = new Date(Date.UTC(1900 + Math.floor(rand() * 200), Math.floor(rand() * 12), 1 + Math.floor(rand() * 28)));
      return d.toISOString().slice(0, 10);
    }
    default:
      return rand() < 0.5 ? 'true' : 'false';
  }
}

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

function table(seed: number): string {
  // The benchmarks' seeded generator: the same cases on every run.
  const rand = mulberry32(seed);
  const columns = 1 + Math.floor(rand() * 6);
  const rows = 1 + Math.floor(rand() * 40);
  const kinds = Array.from({ length: columns }, () => KINDS[Math.floor(rand() * KINDS.length)]!);
  const naShare = rand() < 0.5 ? 0 : rand() * 0.3;
  const lines = [kinds.map((k, i) => `${k}_${i}`).join(',')];
  for (let r = 0; r < rows; r++) {
    lines.push(kinds.map((k) => (rand() < naShare ? NA[Math.floor(rand() * NA.length)]! : quote(cell(k, rand)))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CASES = 120;

describe('infer -> YAML -> validate accepts its own file (property, seeded)', () => {
  it(`${CASES} random tables`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= CASES; seed++) {
      const path = join(dir, `t${seed}.csv`);
      const text = table(seed);
      writeFileSync(path, text);
      const { schema } = await inferSchema({ data: path });
      const yaml = serializeSchema(schema);
      // The YAML reads back to the same schema (numbers exactly, strings as strings).
      const reread = parseSchema(yaml);
      expect(reread).toEqual(parseSchema(serializeSchema(reread)));
      const report = await validate({ data: path, schema: reread });
      if (!report.valid) failures.push(`seed ${seed}: ${report.issues.map((i) => i.message).join('; ')}\n${text}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('a 17-digit float is inside the bounds inferred from it', async () => {
    const path = join(dir, 'f17.csv');
    writeFileSync(path, 'v\n0.028451075096064038\n0.5\n-1.0000000000000002\n');
    const { schema } = await inferSchema({ data: path });
    expect(schema.columns.v).toEqual({ type: 'float', nullable: false, min: -1.0000000000000002, max: 0.5 });
    writeFileSync(path, 'v\n0.028451075096064038\n');
    const { schema: one } = await inferSchema({ data: path });
    expect(one.columns.v).toMatchObject({ min: 0.028451075096064038, max: 0.028451075096064038 });
    expect((await validate({ data: path, schema: parseSchema(serializeSchema(one)) })).valid).toBe(true);
  });
});

describe('a reusable inferred schema (#12.20)', () => {
  it('has no row range and no string length, and quotes every string YAML 1.1 reads as something else', async () => {
    const path = join(dir, 'ids.csv');
    const lines = ['id,answer,day'];
    const answers = ['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'Null', '~', '2024-01-31', '1_000', '0x1f', '010', '.inf', '12:30'];
    for (let i = 0; i < 60; i++) lines.push(`u${1000 + i},${answers[i % answers.length]},2024-02-${String((i % 28) + 1).padStart(2, '0')}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { schema } = await inferSchema({ data: path });
    expect(schema.rows).toBeUndefined();
    expect(schema.columns.id).toEqual({ type: 'string', nullable: false, unique: true });
    const yaml = serializeSchema(schema);
    // A YAML 1.1 reader (PyYAML) gets the same strings back.
    const as11 = parse(yaml, { version: '1.1' });
    expect(as11.columns.answer.allowed).toEqual([...answers].sort());
    expect(as11.columns.day).toEqual({ type: 'date', nullable: false, min: '2024-02-01', max: '2024-02-28' });
  });
});
