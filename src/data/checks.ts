/**
 * Compiles a schema into checks over one relation `t` that holds every declared column typed under
 * its own name and, for columns read from text, its raw value as `__raw__<name>`. Each check is
 * either a row predicate (counted with `count_if(...)`) or an aggregate plus a
 * judgement, so that all of them run as ONE aggregate query that streams over the file
 * (see validate.ts); rows are only revisited to sample offenders when a check fails.
 */
import { type ColumnSchema, type Schema, type Severity, severityOf, ruleValue } from './schema.js';
import type { IssueCode } from './issues.js';
import { compileRule } from './rule-expr.js';
import { numberLiteral, quoteIdent, quoteLiteral } from './source.js';

export interface Check {
  code: IssueCode;
  rule: string;
  column: string | null;
  severity: Severity;
  expected: unknown;
  /** Row-level: SQL that is true for a failing row; its count is the issue's count. */
  failing?: string;
  /** Columns shown in sampled rows. */
  sampleColumns: string[];
  /** Aggregate SQL whose value is the observation (for row-level checks: an extra, e.g. the min). */
  observed?: string;
  /** Aggregate-level checks: does the observed value (and the row count) fail? */
  fails?: (observed: unknown, rows: number) => boolean;
  /** Turns the raw aggregate into the observation reported (e.g. class counts into fractions). */
  report?: (observed: unknown) => unknown;
  /** Uniqueness: the key columns, sampled by a GROUP BY query. */
  key?: string[];
  /**
   * A cheaper aggregate for the main pass that gives the same value as `observed` whenever the
   * aggregate `exactWhenZero` is 0; otherwise validate computes `observed` in a second pass.
   */
  cheap?: { observed: string; exactWhenZero: string };
}

export const rawName = (column: string) => `__raw__${column}`;
const id = quoteIdent;
const raw = (c: string) => quoteIdent(rawName(c));

export interface CompileContext {
  /** Declared columns present in the data. */
  present: Set<string>;
  /** The data is read as text (CSV), not as stored types (Parquet). */
  text: boolean;
  /** Integer key columns whose uniqueness is counted with a bitmap over this window (see uniqueCheck). */
  keyWindows?: ReadonlyMap<string, KeyWindow>;
}

/** A range of integer keys, both ends included. */
export interface KeyWindow {
  lo: bigint;
  hi: bigint;
}

export function compileChecks(schema: Schema, ctx: CompileContext): Check[] {
  const checks: Check[] = [];
  for (const [name, col] of Object.entries(schema.columns)) {
    if (ctx.present.has(name)) checks.push(...columnChecks(name, col, ctx));
  }
  if (schema.rows) {
    const { min, max } = schema.rows;
    checks.push({
      code: 'row_count',
      rule: 'rows',
      column: null,
      severity: severityOf(schema.rows, undefined),
      expected: rangeText(min, max),
      sampleColumns: [],
      observed: 'count(*)',
      fails: (n) => (min !== undefined && Number(n) < min) || (max !== undefined && Number(n) > max),
    });
  }
  for (const u of schema.unique ?? []) {
    if (!u.columns.every((c) => ctx.present.has(c))) continue;
    checks.push(uniqueCheck(u.columns, null, `unique(${u.columns.join(', ')})`, severityOf(u, undefined)));
  }
  for (const r of schema.rules ?? []) {
    const names = Object.keys(schema.columns).filter((c) => ctx.present.has(c));
    const { sql, columns } = compileRule(r.check, names, r.name);
    checks.push({
      code: 'rule_failed',
      rule: `rules.${r.name}`,
      column: null,
      severity: severityOf(r, undefined),
      expected: r.check,
      // A rule on NULL values is unknown, not failed (like SQL CHECK constraints).
      failing: `NOT coalesce((${sql}), true)`,
      sampleColumns: columns,
    });
  }
  if (schema.label && ctx.present.has(schema.label.column)) checks.push(...labelChecks(schema.label));
  return checks;
}

