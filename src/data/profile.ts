/**
 * `mlpipe profile` and the first half of `schema infer`: detect how to read a file (CSV dialect,
 * null markers, column types), then per-column statistics and histograms. Three streaming passes:
 * raw values (what parses as what, which null markers occur), typed statistics, histograms.
 */
import { MlpipeError } from '../errors.js';
import { type ProgressReporter, silentProgress } from '../core/progress.js';
import { mapEntries } from './checks.js';
import { readHead, sniffDialect } from './sniff.js';
import {
  type ColumnType,
  type CsvOptions,
  type DataFormat,
  type DataSource,
  type Database,
  assertReadableFile,
  csvReadSql,
  detectFormat,
  openDatabase,
  openSource,
  parquetReadSql,
  query,
  quoteIdent,
  quoteLiteral,
} from './source.js';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-null values. */
  count: number;
  nulls: number;
  /**
   * Distinct values: exact for category/bool columns (counted) and for columns that look unique
   * (recounted exactly), otherwise DuckDB's HyperLogLog estimate (within a few percent).
   */
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  std: number | null;
  /** Approximate 5/25/50/75/95% quantiles (DuckDB's t-digest), numeric columns only. */
  quantiles: Record<string, number> | null;
  minLength: number | null;
  maxLength: number | null;
  /** Most frequent values (up to 50) of category and bool columns. */
  top: { value: string; count: number }[] | null;
  /** 20 equal-width bins over [min, max] for numeric columns. */
  histogram: { lo: number; hi: number; count: number }[] | null;
}

export interface Profile {
  data: string;
  format: DataFormat;
  rows: number;
  /** The CSV dialect detected (null for Parquet). */
  csv: CsvOptions | null;
  columns: ColumnProfile[];
}

/** Null markers looked for in CSV files, besides the empty field. */
export const NULL_MARKERS = ['NA', 'N/A', 'null', 'NULL', '?', 'None'];
const CATEGORY_MAX_DISTINCT = 50;
const HISTOGRAM_BINS = 20;

export interface ProfileOptions {
  data: string;
  /** Read with these columns and options instead of detecting them. */
  source?: DataSource;
  progress?: ProgressReporter;
}

export async function profile(options: ProfileOptions): Promise<Profile> {
  assertReadableFile(options.data);
  const task = (options.progress ?? silentProgress).task('profile', { total: 3, unit: 'passes' });
  const db = await openDatabase();
  try {
    const source = options.source ?? (await detectSource(db, options.data));
    task.tick();
    const opened = await openSource(db, source, { rejects: source.format === 'csv' });
    const columns = source.columns.filter((c) => !opened.missing.includes(c.name));
    const stats = await typedStats(db, opened.typedSql, columns, options.data);
    await exactDistinct(db, opened.typedSql, stats.columns, options.data);
    task.tick();
    await addHistograms(db, opened.typedSql, stats.columns, options.data);
    task.done();
    return { data: options.data, format: source.format, rows: stats.rows, csv: source.csv ?? null, columns: stats.columns };
  } finally {
    db.close();
  }
}

