import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { mulberry32 } from '../../../bench/lib/synthetic.mjs';
import { fastParse } from '../../../src/data/schema-fast.js';
import { fastSchema, parseSchema, schemaShape } from '../../../src/data/schema.js';

// fastParse (schema-fast.ts) checks a schema without loading Zod; fastSchema adds the cross-field
// rules, as parseSchema uses them. Whenever it accepts a document, Zod must accept it too and give the same value, key order included; it may only be stricter.
// Seeded random documents: valid ones, then the same with one mutation each.

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const maybe = (rand: Rand, p = 0.5) => rand() < p;

const TYPES = ['int', 'float', 'bool', 'string', 'category', 'date', 'datetime'] as const;

function withSeverity(rand: Rand, value: unknown): unknown {
  return maybe(rand, 0.3) ? { ...(maybe(rand) ? { severity: pick(rand, ['error', 'warning']) } : {}), value } : value;
}

function range(rand: Rand): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (maybe(rand, 0.7)) r.max = rand() * 10;
  if (maybe(rand, 0.7) || r.max === undefined) r.min = -rand() * 10;
  if (maybe(rand, 0.2)) r.severity = 'warning';
  return r;
}

function column(rand: Rand): Record<string, unknown> {
  const type = pick(rand, TYPES);
  const c: Record<string, unknown> = maybe(rand, 0.2) ? { description: 'd' } : {};
  c.type = type;
  const numeric = type === 'int' || type === 'float';
  const text = type === 'string' || type === 'category';
  const dated = type === 'date' || type === 'datetime';
  if (dated && maybe(rand)) c.format = '%Y-%m-%d';
  if (maybe(rand, 0.2)) c.required = withSeverity(rand, maybe(rand));
  if (maybe(rand, 0.3)) c.nullable = withSeverity(rand, maybe(rand));
  if (maybe(rand, 0.2)) c.maxNullFraction = withSeverity(rand, rand());
  if ((numeric || dated) && maybe(rand, 0.4)) c.min = withSeverity(rand, dated ? '2015-01-01' : Math.floor(rand() * 100));
  if ((numeric || dated) && maybe(rand, 0.4)) c.max = withSeverity(rand, dated ? '2030-01-01' : rand() * 1000);
  if (maybe(rand, 0.2)) c.allowed = withSeverity(rand, ['a', 1, true].slice(0, 1 + Math.floor(rand() * 3)));
  if (text && maybe(rand, 0.3)) c.pattern = withSeverity(rand, '^[a-z]+$');
  if (text && maybe(rand, 0.2)) c.minLength = withSeverity(rand, 1);
  if (text && maybe(rand, 0.2)) c.maxLength = withSeverity(rand, 40);
  if (maybe(rand, 0.2)) c.unique = withSeverity(rand, maybe(rand));
  if (numeric && maybe(rand, 0.3)) c.mean = range(rand);
  if (numeric && maybe(rand, 0.2)) c.std = range(rand);
  if (numeric && maybe(rand, 0.2)) c.quantiles = { '0.5': range(rand), ...(maybe(rand) ? { '1.0': range(rand) } : {}) };
  if (maybe(rand, 0.2)) c.severity = pick(rand, ['error', 'warning']);
  if (maybe(rand, 0.2)) c.drift = maybe(rand) ? false : { method: pick(rand, ['ks', 'psi', 'wasserstein']), ...(maybe(rand) ? { threshold: 0.2 } : {}) };
  return c;
}

function validDoc(rand: Rand): Record<string, unknown> {
  const names = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => `c${i}`);
  const doc: Record<string, unknown> = {};
  // Keys in a random order: the output must still follow the shape's order.
  const parts: [string, () => unknown][] = [
    ['columns', () => Object.fromEntries(names.map((n) => [n, column(rand)]))],
    ['version', () => 1],
  ];
  if (maybe(rand, 0.2)) parts.push(['format', () => pick(rand, ['csv', 'parquet'])]);
  if (maybe(rand, 0.6))
    parts.push([
      'csv',
      () => {
        const c: Record<string, unknown> = {};
        if (maybe(rand)) c.skipRows = Math.floor(rand() * 3);
        if (maybe(rand)) c.nullMarkers = ['', '?'];
        if (maybe(rand)) c.delimiter = pick(rand, [',', ';', ', ', '\t']);
        if (maybe(rand)) c.header = maybe(rand);
        if (maybe(rand, 0.2)) c.escape = '\\';
        if (maybe(rand, 0.2)) c.encoding = 'latin-1';
        if (maybe(rand, 0.2)) c.quote = "'";
        return c;
      },
    ]);
  if (maybe(rand, 0.3)) parts.push(['rows', () => ({ min: 1, ...(maybe(rand) ? { max: 100 } : {}) })]);
  if (maybe(rand, 0.3)) parts.push(['extraColumns', () => pick(rand, ['allow', 'warning', 'error'])]);
  if (names.length >= 2 && maybe(rand, 0.3)) parts.push(['unique', () => [{ columns: names.slice(0, 2), ...(maybe(rand) ? { severity: 'warning' } : {}) }]]);
  if (maybe(rand, 0.3)) parts.push(['rules', () => [{ name: 'r', check: `${names[0]} >= 0` }]]);
  if (maybe(rand, 0.3)) parts.push(['label', () => ({ column: names[0], ...(maybe(rand) ? { classes: ['yes', 0, false] } : {}), ...(maybe(rand) ? { minClassFraction: 0.1 } : {}) })]);
  if (maybe(rand, 0.2)) parts.push(['drift', () => ({ numeric: { method: 'ks' }, ...(maybe(rand) ? { severity: 'warning' } : {}) })]);
  parts.sort(() => rand() - 0.5);
  for (const [k, v] of parts) doc[k] = v();
  return doc;
}

