/**
 * `mlpipe validate`: runs every check of a schema over a CSV or Parquet file and returns every
 * failure as data. One aggregate query computes all checks in a single streaming pass; only when a
 * row-level check fails does a second pass (with row numbers) pick a sample of offending rows.
 */
import { readFileSync, statSync } from 'node:fs';
import { type ProgressReporter, silentProgress } from '../core/progress.js';
import { type Check, type KeyWindow, compileChecks, rawName } from './checks.js';
import type { DriftReport } from './drift.js';
import { type Issue, type SampleRow, describeIssue } from './issues.js';
import type { Profile } from './profile.js';
import { type Schema, parseSchema, ruleValue, sourceFromSchema } from './schema.js';
import { readHead, splitLine } from './sniff.js';
import {
  type DataSource,
  type Database,
  type OpenedSource,
  DEFAULT_CSV,
  assertReadableFile,
  castRejects,
  detectFormat,
  fastReadOptions,
  openDatabase,
  openSource,
  query,
  quoteIdent,
  typedSelectList,
} from './source.js';

export interface ValidateOptions {
  /** Path of the CSV or Parquet file to validate. */
  data: string;
  /** The schema, or the path of its YAML file. */
  schema: Schema | string;
  /** A reference dataset (same schema) to test drift against. */
  reference?: string | undefined;
  /** Offending rows kept per issue (default 5). */
  sampleSize?: number;
  progress?: ProgressReporter;
  /** Also profile the data (per-column statistics and histograms, for the HTML report). */
  profile?: boolean;
  /** Missing-value tokens, instead of the schema's csv.nullMarkers (default NA_VALUES). */
  naValues?: readonly string[] | undefined;
}

export interface ValidationReport {
  valid: boolean;
  data: string;
  format: 'csv' | 'parquet';
  rows: number;
  columns: string[];
  checks: { total: number; passed: number; errors: number; warnings: number };
  issues: Issue[];
  drift: DriftReport | null;
  /** Present when asked for with `profile: true`. */
  profile?: Profile;
}

export function loadSchema(path: string): Schema {
  assertReadableFile(path, 'schema file');
  return parseSchema(readFileSync(path, 'utf8'), path);
}

export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  // DuckDB creates its instance on a worker thread (20-30 ms): the schema is read meanwhile.
  const starting = openDatabase();
  let schema: Schema;
  try {
    schema = typeof options.schema === 'string' ? loadSchema(options.schema) : options.schema;
  } catch (err) {
    starting.then((db) => db.close(), () => {});
    throw err;
  }
  const progress = (options.progress ?? silentProgress).task('validate', { unit: 'passes' });
  const db = await starting;
  try {
    const source = sourceFromSchema(schema, options.data, detectFormat(options.data));
    if (source.csv && options.naValues) source.csv.nullMarkers = [...options.naValues];
    const csv = source.format === 'csv';
    // Optimistic first scan: float/bool/date columns parsed by the CSV reader (cheaper than text + cast).
    // If any value fails to parse, scan again from text so that type errors are counted exactly.
    let opened = await openSource(db, source, { rejects: csv, ...(csv ? fastReadOptions(source.columns) : {}), bufferBytes: CSV_BUFFER_BYTES });
    const structural = structureIssues(schema, opened);
    const present = new Set(source.columns.map((c) => c.name).filter((n) => !opened.missing.includes(n)));
    const keyWindows = await integerKeyWindows(db, schema, source, present);
    const checks = compileChecks(schema, { present, text: csv, keyWindows });
    progress.status('checking');
    let { rows, values } = await runAggregates(db, opened, checks);
    if (csv && (await castRejects(db)) > 0) {
      opened = await openSource(db, source, { rejects: true, bufferBytes: CSV_BUFFER_BYTES });
      ({ rows, values } = await runAggregates(db, opened, checks));
    }
    progress.tick();
    const failed = checks.filter((c, i) => failedCheck(c, values[i]!, rows));
    const failures = failed.map((check) => ({ check, count: Number(values[checks.indexOf(check)]![0] ?? 0) }));
    const samples = await sampleRows(db, opened, failures, rows, options.sampleSize ?? 5);
    progress.tick();
    const issues = [...structural, ...failed.map((c) => toIssue(c, values[checks.indexOf(c)]!, samples.get(c) ?? []))];
    let drift: DriftReport | null = null;
    if (options.reference) {
      progress.status('drift');
      // Drift and profile modules are loaded only when asked for (a plain validate skips their load).
      const { compareDistributions } = await import('./drift.js');
      drift = await compareDistributions(db, { schema, current: opened, reference: options.reference });
      issues.push(...drift.issues);
    }
    progress.done();
    const profiled = options.profile ? await (await import('./profile.js')).profile({ data: options.data, source }) : undefined;
    const errors = issues.filter((i) => i.severity === 'error').length;
    const total = checks.length + (schema.extraColumns === 'allow' ? 0 : 1) + source.columns.length + (drift?.columns.length ?? 0);
    return {
      valid: errors === 0,
      data: options.data,
      format: source.format,
      rows,
      columns: opened.fileColumns,
      checks: { total, passed: total - issues.length, errors, warnings: issues.length - errors },
      issues,
      drift,
      ...(profiled ? { profile: profiled } : {}),
    };
  } finally {
    db.close();
  }
}