/** Dialect, null markers and column types of a file that has no schema yet. */
export async function detectSource(db: Database, path: string): Promise<DataSource> {
  const format = detectFormat(path);
  if (format === 'parquet') {
    const rows = await query(db, `DESCRIBE SELECT * FROM ${parquetReadSql(path)}`, path);
    const columns = [];
    for (const r of rows) columns.push({ name: String(r.column_name), type: parquetType(String(r.column_type)) });
    const text = columns.filter((c) => c.type === 'string');
    if (text.length > 0) {
      const counts = await distinctCounts(db, parquetReadSql(path), text.map((c) => c.name), path);
      for (const c of text) if (counts[c.name]! <= CATEGORY_MAX_DISTINCT) c.type = 'category';
    }
    return { path, format, columns };
  }
  const dialect = sniffDialect(await readHead(path));
  if (dialect.fields < 1) throw new MlpipeError('E_BAD_INPUT', `no rows found in ${path}`, { expected: 'a CSV file with rows', received: 'no data lines' });
  const names = dialect.names ?? Array.from({ length: dialect.fields }, (_, i) => `column${i + 1}`);
  const csv: CsvOptions = {
    delimiter: dialect.delimiter,
    header: dialect.header,
    quote: dialect.quote,
    escape: dialect.quote,
    encoding: dialect.encoding,
    nullMarkers: [''],
    skipRows: dialect.skipRows,
  };
  const raw = csvReadSql(path, csv, names, { rejects: true });
  const markers = NULL_MARKERS.map(quoteLiteral).join(', ');
  // One projection computes, per column, "is a value" and its double once; the aggregates reuse
  // them. The costlier casts sit in CASE branches, which DuckDB evaluates only on the rows that
  // reach them (an OR evaluates both sides on every row).
  const projected = names.flatMap((n, i) => {
    const c = quoteIdent(n);
    return [`${c} AS s${i}`, `(${c} IS NOT NULL AND ${c} NOT IN (${markers})) AS v${i}`, `TRY_CAST(${c} AS DOUBLE) AS x${i}`];
  });
  const aggs = names.flatMap((_, i) => [
    `count_if(v${i}) AS v${i}`,
    `count_if(v${i} AND x${i} IS NULL) AS float${i}`,
    `count_if(v${i} AND CASE WHEN x${i} IS NULL THEN true ELSE contains(s${i}, '.') OR TRY_CAST(s${i} AS BIGINT) IS NULL END) AS int${i}`,
    `count_if(v${i} AND lower(s${i}) NOT IN ('true', 'false')) AS bool${i}`,
    `count_if(v${i} AND CASE WHEN x${i} IS NULL THEN TRY_CAST(s${i} AS DATE) IS NULL ELSE true END) AS date${i}`,
    `count_if(v${i} AND CASE WHEN x${i} IS NULL THEN TRY_CAST(s${i} AS TIMESTAMP) IS NULL ELSE true END) AS datetime${i}`,
    `approx_count_distinct(s${i}) AS d${i}`,
    `histogram(s${i}) FILTER (WHERE s${i} IN (${markers})) AS m${i}`,
  ]);
  const sql = `SELECT ${aggs.join(', ')} FROM (SELECT ${projected.join(', ')} FROM ${raw})`;
  const [row] = await query(db, sql, path);
  const r = row ?? {};
  const seen = new Set<string>();
  const columns = names.map((name, i) => {
    for (const [marker] of mapEntries(r[`m${i}`])) seen.add(marker);
    const values = Number(r[`v${i}`]);
    const parses = (t: string) => values > 0 && Number(r[`${t}${i}`]) === 0;
    let type: ColumnType = 'string';
    if (parses('bool')) type = 'bool';
    else if (parses('int')) type = 'int';
    else if (parses('float')) type = 'float';
    else if (parses('date')) type = 'date';
    else if (parses('datetime')) type = 'datetime';
    else if (Number(r[`d${i}`]) <= CATEGORY_MAX_DISTINCT) type = 'category';
    return { name, type };
  });
  csv.nullMarkers = ['', ...NULL_MARKERS.filter((m) => seen.has(m))];
  return { path, format, csv, columns };
}

function parquetType(duck: string): ColumnType {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(duck)) return 'int';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL)/.test(duck)) return 'float';
  if (duck === 'BOOLEAN') return 'bool';
  if (duck === 'DATE') return 'date';
  if (duck.startsWith('TIMESTAMP')) return 'datetime';
  return 'string';
}

async function distinctCounts(db: Database, relation: string, names: string[], path: string): Promise<Record<string, number>> {
  const [row] = await query(db, `SELECT ${names.map((n, i) => `approx_count_distinct(${quoteIdent(n)}) AS d${i}`).join(', ')} FROM ${relation}`, path);
  return Object.fromEntries(names.map((n, i) => [n, Number(row?.[`d${i}`])]));
}

const isNumeric = (t: ColumnType) => t === 'int' || t === 'float';
const isText = (t: ColumnType) => t === 'string' || t === 'category';