/** One random change somewhere in the document: a wrong type, a missing or unknown key, an edge value. */
function mutate(rand: Rand, doc: Record<string, unknown>): void {
  const BAD = [null, undefined, '', 'x', -1, 0, 1.5, 2, Number.NaN, Number.POSITIVE_INFINITY, true, [], {}, ['a'], { value: 1 }, { severity: 'warning' }, 'warn', 1e300, -0];
  const objects: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (v && typeof v === 'object') {
      if (!Array.isArray(v)) objects.push(v as Record<string, unknown>);
      for (const x of Object.values(v as object)) walk(x);
    }
  };
  walk(doc);
  const target = pick(rand, objects);
  const keys = Object.keys(target);
  const r = rand();
  if (r < 0.15 || keys.length === 0) target[pick(rand, ['extra', 'value', 'type', 'min', 'columns', 'severity', '__proto__', '2'])] = pick(rand, BAD);
  else if (r < 0.3) delete target[pick(rand, keys)];
  else target[pick(rand, keys)] = pick(rand, BAD);
}

describe('fastParse agrees with the Zod schema', () => {
  it('accepts every valid document with the value Zod gives, and nothing Zod refuses', () => {
    const rand = mulberry32(2026);
    const zod = schemaShape();
    let accepted = 0;
    let refusedByBoth = 0;
    let mutatedAccepted = 0;
    for (let i = 0; i < 3000; i++) {
      const doc = validDoc(rand);
      const mutated = i % 3 !== 0;
      if (mutated) mutate(rand, doc);
      const fast = fastSchema(structuredClone(doc));
      const slow = zod.safeParse(structuredClone(doc));
      if (!mutated) {
        // The generator writes only valid documents, which the fast path must take.
        expect(slow.success).toBe(true);
        expect(fast).toBeDefined();
      }
      if (fast === undefined) {
        if (!slow.success) refusedByBoth++;
        continue;
      }
      expect(slow.success, JSON.stringify(doc)).toBe(true);
      expect(fast).toStrictEqual(slow.data);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
      accepted++;
      if (mutated) mutatedAccepted++;
    }
    // Not degenerate: valid documents, mutated ones that stay valid, and invalid ones.
    expect(accepted).toBeGreaterThan(1000);
    expect(mutatedAccepted).toBeGreaterThan(100);
    expect(refusedByBoth).toBeGreaterThan(500);
  });

  it('gives the default missing-value tokens as a fresh list each time, in the csv key order', () => {
    const a = fastParse({ version: 1, csv: { skipRows: 1, delimiter: ';' }, columns: {} });
    const b = fastParse({ version: 1, csv: {}, columns: {} });
    expect(Object.keys(a!.csv as object)).toEqual(['delimiter', 'header', 'quote', 'encoding', 'nullMarkers', 'skipRows']);
    expect((a!.csv as { nullMarkers: string[] }).nullMarkers).not.toBe((b!.csv as { nullMarkers: string[] }).nullMarkers);
    expect((a!.csv as { nullMarkers: string[] }).nullMarkers).toEqual((b!.csv as { nullMarkers: string[] }).nullMarkers);
  });

  it('parseSchema: the README example and a cross-field problem (reported by Zod, as before)', () => {
    const readme = {
      version: 1,
      csv: { delimiter: ', ', header: false, nullMarkers: ['', '?'], skipRows: 0 },
      rows: { min: 1000, max: 100000 },
      extraColumns: 'error',
      columns: {
        age: { type: 'int', nullable: false, min: 17, max: 90, mean: { min: 30, max: 45 } },
        workclass: { type: 'category', maxNullFraction: { value: 0.1, severity: 'warning' } },
        signup: { type: 'date', format: '%Y-%m-%d', min: '2015-01-01' },
        income: { type: 'category', allowed: ['<=50K', '>50K'], drift: { method: 'psi', threshold: 0.2 } },
      },
      unique: [{ columns: ['age', 'signup'] }],
      rules: [{ name: 'r', check: 'age >= 0', severity: 'warning' }],
      label: { column: 'income', classes: ['<=50K', '>50K'], minClassFraction: 0.2 },
      drift: { numeric: { method: 'wasserstein', threshold: 0.1 }, severity: 'warning' },
    };
    expect(parseSchema(stringify(readme))).toStrictEqual(schemaShape().parse(readme));
    expect(() => parseSchema(stringify({ version: 1, columns: { a: { type: 'string', min: 1 } }, label: { column: 'b' } }))).toThrow(
      'schema is invalid: 2 problem(s): columns.a.min: min needs a numeric or date column, this one is string; label.column: unknown column "b"',
    );
  });
});
