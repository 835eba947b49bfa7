/**
 * `mlpipe profile` and the first half of `schema infer`: detect how to read a file (CSV dialect,
 * missing-value tokens, column types; detect.ts), then per-column statistics and histograms. Three
 * streaming passes per batch of columns: raw values (what parses as what), typed statistics with
 * exact distinct counts, histograms.
 */
import { type ProgressReporter, silentProgress } from '../core/progress.js';
import { mapEntries } from './checks.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATEGORY_MAX_DISTINCT, COLUMN_BATCH, detectCsv, detectSource, detectTypes, inBatches, spoolToParquet } from './detect.js';
import {
  type ColumnType,
  type CsvOptions,
  type DataFormat,
  type DataSource,
  type Database,
  type SourceColumn,
  assertReadableFile,
  csvReadSql,
  detectFormat,
  openDatabase,
  openSource,
  query,
  quoteIdent,
  numberLiteral,
  typedSelectList,
} from './source.js';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-null values. */
  count: number;
  nulls: number;
  /** Distinct non-null values, counted exactly (an estimate shown as a count misleads: 57 for 60). */
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

const HISTOGRAM_BINS = 20;
/** Below this size a wide CSV is profiled on one DuckDB thread (see oneThreadIfSmall). */
const SMALL_WIDE_BYTES = 64 * 2 ** 20;

export interface ProfileOptions {
  data: string;
  /** Read with these columns and options instead of detecting them. */
  source?: DataSource;
  /** Missing-value tokens when detecting (default: NA_VALUES). */
  naValues?: readonly string[] | undefined;
  progress?: ProgressReporter;
}

export async function profile(options: ProfileOptions): Promise<Profile> {
  assertReadableFile(options.data);
  const task = (options.progress ?? silentProgress).task('profile', { total: 3, unit: 'passes' });
  const db = await openDatabase();
  let spoolDir: string | undefined;
  const spoolFile = () => {
    spoolDir ??= mkdtempSync(join(tmpdir(), 'mlpipe-profile-'));
    return join(spoolDir, 'columns.parquet');
  };
  // A wide but small file is many small queries, each paying DuckDB's per-thread set-up for every
  // aggregate: one thread costs about a third less CPU there (2,000 x 1,000: 7.5 vs 10.4 CPU-s).
  const oneThreadIfSmall = async () => {
    if (statSync(options.data).size < SMALL_WIDE_BYTES) await db.all('SET threads = 1');
  };
  try {
    let source: DataSource;
    let raw: string | undefined;
    if (options.source || detectFormat(options.data) === 'parquet') {
      source = options.source ?? (await detectSource(db, options.data, { naValues: options.naValues }));
    } else {
      const { csv, names } = await detectCsv(options.data, { naValues: options.naValues });
      raw = csvReadSql(options.data, csv, names, { rejects: true });
      if (names.length > COLUMN_BATCH) {
        raw = await spoolToParquet(db, raw, options.data, spoolFile());
        await oneThreadIfSmall();
      }
      source = { path: options.data, format: 'csv', csv, columns: await detectTypes(db, raw, names, options.data) };
    }
    task.tick();
    const opened = await openSource(db, source, { rejects: source.format === 'csv' });
    if (!raw && source.format === 'csv' && opened.fileColumns.length > COLUMN_BATCH) {
      raw = await spoolToParquet(db, opened.rawSql, options.data, spoolFile());
      await oneThreadIfSmall();
    }
    const rawSql = raw ?? opened.rawSql;
    const columns = source.columns.filter((c) => !opened.missing.includes(c.name));
    // Each batch of columns gets its own typed relation: a relation typing all 2,000 columns would
    // be planned again for every batch.
    const typedOf = (batch: SourceColumn[]) => `(SELECT ${typedSelectList(batch, source.format === 'csv') || '1'} FROM ${rawSql})`;
    let rows = 0;
    const profiled: ColumnProfile[] = [];
    for (const batch of inBatches(columns)) {
      const stats = await typedStats(db, typedOf(batch), batch, options.data);
      rows = stats.rows;
      profiled.push(...stats.columns);
    }
    if (columns.length === 0) rows = Number((await query(db, `SELECT count(*) AS n FROM ${rawSql}`, options.data))[0]?.n ?? 0);
    task.tick();
    for (const batch of inBatches(profiled)) {
      await addHistograms(db, typedOf(columns.filter((c) => batch.some((p) => p.name === c.name))), batch, options.data);
    }
    task.done();
    return { data: options.data, format: source.format, rows, csv: source.csv ?? null, columns: profiled };
  } finally {
    db.close();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  }
}

const isNumeric = (t: ColumnType) => t === 'int' || t === 'float';
const isText = (t: ColumnType) => t === 'string' || t === 'category';

async function typedStats(db: Database, typedSql: string, columns: { name: string; type: ColumnType }[], path: string): Promise<{ rows: number; columns: ColumnProfile[] }> {
  const aggs = ['count(*) AS __rows'];
  columns.forEach((col, i) => {
    const c = quoteIdent(col.name);
    aggs.push(`count(${c}) AS n${i}`, `count(DISTINCT ${c}) AS d${i}`);
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

function topValues(hist: unknown): { value: string; count: number }[] {
  return mapEntries(hist)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, CATEGORY_MAX_DISTINCT);
}

/** Equal-width bins (numpy.histogram's edges: the last bin includes the max) for numeric columns. */
async function addHistograms(db: Database, typedSql: string, columns: ColumnProfile[], path: string): Promise<void> {
  // A range wider than the largest double (values near +-1e308) has no equal-width bins.
  const numeric = columns.filter((c) => isNumeric(c.type) && typeof c.min === 'number' && typeof c.max === 'number' && Number.isFinite(c.max - c.min));
  if (numeric.length === 0) return;
  const aggs = numeric.map((col, i) => {
    const lo = col.min as number;
    const width = ((col.max as number) - lo) / HISTOGRAM_BINS || 1;
    return `histogram(least(floor((${quoteIdent(col.name)} - ${numberLiteral(lo)}) / ${numberLiteral(width)}), ${HISTOGRAM_BINS - 1})::INTEGER) AS h${i}`;
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