async function typedStats(db: Database, typedSql: string, columns: { name: string; type: ColumnType }[], path: string): Promise<{ rows: number; columns: ColumnProfile[] }> {
  const aggs = ['count(*) AS __rows'];
  columns.forEach((col, i) => {
    const c = quoteIdent(col.name);
    aggs.push(`count(${c}) AS n${i}`, `approx_count_distinct(${c}) AS d${i}`);
    if (isNumeric(col.type)) {
      aggs.push(`min(${c})::DOUBLE AS lo${i}`, `max(${c})::DOUBLE AS hi${i}`, `avg(${c}) AS mean${i}`, `stddev_samp(${c}) AS std${i}`);
      aggs.push(`approx_quantile(${c}::DOUBLE, [0.05, 0.25, 0.5, 0.75, 0.95]) AS q${i}`);
    } else if (col.type === 'date' || col.type === 'datetime') {
      aggs.push(`min(${c})::VARCHAR AS lo${i}`, `max(${c})::VARCHAR AS hi${i}`);
    }
    if (isText(col.type)) aggs.push(`min(length(${c})) AS minlen${i}`, `max(length(${c})) AS maxlen${i}`);
    if (col.type === 'category' || col.type === 'bool') aggs.push(`histogram(CAST(${c} AS VARCHAR)) AS top${i}`);
  });
  const [row] = await query(db, `SELECT ${aggs.join(', ')} FROM ${typedSql}`, path);
  const r = row ?? {};
  const rows = Number(r.__rows ?? 0);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    rows,
    columns: columns.map((col, i) => {
      const count = Number(r[`n${i}`]);
      const q = r[`q${i}`] as number[] | null | undefined;
      const lo = r[`lo${i}`];
      const hi = r[`hi${i}`];
      return {
        name: col.name,
        type: col.type,
        count,
        nulls: rows - count,
        distinct: Number(r[`d${i}`]),
        min: lo === undefined || lo === null ? null : typeof lo === 'string' ? lo : Number(lo),
        max: hi === undefined || hi === null ? null : typeof hi === 'string' ? hi : Number(hi),
        mean: num(r[`mean${i}`]),
        std: num(r[`std${i}`]),
        quantiles: q ? Object.fromEntries(['0.05', '0.25', '0.5', '0.75', '0.95'].map((k, j) => [k, Number(q[j])])) : null,
        minLength: num(r[`minlen${i}`]),
        maxLength: num(r[`maxlen${i}`]),
        top: r[`top${i}`] === undefined ? null : topValues(r[`top${i}`]),
        histogram: null,
      };
    }),
  };
}

/** Recounts exactly the columns whose estimate is near their value count (uniqueness candidates). */
async function exactDistinct(db: Database, typedSql: string, columns: ColumnProfile[], path: string): Promise<void> {
  for (const c of columns) if (c.top) c.distinct = c.top.length;
  const candidates = columns.filter((c) => !c.top && c.count > 0 && c.distinct >= 0.9 * c.count);
  if (candidates.length === 0) return;
  const [row] = await query(db, `SELECT ${candidates.map((c, i) => `count(DISTINCT ${quoteIdent(c.name)}) AS d${i}`).join(', ')} FROM ${typedSql}`, path);
  candidates.forEach((c, i) => {
    c.distinct = Number(row?.[`d${i}`]);
  });
}

function topValues(hist: unknown): { value: string; count: number }[] {
  return mapEntries(hist)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, CATEGORY_MAX_DISTINCT);
}

/** Equal-width bins (numpy.histogram's edges: the last bin includes the max) for numeric columns. */
async function addHistograms(db: Database, typedSql: string, columns: ColumnProfile[], path: string): Promise<void> {
  const numeric = columns.filter((c) => isNumeric(c.type) && typeof c.min === 'number' && typeof c.max === 'number');
  if (numeric.length === 0) return;
  const aggs = numeric.map((col, i) => {
    const lo = col.min as number;
    const width = ((col.max as number) - lo) / HISTOGRAM_BINS || 1;
    return `histogram(least(floor((${quoteIdent(col.name)} - ${lo}) / ${width}), ${HISTOGRAM_BINS - 1})::INTEGER) AS h${i}`;
  });
  const [row] = await query(db, `SELECT ${aggs.join(', ')} FROM ${typedSql}`, path);
  numeric.forEach((col, i) => {
    const lo = col.min as number;
    const hi = col.max as number;
    const width = (hi - lo) / HISTOGRAM_BINS;
    const counts = new Map(mapEntries(row?.[`h${i}`]).map(([k, n]) => [Number(k), n]));
    col.histogram =
      width === 0
        ? [{ lo, hi, count: col.count }]
        : Array.from({ length: HISTOGRAM_BINS }, (_, b) => ({ lo: lo + b * width, hi: lo + (b + 1) * width, count: counts.get(b) ?? 0 }));
  });
}