function columnChecks(name: string, col: ColumnSchema, ctx: CompileContext): Check[] {
  const checks: Check[] = [];
  const c = id(name);
  const base = { column: name, sampleColumns: [name] };
  const sev = (rule: unknown) => severityOf(rule, col.severity);
  // Text read as text cannot fail to parse: no type check for string/category columns of a CSV.
  if (!(ctx.text && (col.type === 'string' || col.type === 'category'))) checks.push({
    ...base,
    code: 'invalid_type',
    rule: 'type',
    severity: col.severity ?? 'error',
    expected: col.format ? `${col.type} (${col.format})` : col.type,
    failing: `${raw(name)} IS NOT NULL AND ${c} IS NULL`,
  });
  if (ruleValue(col.nullable) === false) {
    checks.push({ ...base, code: 'null_values', rule: 'nullable', severity: sev(col.nullable), expected: 'no nulls', failing: `${raw(name)} IS NULL` });
  }
  const maxNull = ruleValue(col.maxNullFraction);
  if (maxNull !== undefined) {
    checks.push({
      ...base,
      code: 'null_fraction',
      rule: 'maxNullFraction',
      severity: sev(col.maxNullFraction),
      expected: `<= ${maxNull}`,
      observed: `count(*) FILTER (WHERE ${raw(name)} IS NULL) / greatest(count(*), 1)`,
      fails: (f) => Number(f) > maxNull,
    });
  }
  const literal = (v: number | string) =>
    typeof v === 'number' ? boundLiteral(col, v) : `CAST(${quoteLiteral(v)} AS ${col.type === 'date' ? 'DATE' : 'TIMESTAMP'})`;
  const shown = (agg: string) => (col.type === 'date' || col.type === 'datetime' ? `CAST(${agg} AS VARCHAR)` : agg);
  const min = ruleValue(col.min);
  if (min !== undefined) {
    checks.push({ ...base, code: 'too_small', rule: 'min', severity: sev(col.min), expected: `>= ${min}`, failing: `${c} < ${literal(min)}`, observed: shown(`min(${c})`) });
  }
  const max = ruleValue(col.max);
  if (max !== undefined) {
    checks.push({ ...base, code: 'too_big', rule: 'max', severity: sev(col.max), expected: `<= ${max}`, failing: `${c} > ${literal(max)}`, observed: shown(`max(${c})`) });
  }
  const allowed = ruleValue(col.allowed);
  if (allowed !== undefined) {
    checks.push({ ...base, code: 'invalid_value', rule: 'allowed', severity: sev(col.allowed), expected: allowed, failing: notIn(c, allowed) });
  }
  const pattern = ruleValue(col.pattern);
  if (pattern !== undefined) {
    checks.push({ ...base, code: 'pattern_mismatch', rule: 'pattern', severity: sev(col.pattern), expected: pattern, failing: `NOT regexp_matches(${c}, ${quoteLiteral(pattern)})` });
  }
  const minLength = ruleValue(col.minLength);
  if (minLength !== undefined) {
    checks.push({ ...base, code: 'too_short', rule: 'minLength', severity: sev(col.minLength), expected: `length >= ${minLength}`, failing: `length(${c}) < ${minLength}`, observed: `min(length(${c}))` });
  }
  const maxLength = ruleValue(col.maxLength);
  if (maxLength !== undefined) {
    checks.push({ ...base, code: 'too_long', rule: 'maxLength', severity: sev(col.maxLength), expected: `length <= ${maxLength}`, failing: `length(${c}) > ${maxLength}`, observed: `max(length(${c}))` });
  }
  if (ruleValue(col.unique) === true) checks.push(uniqueCheck([name], name, 'unique', sev(col.unique), ctx.keyWindows?.get(name)));
  const stat = (code: IssueCode, rule: string, agg: string, r: { min?: number | undefined; max?: number | undefined; severity?: Severity | undefined }) =>
    checks.push({
      ...base,
      code,
      rule,
      severity: sev(r),
      expected: rangeText(r.min, r.max),
      observed: agg,
      fails: (v) => v === null || outside(Number(v), r.min, r.max),
    });
  if (col.mean) stat('mean_out_of_range', 'mean', `avg(${c})`, col.mean);
  if (col.std) stat('std_out_of_range', 'std', `stddev_samp(${c})`, col.std);
  for (const [q, r] of Object.entries(col.quantiles ?? {})) stat('quantile_out_of_range', `quantiles.${q}`, `quantile_cont(${c}, ${Number(q)})`, r);
  return checks;
}

/**
 * Rows whose key repeats an earlier row's key; rows with a NULL key part are not compared (as SQL
 * UNIQUE). The count is exact either way. `count(DISTINCT)` keeps every key in a hash table (about
 * 150 MiB at 5M rows); for an integer key with a window, the keys inside the window set bits of a
 * bitmap instead (`bitstring_agg`, 8 KiB to 4 MiB, sized for the file by validate) and only the
 * keys outside it, usually none, go to the hash table: distinct = bits set + distinct keys outside.
 */