/** CSV read buffers (see ReadOptions.bufferBytes): peak memory, not speed. */
const CSV_BUFFER_BYTES = 4 * 2 ** 20;
/**
 * Keys per bitmap window of an integer uniqueness check: the bitmap is allocated, merged and counted
 * per DuckDB thread, so it is sized for the file (at least twice its estimated rows, a power of 2)
 * between 2^16 keys (8 KiB) and 2^25 (4 MiB, ~16M rows and more, or a size that cannot be estimated).
 */
const MIN_KEY_WINDOW = 2n ** 16n;
const MAX_KEY_WINDOW = 2n ** 25n;
/** Rows read to place the window (at most; a CSV is probed in its first KEY_PROBE_BYTES). */
const KEY_PROBE_ROWS = 2048;
const KEY_PROBE_BYTES = 64 * 1024;

/** What the first rows tell about the keys: each column's smallest key, and the file's rows (estimated). */
interface KeyProbe {
  minima: unknown[];
  rows: number | undefined;
}

/**
 * For each integer column checked for uniqueness on its own, a window of keys placed around the
 * smallest key of the first rows (an ID column rarely leaves it; keys that do are counted exactly
 * anyway, see uniqueCheck), a quarter of it below that key. Only where the window goes and its size
 * depend on this probe, never a count, so a CSV is probed in JavaScript over the head that was read
 * for its header anyway (a DuckDB query costs a scan of its first buffer); a file it cannot read
 * gets no window here and its error from the full scan.
 */
export async function integerKeyWindows(db: Database, schema: Schema, source: DataSource, present: Set<string>): Promise<Map<string, KeyWindow>> {
  const ints = source.columns.filter((c) => c.type === 'int' && ruleValue(schema.columns[c.name]?.unique) === true && present.has(c.name)).map((c) => c.name);
  const windows = new Map<string, KeyWindow>();
  if (ints.length === 0) return windows;
  try {
    const { minima, rows } = source.format === 'csv' ? await headMinima(source, ints) : await probeMinima(db, source, ints);
    const size = keyWindowSize(rows);
    ints.forEach((name, i) => {
      const min = minima[i];
      // Far from BIGINT's ends, so that the window's bounds stay BIGINT literals.
      if (typeof min !== 'bigint' || min < -(2n ** 62n) || min > 2n ** 62n) return;
      const lo = min - size / 4n;
      windows.set(name, { lo, hi: lo + size - 1n });
    });
  } catch {
    // No window: count(DISTINCT) alone.
  }
  return windows;
}

/** The window for a file of about `rows` rows (see MIN_KEY_WINDOW). */
export function keyWindowSize(rows: number | undefined): bigint {
  if (rows === undefined || !Number.isFinite(rows)) return MAX_KEY_WINDOW;
  let size = MIN_KEY_WINDOW;
  while (size < MAX_KEY_WINDOW && Number(size) < 2 * rows) size *= 2n;
  return size;
}

