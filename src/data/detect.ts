/**
 * How to read a file that has no schema yet: its CSV dialect (delimiter, header, quote, leading
 * lines, encoding; see sniff.ts), the missing-value tokens, and each column's type. Schema
 * inference, profiling, training without `--schema` and batch prediction all start here, so a file
 * is read the same way by each of them.
 */
import { MlpipeError } from '../errors.js';
import { NA_VALUES } from './na.js';
import { readHead, sniffDialect, splitLine } from './sniff.js';
import {
  type ColumnType,
  type CsvOptions,
  type DataSource,
  type Database,
  type SourceColumn,
  csvReadSql,
  detectFormat,
  parquetReadSql,
  query,
  quoteIdent,
  quoteLiteral,
} from './source.js';

/** A text column with at most this many distinct values is a category. */
export const CATEGORY_MAX_DISTINCT = 50;
/**
 * Columns aggregated per query. DuckDB plans one query with thousands of aggregates in time and
 * memory that grow faster than the column count (400 columns ran out of 18 GiB); batches keep
 * profiling linear in columns, at the price of one scan per batch.
 */
export const COLUMN_BATCH = 32;

export function inBatches<T>(items: readonly T[], size = COLUMN_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface DetectOptions {
  /** Missing-value tokens (default: NA_VALUES). */
  naValues?: readonly string[] | undefined;
}

const EXTRA_MARKERS = ['?'];

function headHasField(text: string, delimiter: string, quote: string, field: string): boolean {
  return text.split(/\r?\n/).some((line) => line.includes(field) && splitLine(line, delimiter, quote).some((f) => f.trim() === field));
}

/** The CSV dialect and column names of a file, with the missing-value tokens to read it with. */
export async function detectCsv(path: string, options: DetectOptions = {}): Promise<{ csv: CsvOptions; names: string[] }> {
  const head = await readHead(path);
  const dialect = sniffDialect(head);
  if (dialect.fields < 1) throw new MlpipeError('E_BAD_INPUT', `no rows found in ${path}`, { expected: 'a CSV file with rows', received: 'no data lines' });
  if (dialect.duplicates.length > 0) {
    throw new MlpipeError('E_BAD_INPUT', `the header of ${path} repeats column name${dialect.duplicates.length > 1 ? 's' : ''} ${dialect.duplicates.map((d) => JSON.stringify(d)).join(', ')}`, {
      expected: 'distinct column names in the header line',
      received: dialect.duplicates.join(', '),
      hint: 'rename the repeated columns in the header so that each name is used once',
      data: { duplicates: dialect.duplicates },
    });
  }
  const names = dialect.names ?? Array.from({ length: dialect.fields }, (_, i) => `column${i + 1}`);
  const tokens = [...(options.naValues ?? NA_VALUES)];
  // "?" marks missing values in the UCI repository's files (adult, ...); it is not pandas' default,
  // so it is taken only when a whole field of the sampled lines is "?" (and no list was given).
  if (!options.naValues && EXTRA_MARKERS.some((m) => headHasField(head.text, dialect.delimiter, dialect.quote, m))) tokens.push(...EXTRA_MARKERS);
  const csv: CsvOptions = {
    delimiter: dialect.delimiter,
    header: dialect.header,
    quote: dialect.quote,
    escape: dialect.quote,
    encoding: dialect.encoding,
    nullMarkers: tokens,
    skipRows: dialect.skipRows,
  };
  return { csv, names };
}

/** Dialect, missing-value tokens and column types of a file that has no schema yet. */
export async function detectSource(db: Database, path: string, options: DetectOptions = {}): Promise<DataSource> {
  const format = detectFormat(path);
  if (format === 'parquet') return detectParquet(db, path);
  const { csv, names } = await detectCsv(path, options);
  const columns = await detectTypes(db, csvReadSql(path, csv, names, { rejects: true }), names, path);
  return { path, format, csv, columns };
}

/** The type of each of `names` in `raw`, a relation of text columns (a CSV read as VARCHAR). */
export async function detectTypes(db: Database, raw: string, names: string[], path: string): Promise<SourceColumn[]> {
  return (await detectTypeCounts(db, raw, names, path)).map(({ name, type }) => ({ name, type }));
}

/** A column's detected type with the counts it was decided from. */
export interface TypeCounts {
  name: string;
  type: ColumnType;
  /** Present (non-missing) values. */
  values: number;
  /** Per parsed type, how many present values do not parse as it. */
  failures: Record<ParsedType, number>;
}

/**
 * detectTypes with its counts: a reader that detects on a sample of the rows (train's one-scan CSV
 * read) learns from them which types the whole column cannot have (a value that fails in the
 * sample fails in the file).
 */
export async function detectTypeCounts(
  db: Database,
  raw: string,
  names: string[],
  path: string,
  run: (sql: string) => Promise<Record<string, unknown>[]> = (sql) => query(db, sql, path),
): Promise<TypeCounts[]> {
  const out: TypeCounts[] = [];
  for (const batch of inBatches(names)) {
    // Per column, "is a value" and its double are computed once and reused by the aggregates; the
    // costlier casts sit in CASE branches, evaluated only on the rows that reach them.
    const projected = batch.flatMap((n, i) => {
      const c = quoteIdent(n);
      return [`${c} AS s${i}`, `TRY_CAST(${c} AS DOUBLE) AS x${i}`];
    });
    const aggs = batch.flatMap((_, i) => typeAggregates(`s${i}`, `x${i}`, String(i)));
    const [row = {}] = await run(`SELECT ${aggs.join(', ')} FROM (SELECT ${projected.join(', ')} FROM ${raw})`);
    for (const [i, name] of batch.entries()) {
      const failures = Object.fromEntries(PARSED_TYPES.map((t) => [t, Number(row[`${t}${i}`] ?? 0)])) as Record<ParsedType, number>;
      out.push({ name, type: decideType(row, String(i)), values: Number(row[`v${i}`] ?? 0), failures });
    }
  }
  return out;
}

/** The types a text column is tested for, narrowest first: the first that every value parses as is its type. */
export const PARSED_TYPES = ['bool', 'int', 'float', 'date', 'datetime'] as const;
export type ParsedType = (typeof PARSED_TYPES)[number];

/**
 * SQL that is true when a present text value `s` (with `x` = TRY_CAST(s AS DOUBLE)) does not parse
 * as `type`. Detection counts these; train's one-scan read checks the same conditions on every row.
 */
export function typeFailure(type: ParsedType, s: string, x: string): string {
  switch (type) {
    case 'bool':
      return `lower(${s}) NOT IN ('true', 'false')`;
    case 'int':
      return `CASE WHEN ${x} IS NULL THEN true ELSE contains(${s}, '.') OR TRY_CAST(${s} AS BIGINT) IS NULL END`;
    case 'float':
      return `${x} IS NULL`;
    case 'date':
      return `CASE WHEN ${x} IS NULL THEN TRY_CAST(${s} AS DATE) IS NULL ELSE true END`;
    case 'datetime':
      return `CASE WHEN ${x} IS NULL THEN TRY_CAST(${s} AS TIMESTAMP) IS NULL ELSE true END`;
  }
}

/**
 * The aggregates that decide a column's type, over its text `s` and `x` = TRY_CAST(s AS DOUBLE),
 * named with `suffix` (the column's index in a batch, or nothing when grouped by column).
 */
export function typeAggregates(s: string, x: string, suffix: string): string[] {
  return [
    `count(${s}) AS v${suffix}`,
    ...(['float', 'int', 'bool', 'date', 'datetime'] as const).map((t) => `count_if(${s} IS NOT NULL AND ${typeFailure(t, s, x)}) AS ${t}${suffix}`),
    // The type decision only needs "at most 50 or more"; profile() counts distinct values exactly.
    `approx_count_distinct(${s}) AS d${suffix}`,
  ];
}

/** The narrowest type that every value parses as (typeAggregates' counts of values that do not). */
export function decideType(r: Record<string, unknown>, suffix: string): ColumnType {
  const values = Number(r[`v${suffix}`] ?? 0);
  const parses = (t: string) => values > 0 && Number(r[`${t}${suffix}`]) === 0;
  if (parses('bool')) return 'bool';
  if (parses('int')) return 'int';
  if (parses('float')) return 'float';
  if (parses('date')) return 'date';
  if (parses('datetime')) return 'datetime';
  if (values > 0 && Number(r[`d${suffix}`]) <= CATEGORY_MAX_DISTINCT) return 'category';
  return 'string';
}

async function detectParquet(db: Database, path: string): Promise<DataSource> {
  const rows = await query(db, `DESCRIBE SELECT * FROM ${parquetReadSql(path)}`, path);
  const columns = rows.map((r) => ({ name: String(r.column_name), type: parquetType(String(r.column_type)) }));
  const text = columns.filter((c) => c.type === 'string');
  for (const batch of inBatches(text)) {
    const [row] = await query(db, `SELECT ${batch.map((c, i) => `approx_count_distinct(${quoteIdent(c.name)}) AS d${i}`).join(', ')} FROM ${parquetReadSql(path)}`, path);
    batch.forEach((c, i) => {
      if (Number(row?.[`d${i}`]) <= CATEGORY_MAX_DISTINCT) c.type = 'category';
    });
  }
  return { path, format: 'parquet', columns };
}

function parquetType(duck: string): ColumnType {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(duck)) return 'int';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL)/.test(duck)) return 'float';
  if (duck === 'BOOLEAN') return 'bool';
  if (duck === 'DATE') return 'date';
  if (duck.startsWith('TIMESTAMP')) return 'datetime';
  return 'string';
}

/**
 * Copies a wide text relation into a temporary Parquet file and returns the relation reading it:
 * every later batch of columns then reads only its own columns, where a CSV would be tokenised in
 * full once per batch (2,000 columns: 32 batches x 3 passes).
 */
export async function spoolToParquet(db: Database, raw: string, path: string, file: string): Promise<string> {
  await query(db, `COPY (SELECT * FROM ${raw}) TO ${quoteLiteral(file)} (FORMAT parquet)`, path);
  return parquetReadSql(file);
}
