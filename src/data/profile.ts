/**
 * `mlpipe profile` and the first half of `schema infer`: detect how to read a file (CSV dialect,
 * missing-value tokens, column types; detect.ts), then per-column statistics and histograms. Three
 * streaming passes per batch of columns: raw values (what parses as what), typed statistics with
 * exact distinct counts, histograms; a small wide CSV makes the same passes grouped by column
 * (profile-long.ts).
 */
import { type ProgressReporter, silentProgress } from '../core/progress.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ColumnProfile, binHistogram, binWidth, columnProfile, hasBins, setHistogram, statAggregates } from './column-stats.js';
import { COLUMN_BATCH, detectCsv, detectSource, detectTypes, inBatches, spoolToParquet } from './detect.js';
import { detectTypesLong, materialize, profileLong } from './profile-long.js';
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

export type { ColumnProfile } from './column-stats.js';

export interface Profile {
  data: string;
  format: DataFormat;
  rows: number;
  /** The CSV dialect detected (null for Parquet). */
  csv: CsvOptions | null;
  columns: ColumnProfile[];
}

/** Below this size a wide CSV is profiled on one DuckDB thread, grouped by column (profile-long.ts). */
const SMALL_WIDE_BYTES = 64 * 2 ** 20;

export interface ProfileOptions {
  data: string;
  /** Read with these columns and options instead of detecting them. */
  source?: DataSource;
  /** Missing-value tokens when detecting (default: NA_VALUES). */
  naValues?: readonly string[] | undefined;
  progress?: ProgressReporter;
  /**
   * How a CSV of more than 32 columns is profiled: `grouped` (a table in memory, one grouped query
   * per pass; the default below 64 MiB) or `batched` (a Parquet copy, one query per 32 columns and
   * pass). Both give the same profile; tests and benchmarks compare them.
   */
  wide?: 'grouped' | 'batched';
}

export async function profile(options: ProfileOptions): Promise<Profile> {
  assertReadableFile(options.data);
  const task = (options.progress ?? silentProgress).task('profile', { total: 3, unit: 'passes' });
  const db = await openDatabase();
  const small = statSync(options.data).size < SMALL_WIDE_BYTES;
  const grouped = (options.wide ?? (small ? 'grouped' : 'batched')) === 'grouped';
  let spoolDir: string | undefined;
  let table: string | undefined;
  // A wide file is read once into a table (grouped) or a Parquet copy (batched), so that no pass
  // tokenises the whole CSV again per batch of columns. A small wide file is many aggregates over
  // few rows: one thread costs about a third less CPU there (2,000 x 1,000: 7.5 vs 10.4 CPU-s).
  const readOnce = async (raw: string): Promise<string> => {
    // One thread from the start: the copy then holds the rows in file order, and every statistic
    // sees each column's values in that order (std and the t-digest quantiles depend on it).
    if (small) await db.all('SET threads = 1');
    if (grouped) {
      table = await materialize(db, raw, options.data, 'profiled');
      return raw;
    }
    spoolDir ??= mkdtempSync(join(tmpdir(), 'mlpipe-profile-'));
    return spoolToParquet(db, raw, options.data, join(spoolDir, 'columns.parquet'));
  };
  try {
    let source: DataSource;
    let raw: string | undefined;
    if (options.source || detectFormat(options.data) === 'parquet') {
      source = options.source ?? (await detectSource(db, options.data, { naValues: options.naValues }));
    } else {
      const { csv, names } = await detectCsv(options.data, { naValues: options.naValues });
      raw = csvReadSql(options.data, csv, names, { rejects: true });
      if (names.length > COLUMN_BATCH) raw = await readOnce(raw);
      const columns = table ? await detectTypesLong(db, table, names, options.data) : await detectTypes(db, raw, names, options.data);
      source = { path: options.data, format: 'csv', csv, columns };
    }
    task.tick();
    const opened = await openSource(db, source, { rejects: source.format === 'csv' });
    if (!raw && source.format === 'csv' && opened.fileColumns.length > COLUMN_BATCH) raw = await readOnce(opened.rawSql);
    const columns = source.columns.filter((c) => !opened.missing.includes(c.name));
    if (table) {
      const { rows, columns: profiled } = await profileLong(db, table, columns, options.data);
      task.done();
      return { data: options.data, format: source.format, rows, csv: source.csv ?? null, columns: profiled };
    }
    const rawSql = raw ?? opened.rawSql;
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

async function typedStats(db: Database, typedSql: string, columns: { name: string; type: ColumnType }[], path: string): Promise<{ rows: number; columns: ColumnProfile[] }> {
  const aggs = ['count(*) AS __rows', ...columns.flatMap((col, i) => statAggregates(quoteIdent(col.name), col.type, String(i)))];
  const [row] = await query(db, `SELECT ${aggs.join(', ')} FROM ${typedSql}`, path);
  const rows = Number(row?.__rows ?? 0);
  return { rows, columns: columns.map((col, i) => columnProfile(row ?? {}, col, String(i), rows)) };
}

/** Equal-width bins (numpy.histogram's edges: the last bin includes the max) for numeric columns. */
async function addHistograms(db: Database, typedSql: string, columns: ColumnProfile[], path: string): Promise<void> {
  const numeric = columns.filter(hasBins);
  if (numeric.length === 0) return;
  const aggs = numeric.map((col, i) => `${binHistogram(quoteIdent(col.name), numberLiteral(col.min as number), numberLiteral(binWidth(col)))} AS h${i}`);
  const [row] = await query(db, `SELECT ${aggs.join(', ')} FROM ${typedSql}`, path);
  numeric.forEach((col, i) => {
    setHistogram(col, row?.[`h${i}`]);
  });
}