/**
 * The smallest integer (plain digits) of each column in the first rows of the CSV's head, and the
 * file's rows estimated from its size and the head's bytes per line (none for a gzip file, whose
 * size says little about its rows).
 */
async function headMinima(source: DataSource, names: string[]): Promise<KeyProbe> {
  const csv = source.csv ?? DEFAULT_CSV;
  const head = await readHead(source.path, KEY_PROBE_BYTES);
  const lines = head.text.split(/\r?\n/).slice(csv.skipRows).filter((l) => l.length > 0);
  // Bytes per line from the complete lines of the head (its last one may be cut).
  const end = head.text.lastIndexOf('\n') + 1;
  const newlines = head.text.slice(0, end).split('\n').length - 1;
  const rows = source.path.endsWith('.gz') || newlines === 0 ? undefined : statSync(source.path).size / (Buffer.byteLength(head.text.slice(0, end)) / newlines);
  // Without a header the columns are read by position, in the declared order.
  const header = csv.header ? splitLine(lines.shift() ?? '', csv.delimiter, csv.quote) : source.columns.map((c) => c.name);
  const at = names.map((n) => header.indexOf(n));
  const minima: (bigint | undefined)[] = names.map(() => undefined);
  for (const line of lines.slice(0, KEY_PROBE_ROWS)) {
    // Most lines have no quotes: the native split is ~10x faster than splitLine's scan.
    const fields = line.includes(csv.quote) ? splitLine(line, csv.delimiter, csv.quote) : line.split(csv.delimiter);
    at.forEach((k, i) => {
      const text = fields[k]?.trim() ?? '';
      if (!/^[-+]?\d{1,19}$/.test(text)) return;
      const value = BigInt(text);
      if (minima[i] === undefined || value < minima[i]!) minima[i] = value;
    });
  }
  return { minima, rows };
}

/** The smallest key of each column in the first rows of a Parquet file, typed by DuckDB, and its rows (from the metadata). */
async function probeMinima(db: Database, source: DataSource, names: string[]): Promise<KeyProbe> {
  const probe = await openSource(db, source);
  const keys = names.map((n, i) => `${quoteIdent(n)} AS k${i}`).join(', ');
  const [row] = await db.all(`SELECT ${names.map((_, i) => `min(k${i}) AS m${i}`).join(', ')}, (SELECT count(*) FROM ${probe.rawSql}) AS n FROM (SELECT ${keys} FROM ${probe.typedSql} LIMIT ${KEY_PROBE_ROWS})`);
  return { minima: names.map((_, i) => row?.[`m${i}`]), rows: row?.n === undefined ? undefined : Number(row.n) };
}

/** Missing required columns and undeclared extra columns (by the schema's extraColumns policy). */
function structureIssues(schema: Schema, opened: OpenedSource): Issue[] {
  const issues: Issue[] = [];
  for (const name of opened.missing) {
    const col = schema.columns[name]!;
    const required = typeof col.required === 'object' ? col.required.value : (col.required ?? true);
    if (!required) continue;
    const severity = typeof col.required === 'object' && col.required.severity ? col.required.severity : (col.severity ?? 'error');
    issues.push(issue({ code: 'missing_column', severity, column: name, rule: 'required', observed: 'absent', expected: 'present', count: null, sample: [] }));
  }
  if (schema.extraColumns !== 'allow') {
    for (const name of opened.extra) {
      issues.push(issue({ code: 'extra_column', severity: schema.extraColumns, column: name, rule: 'extraColumns', observed: 'present', expected: 'not in the file (extraColumns: allow to accept)', count: null, sample: [] }));
    }
  }
  return issues;
}

/** Typed declared columns under their names, plus each raw value as `__raw__<name>`. */
function checkedRelation(opened: OpenedSource): string {
  const present = opened.source.columns.filter((c) => !opened.missing.includes(c.name));
  return `(SELECT *, ${present.map((c) => `${quoteIdent(c.name)} AS ${quoteIdent(rawName(c.name))}`).join(', ')} FROM ${opened.rawSql}) AS raw_rows`;
}