function uniqueCheck(columns: string[], column: string | null, rule: string, severity: Severity, window?: KeyWindow): Check {
  const key = columns.length === 1 ? id(columns[0]!) : `struct_pack(${columns.map((c) => `${id(c)} := ${id(c)}`).join(', ')})`;
  const notNull = columns.map((c) => `${id(c)} IS NOT NULL`).join(' AND ');
  const inside = window && columns.length === 1 ? `${key} BETWEEN ${window.lo} AND ${window.hi}` : undefined;
  const distinct = inside
    ? `coalesce(bit_count(bitstring_agg(${key}, ${window!.lo}, ${window!.hi}) FILTER (WHERE ${inside})), 0) + count(DISTINCT ${key}) FILTER (WHERE NOT (${inside}))`
    : `count(DISTINCT ${key}) FILTER (WHERE ${notNull})`;
  return {
    code: 'not_unique',
    rule,
    column,
    severity,
    expected: 'unique values',
    sampleColumns: columns,
    observed: `count(*) FILTER (WHERE ${notNull}) - (${distinct})`,
    fails: (dups) => Number(dups) > 0,
    key: columns,
  };
}

function labelChecks(label: NonNullable<Schema['label']>): Check[] {
  const checks: Check[] = [];
  const c = id(label.column);
  const severity = label.severity ?? 'error';
  if (label.classes) {
    checks.push({
      code: 'invalid_class',
      rule: 'label.classes',
      column: label.column,
      severity,
      expected: label.classes,
      failing: notIn(c, label.classes),
      sampleColumns: [label.column],
    });
  }
  const { minClassFraction: lo, maxClassFraction: hi } = label;
  if (lo !== undefined || hi !== undefined) {
    const cheap = label.classes ? classCounts(c, label.classes) : undefined;
    checks.push({
      code: 'class_balance',
      rule: 'label.balance',
      column: label.column,
      severity,
      expected: `every class fraction in ${rangeText(lo, hi)}`,
      sampleColumns: [],
      observed: `histogram(CAST(${c} AS VARCHAR)) FILTER (WHERE ${c} IS NOT NULL)`,
      ...(cheap ? { cheap } : {}),
      fails: (hist) => Object.values(classFractions(hist)).some((f) => outside(f, lo, hi)),
      report: classFractions,
    });
  }
  return checks;
}

/** Declared classes counted one by one only up to this many (each is a string comparison per row). */
const MAX_COUNTED_CLASSES = 10;

/**
 * The label histogram from one count per declared class, exact when no label is outside the
 * classes (the invalid_class count, the same aggregate, is 0). histogram() makes DuckDB plan the
 * whole pass as a hash aggregate, about 0.13 CPU-s more on 1M rows; these counts keep it ungrouped.
 * The entries come out as histogram()'s map: classes present, keys in byte order (DuckDB sorts
 * VARCHAR keys by their UTF-8 bytes).
 */
function classCounts(c: string, classes: (string | number | boolean)[]): Check['cheap'] {
  const names = [...new Set(classes.map(String))].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length > MAX_COUNTED_CLASSES) return undefined;
  const entries = names.map((n) => `struct_pack(key := ${quoteLiteral(n)}, value := count_if(CAST(${c} AS VARCHAR) = ${quoteLiteral(n)}))`);
  return {
    observed: `list_filter([${entries.join(', ')}], lambda e: e.value > 0)`,
    exactWhenZero: `count_if(${notIn(c, classes)})`,
  };
}

/**
 * True for a value (as text) outside `values` (an `allowed` list, a label's classes), NULL for
 * NULL, as `NOT IN (...)`. `list_contains` on a constant list: `IN` with several constants is a
 * chain of comparisons per row, about 0.035 CPU-s more per 12-value list on 1M rows.
 */
function notIn(c: string, values: (string | number | boolean)[]): string {
  return `NOT list_contains([${values.map((v) => quoteLiteral(String(v))).join(', ')}], CAST(${c} AS VARCHAR))`;
}

/**
 * A min/max bound as a SQL literal. An integer bound of an int column stays an integer: comparing
 * the BIGINT column with a DOUBLE converts every value; the answer is the same (the conversion keeps
 * the order against an integer below 2^53). Other bounds are DOUBLE literals (see numberLiteral).
 */
function boundLiteral(col: ColumnSchema, v: number): string {
  return col.type === 'int' && Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : numberLiteral(v);
}

/** Class -> fraction of non-null labels, from DuckDB's histogram() map. */
export function classFractions(hist: unknown): Record<string, number> {
  const entries = mapEntries(hist);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  return Object.fromEntries(entries.map(([k, n]) => [k, total === 0 ? 0 : n / total]));
}

/** DuckDB returns a MAP (histogram()) to JavaScript as an array of {key, value}. */
export function mapEntries(value: unknown): [string, number][] {
  if (!Array.isArray(value)) return [];
  return value.map((e: { key: unknown; value: unknown }) => [String(e.key), Number(e.value)]);
}

function outside(v: number, min: number | undefined, max: number | undefined): boolean {
  return Number.isNaN(v) || (min !== undefined && v < min) || (max !== undefined && v > max);
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `[${min}, ${max}]`;
  return min !== undefined ? `>= ${min}` : `<= ${max}`;
}