/** The typed columns computed from the raw ones, as a SELECT list over `checkedRelation`. */
function typedSelect(opened: OpenedSource, extra = ''): string {
  const present = opened.source.columns.filter((c) => !opened.missing.includes(c.name));
  const typed = typedSelectList(present, opened.source.format === 'csv', opened.readerTypes);
  const raws = present.map((c) => quoteIdent(rawName(c.name))).join(', ');
  return `SELECT ${extra}${typed}, ${raws}`;
}

/**
 * The one aggregate pass. Type checks of columns that the CSV reader parsed itself (readerTypes)
 * cannot fail in that scan (a value that does not parse is a CAST reject, which triggers the text
 * rescan), so they are not computed and count 0.
 */
async function runAggregates(db: Database, opened: OpenedSource, checks: Check[]): Promise<{ rows: number; values: unknown[][] }> {
  const parsedByReader = (c: Check) => c.code === 'invalid_type' && c.column !== null && opened.readerTypes[c.column] !== undefined;
  // Reading each such column keeps it in the scan: DuckDB does not parse (or reject) unread columns.
  const aggs: string[] = ['count(*) AS __rows', ...Object.keys(opened.readerTypes).map((n, i) => `count(${quoteIdent(rawName(n))}) AS p${i}`)];
  checks.forEach((c, i) => {
    if (c.failing && !parsedByReader(c)) aggs.push(`count_if(${c.failing}) AS f${i}`);
    if (c.cheap) aggs.push(`${c.cheap.observed} AS o${i}`, `${c.cheap.exactWhenZero} AS x${i}`);
    else if (c.observed) aggs.push(`${c.observed} AS o${i}`);
  });
  const relation = `WITH t AS (${typedSelect(opened)} FROM ${checkedRelation(opened)})`;
  const [row] = await query(db, `${relation} SELECT ${aggs.join(', ')} FROM t`, opened.source.path);
  // Cheap observations that are not exact on this file: the real aggregates, in a second pass.
  const inexact = checks.flatMap((c, i) => (c.cheap && Number(row?.[`x${i}`] ?? 0) !== 0 ? [`${c.observed} AS o${i}`] : []));
  const [exact] = inexact.length > 0 ? await query(db, `${relation} SELECT ${inexact.join(', ')} FROM t`, opened.source.path) : [];
  const observed = (i: number) => (exact && `o${i}` in exact ? exact[`o${i}`] : row?.[`o${i}`]);
  const values = checks.map((c, i) => [parsedByReader(c) ? 0 : row?.[`f${i}`], observed(i)]);
  return { rows: Number(row?.__rows ?? 0), values };
}

function failedCheck(check: Check, [failCount, observed]: unknown[], rows: number): boolean {
  if (check.fails) return check.fails(observed, rows);
  return Number(failCount) > 0;
}

function toIssue(check: Check, [failCount, observed]: unknown[], sample: SampleRow[]): Issue {
  const count = check.failing ? Number(failCount) : check.key ? Number(observed) : null;
  return issue({
    code: check.code,
    severity: check.severity,
    column: check.column,
    rule: check.rule,
    observed: check.report ? check.report(observed) : check.failing && observed === undefined ? `${count} row(s)` : plain(observed),
    expected: check.expected,
    count,
    sample,
  });
}

function issue(fields: Omit<Issue, 'message'>): Issue {
  return { code: fields.code, severity: fields.severity, column: fields.column, rule: fields.rule, message: describeIssue(fields), observed: fields.observed, expected: fields.expected, count: fields.count, sample: fields.sample };
}

/** DuckDB values as JSON-friendly data (BIGINT arrives as bigint). */
export function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * The source to sample `shown` columns from: read again with its date columns as text when a
 * sample shows a date the reader parsed, so that it appears as the file writes it (`2015-1-1`), not
 * as the DATE; floats and bools stay parsed, as in the main pass.
 */
async function withTextDates(db: Database, opened: OpenedSource, shown: string[]): Promise<OpenedSource> {
  if (!shown.some((c) => opened.readerTypes[c] === 'DATE')) return opened;
  const readerTypes = Object.fromEntries(Object.entries(opened.readerTypes).filter(([, t]) => t !== 'DATE'));
  return openSource(db, opened.source, { rejects: true, readerTypes, bufferBytes: CSV_BUFFER_BYTES });
}

/**
 * Offending rows with their 1-based row numbers in file order, for the failed checks. A check that
 * fails often enough that its first `size` rows are expected within the first tenth of the file gets
 * its own `... WHERE failing LIMIT size` query, which stops reading early; the rarer ones share one
 * full pass that keeps the first `size` rows per check (DuckDB's bounded arg_min(x, row, n)).
 * Uniqueness checks sample repeated keys with a GROUP BY.
 */
async function sampleRows(db: Database, opened: OpenedSource, failed: { check: Check; count: number }[], rows: number, size: number): Promise<Map<Check, SampleRow[]>> {
  const out = new Map<Check, SampleRow[]>();
  const rowLevel = failed.filter((f) => f.check.failing && f.check.sampleColumns.length > 0);
  const keyed = failed.map((f) => f.check).filter((c) => c.key);
  if (size === 0 || (rowLevel.length === 0 && keyed.length === 0)) return out;
  opened = await withTextDates(db, opened, [...rowLevel.flatMap((f) => f.check.sampleColumns), ...keyed.flatMap((c) => c.key!)]);
  // Row numbers must follow the file order.
  await db.all('SET preserve_insertion_order = true');
  const relation = checkedRelation(opened);
  const numbered = `WITH t AS (${typedSelect(opened, 'row_number() OVER () AS __row, ')} FROM ${relation})`;
  const rawStruct = (cols: string[]) => `struct_pack(${cols.map((c) => `${quoteIdent(c)} := ${quoteIdent(rawName(c))}`).join(', ')})`;
  const toSample = (s: { __row: bigint; v: Record<string, unknown> }) => ({ row: Number(s.__row), values: plain(s.v) as Record<string, unknown> });
  const frequent = rowLevel.filter((f) => (size * rows) / f.count <= rows / 10);
  for (const { check } of frequent) {
    const found = await query(db, `${numbered} SELECT __row, ${rawStruct(check.sampleColumns)} AS v FROM t WHERE ${check.failing} LIMIT ${size}`, opened.source.path);
    out.set(check, found.map((r) => toSample(r as { __row: bigint; v: Record<string, unknown> })));
  }
  const rare = rowLevel.filter((f) => !frequent.includes(f)).map((f) => f.check);
  if (rare.length > 0) {
    const aggs = rare.map((c, i) => `arg_min(struct_pack(__row := __row, v := ${rawStruct(c.sampleColumns)}), __row, ${size}) FILTER (WHERE ${c.failing}) AS s${i}`);
    const [row] = await query(db, `${numbered} SELECT ${aggs.join(', ')} FROM t`, opened.source.path);
    rare.forEach((c, i) => {
      out.set(c, ((row?.[`s${i}`] as { __row: bigint; v: Record<string, unknown> }[] | null) ?? []).map(toSample));
    });
  }
  for (const c of keyed) {
    const key = c.key!.map(quoteIdent).join(', ');
    const notNull = c.key!.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(' AND ');
    const rows = await query(
      db,
      `${numbered} SELECT any_value(${rawStruct(c.key!)}) AS v, min(__row, 3) AS rows FROM t WHERE ${notNull} GROUP BY ${key} HAVING count(*) > 1 ORDER BY min(__row) LIMIT ${size}`,
      opened.source.path,
    );
    out.set(c, rows.flatMap((r) => (r.rows as bigint[]).map((n) => ({ row: Number(n), values: plain(r.v) as Record<string, unknown> }))).slice(0, size * 3));
  }
  await db.all('SET preserve_insertion_order = false');
  return out;
}
