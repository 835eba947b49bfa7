/**
 * The one place that turns a data source (a path, its format, CSV options and column types) into
 * DuckDB SQL. Validation, profiling and training all read tables through here, so that a CSV is
 * parsed the same way everywhere:
 *
 * - CSV columns are always read as VARCHAR with DuckDB's sniffer off (`auto_detect=false`); types are
 *   applied afterwards by `typedExpr`, so a value that does not parse becomes NULL there and can be
 *   counted as a type error instead of aborting the scan or being silently guessed.
 * - Parquet columns keep their stored types and are cast to the declared type the same way.
 *
 * Usage (training):
 * ```ts
 * const db = await openDatabase();
 * const rel = await openSource(db, { path, format: 'csv', csv, columns });
 * const rows = await db.all(`SELECT * FROM ${rel.typedSql}`);
 * ```
 */
import { existsSync, statSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { MlpipeError } from '../errors.js';
import { NA_VALUES } from './na.js';
import { type CsvEncoding, readHead, splitLine } from './sniff.js';
import { requireVendored } from './vendor.js';

export type DataFormat = 'csv' | 'parquet';
export type ColumnType = 'int' | 'float' | 'bool' | 'string' | 'category' | 'date' | 'datetime';

export interface CsvOptions {
  delimiter: string;
  header: boolean;
  quote: string;
  escape: string;
  encoding: CsvEncoding;
  /** Field values read as NULL (DuckDB `nullstr`), for example `''`, `NA`, `?`. */
  nullMarkers: string[];
  /** Lines to skip before the header or the first row (adult.test starts with a comment line). */
  skipRows: number;
}

export interface SourceColumn {
  name: string;
  type: ColumnType;
  /** strptime format for date/datetime columns (for example `%Y-%m-%d`); DuckDB's ISO parsing when absent. */
  format?: string | undefined;
}

export interface DataSource {
  path: string;
  format: DataFormat;
  /** Required for CSV. */
  csv?: CsvOptions | undefined;
  /** Declared columns, in file order when the CSV has no header. */
  columns: SourceColumn[];
}

export const DEFAULT_CSV: CsvOptions = {
  delimiter: ',',
  header: true,
  quote: '"',
  escape: '"',
  encoding: 'utf-8',
  nullMarkers: [...NA_VALUES],
  skipRows: 0,
};

/** A source opened against its file: the columns the file really has and the SQL to read them. */
export interface OpenedSource {
  source: DataSource;
  /** Column names as stored in the file (header, Parquet schema, or the schema order without header). */
  fileColumns: string[];
  /** Declared columns that the file lacks. */
  missing: string[];
  /** File columns that are not declared. */
  extra: string[];
  /** `read_csv(...)` / `read_parquet(...)`: every file column, raw (VARCHAR for CSV unless readerTypes). */
  rawSql: string;
  /** CSV columns the reader parsed itself (see ReadOptions.readerTypes). */
  readerTypes: Record<string, ReaderType>;
  /** `(SELECT typed declared columns FROM raw)`: the declared columns present in the file, typed. */
  typedSql: string;
}

/** A DuckDB instance with one connection and the two calls mlpipe needs. */
export interface Database {
  conn: DuckDBConnection;
  all(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/**
 * `@duckdb/node-api` through `require`: it is CommonJS, and an ESM `import()` of it first runs
 * Node's export lexer over every file it re-exports (about 0.13 CPU-s of each command's start, 0.2
 * vs 0.07 CPU-s for the load). Loaded on first use, so commands that read no table never pay it.
 * The build bundles the package into one file (about 25 ms less CPU than its ~180 files; see vendor.ts).
 */
export function loadDuckDB(): typeof import('@duckdb/node-api') {
  return requireVendored<typeof import('@duckdb/node-api')>('../vendor/duckdb-node-api.cjs', '@duckdb/node-api');
}

/**
 * A fresh in-memory DuckDB. `preserve_insertion_order=false` lets aggregates stream without keeping
 * order buffers, which keeps memory flat on files larger than RAM.
 */
export async function openDatabase(options: { memoryLimit?: string; preserveOrder?: boolean } = {}): Promise<Database> {
  const { DuckDBInstance } = loadDuckDB();
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:', {
    // Streams that must come out in file order (batch prediction) keep it.
    preserve_insertion_order: options.preserveOrder ? 'true' : 'false',
    ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
  });
  const conn = await instance.connect();
  return {
    conn,
    async all(sql) {
      const reader = await conn.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A number as a DOUBLE literal. A bare `0.028451075096064038` is a DECIMAL in DuckDB, and comparing
 * a DOUBLE column with it converts the column, so a schema's bound could reject the very value it
 * was inferred from; `1e+308` and `Infinity` are not literals at all.
 */
export function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return "'nan'::DOUBLE";
  if (!Number.isFinite(value)) return value > 0 ? "'inf'::DOUBLE" : "'-inf'::DOUBLE";
  // Quoted: `0.028451075096064038::DOUBLE` would go through DECIMAL(18,18) and land one ulp away.
  return `'${String(value)}'::DOUBLE`;
}

/** `parquet` for .parquet/.pq files, `csv` for everything else (.csv, .tsv, .txt, .data, .gz...). */
export function detectFormat(path: string): DataFormat {
  return /\.(parquet|pq)$/i.test(path) ? 'parquet' : 'csv';
}

/** Throws E_NOT_FOUND / E_BAD_INPUT for a path that is missing, a folder, or empty. */
export function assertReadableFile(path: string, what = 'data file'): void {
  if (!existsSync(path)) {
    throw new MlpipeError('E_NOT_FOUND', `${what} not found: ${path}`, {
      expected: 'an existing CSV or Parquet file',
      received: path,
      hint: 'check the path (relative paths are resolved from the working directory or -C)',
    });
  }
  const st = statSync(path);
  if (!st.isFile()) {
    throw new MlpipeError('E_BAD_INPUT', `${what} is not a file: ${path}`, { expected: 'a file', received: 'a folder' });
  }
  if (st.size === 0) {
    throw new MlpipeError('E_BAD_INPUT', `${what} is empty: ${path}`, {
      expected: 'a CSV or Parquet file with at least one row',
      received: 'a 0-byte file',
    });
  }
}

/**
 * The reason in a DuckDB error, without the SQL that DuckDB quotes (messages name the file and the
 * problem, never the query mlpipe built): the first line, its error-class prefix removed, cut where
 * a SQL fragment starts.
 */
export function duckdbReason(err: unknown): string {
  const first = String((err as Error)?.message ?? err).split('\n')[0] ?? '';
  const text = first.replace(/^[A-Za-z ]*Error: /, '');
  const sql = /\b(SELECT|FROM \(|read_csv|read_parquet|read_json|TRY_CAST|CAST\(|struct_pack|count_if)\b/i.exec(text);
  return (sql ? text.slice(0, sql.index) : text).replace(/[\s:,(]+$/, '').trim() || 'DuckDB could not read it';
}

export interface ReadOptions {
  /** Record malformed rows in DuckDB's reject_errors table instead of failing (see malformedRows). */
  rejects?: boolean;
  /**
   * Column -> DuckDB type parsed by the CSV reader itself (DOUBLE, BOOLEAN); the rest are VARCHAR.
   * Only for types whose reader parsing equals `typedExpr`'s TRY_CAST: a value that does not parse
   * is then a rejected row with error_type CAST (see castRejects), never a silently different value.
   */
  readerTypes?: Record<string, ReaderType>;
  /** strptime format of the DATE reader types (DuckDB's `dateformat`, one per scan). */
  dateFormat?: string | undefined;
  /**
   * DuckDB's CSV `buffer_size` in bytes (default 32 MiB, several held per thread). Validation reads
   * with 4 MiB buffers: the same CPU, about 80 MiB less peak memory on two threads (5M rows). It
   * must stay above `max_line_size` (2 MiB), which bounds a line either way.
   */
  bufferBytes?: number;
}

/** `read_csv(...)` over all `names` (VARCHAR unless readerTypes says), with mlpipe's fixed options (no guessing). */
export function csvReadSql(path: string, csv: CsvOptions, names: string[], options: ReadOptions = {}): string {
  const columns = names.map((n) => `${quoteLiteral(n)}: '${options.readerTypes?.[n] ?? 'VARCHAR'}'`).join(', ');
  const args = [
    quoteLiteral(path),
    'auto_detect=false',
    `columns={${columns}}`,
    `delim=${quoteLiteral(csv.delimiter)}`,
    `quote=${quoteLiteral(csv.quote)}`,
    `escape=${quoteLiteral(csv.escape)}`,
    `header=${csv.header}`,
    `skip=${csv.skipRows}`,
    `encoding=${quoteLiteral(csv.encoding)}`,
    `nullstr=[${csv.nullMarkers.map(quoteLiteral).join(', ')}]`,
  ];
  // Malformed rows (too few / too many fields, bad quoting) go to DuckDB's reject_errors table
  // with their line numbers; readers check it after the scan (see malformedRows).
  if (options.rejects) args.push('store_rejects=true', 'rejects_limit=1000');
  if (options.bufferBytes) args.push(`buffer_size=${options.bufferBytes}`);
  if (options.dateFormat) args.push(`dateformat=${quoteLiteral(options.dateFormat)}`);
  return `read_csv(${args.join(', ')})`;
}

export function parquetReadSql(path: string): string {
  return `read_parquet(${quoteLiteral(path)})`;
}

/**
 * Parses `raw` (a SQL expression) as the column's type; NULL when it does not parse. `text` says
 * that `raw` is VARCHAR (CSV) rather than a stored Parquet type; `readerType`, that the CSV reader
 * already parsed it (see ReadOptions.readerTypes).
 */
export function typedExpr(column: SourceColumn, raw: string, text = true, readerType?: ReaderType): string {
  // A DATE parsed by the reader with the column's format: casting it to text and back would be a no-op at best.
  if (readerType === 'DATE') return raw;
  switch (column.type) {
    case 'int':
      // TRY_CAST('1.5' AS BIGINT) rounds to 2: text with a '.' is not an int; a stored number is one
      // only when its double value equals its integer value.
      return text
        ? `(CASE WHEN NOT contains(${raw}, '.') THEN TRY_CAST(${raw} AS BIGINT) END)`
        : `(CASE WHEN TRY_CAST(${raw} AS DOUBLE) = TRY_CAST(${raw} AS BIGINT) THEN TRY_CAST(${raw} AS BIGINT) END)`;
    case 'float':
      return `TRY_CAST(${raw} AS DOUBLE)`;
    case 'bool':
      return `TRY_CAST(${raw} AS BOOLEAN)`;
    case 'date':
      return column.format
        ? `TRY_STRPTIME(CAST(${raw} AS VARCHAR), ${quoteLiteral(column.format)})::DATE`
        : `TRY_CAST(${raw} AS DATE)`;
    case 'datetime':
      return column.format
        ? `TRY_STRPTIME(CAST(${raw} AS VARCHAR), ${quoteLiteral(column.format)})`
        : `TRY_CAST(${raw} AS TIMESTAMP)`;
    default:
      return `CAST(${raw} AS VARCHAR)`;
  }
}

/** `typed(a) AS "a", typed(b) AS "b"`: each column parsed from the raw column of the same name. */
export function typedSelectList(columns: SourceColumn[], text = true, readerTypes: Record<string, ReaderType> = {}): string {
  return columns.map((c) => `${typedExpr(c, quoteIdent(c.name), text, readerTypes[c.name])} AS ${quoteIdent(c.name)}`).join(', ');
}

/** The column names stored in the file: the Parquet schema, the CSV header, or the declared order. */
export async function fileColumnsOf(db: Database, source: DataSource): Promise<string[]> {
  if (source.format === 'parquet') {
    try {
      const rows = await db.all(`DESCRIBE SELECT * FROM ${parquetReadSql(source.path)}`);
      return rows.map((r) => String(r.column_name));
    } catch (err) {
      throw new MlpipeError('E_BAD_INPUT', `cannot read Parquet file ${source.path}: ${duckdbReason(err)}`, {
        expected: 'a valid Parquet file',
        hint: 'check the file, or name it .csv if it is CSV',
        cause: err,
      });
    }
  }
  const csv = source.csv ?? DEFAULT_CSV;
  const first = await firstLine(source.path, csv);
  if (first === undefined) {
    throw new MlpipeError('E_BAD_INPUT', `no rows in ${source.path} after skipping ${csv.skipRows} line(s)`, {
      expected: csv.header ? 'a header line and data rows' : 'data rows',
      received: 'nothing',
    });
  }
  const fields = splitLine(first, csv.delimiter, csv.quote);
  const names = csv.header ? fields : source.columns.map((c) => c.name);
  if (!csv.header && fields.length !== names.length) {
    throw wrongFieldCount(source.path, csv, names.length, fields.length, first);
  }
  if (csv.header && fields.length === 1 && source.columns.length > 1) {
    throw wrongFieldCount(source.path, csv, source.columns.length, 1, first);
  }
  return names;
}

function wrongFieldCount(path: string, csv: CsvOptions, expected: number, received: number, line: string): MlpipeError {
  const lineNo = csv.skipRows + 1;
  return new MlpipeError(
    'E_BAD_INPUT',
    `line ${lineNo} of ${path} splits into ${received} field(s) with delimiter ${JSON.stringify(csv.delimiter)}, the schema has ${expected} column(s)`,
    {
      expected: `${expected} fields separated by ${JSON.stringify(csv.delimiter)}`,
      received: line.length > 120 ? `${line.slice(0, 120)}...` : line,
      hint: 'fix csv.delimiter (or csv.skipRows) in the schema, or run `mlpipe schema infer DATA` to detect them',
      data: { line: lineNo },
    },
  );
}

async function firstLine(path: string, csv: CsvOptions): Promise<string | undefined> {
  const head = await readHead(path);
  const lines = head.text.split(/\r?\n/).slice(csv.skipRows);
  return lines.find((l) => l.length > 0);
}

/** Types the CSV reader may parse itself (see ReadOptions.readerTypes). */
export type ReaderType = 'DOUBLE' | 'BOOLEAN' | 'DATE';

/**
 * The reader types that make a CSV scan cheaper: float and bool columns, and date columns with a
 * date-only strptime format, parsed by the reader. Ints stay text because the reader rounds "1.5"
 * to 2. A date is parsed by the reader with the schema's format (its `dateformat`: the same strptime
 * parser as TRY_STRPTIME, one format per scan, so only the columns of the first such format), and
 * only for formats of year, month and day fields: with a time or a UTC offset, the reader's date
 * and TRY_STRPTIME(...)::DATE could differ. A date without a format stays text (the reader's own
 * date parsing is laxer than TRY_CAST).
 */
export function fastReadOptions(columns: SourceColumn[]): Pick<ReadOptions, 'readerTypes' | 'dateFormat'> {
  const readerTypes: Record<string, ReaderType> = {};
  let dateFormat: string | undefined;
  for (const c of columns) {
    if (c.type === 'float') readerTypes[c.name] = 'DOUBLE';
    if (c.type === 'bool') readerTypes[c.name] = 'BOOLEAN';
    if (c.type === 'date' && c.format !== undefined && DATE_ONLY_FORMAT.test(c.format) && (dateFormat ?? c.format) === c.format) {
      dateFormat = c.format;
      readerTypes[c.name] = 'DATE';
    }
  }
  return dateFormat ? { readerTypes, dateFormat } : { readerTypes };
}

/** A strptime format of year (%Y, %y), month (%m, %b, %B) and day (%d) fields and literal text. */
const DATE_ONLY_FORMAT = /^(?:[^%]|%[YymdbB])+$/;

/** Resolves a source against its file: which columns exist, and the raw and typed SQL relations. */
export async function openSource(db: Database, source: DataSource, options: ReadOptions = {}): Promise<OpenedSource> {
  assertReadableFile(source.path);
  const fileColumns = await fileColumnsOf(db, source);
  const declared = new Set(source.columns.map((c) => c.name));
  const present = new Set(fileColumns);
  const rawSql = source.format === 'parquet' ? parquetReadSql(source.path) : csvReadSql(source.path, source.csv ?? DEFAULT_CSV, fileColumns, options);
  const readerTypes = source.format === 'csv' ? Object.fromEntries(Object.entries(options.readerTypes ?? {}).filter(([n]) => present.has(n))) : {};
  const typed = typedSelectList(source.columns.filter((c) => present.has(c.name)), source.format === 'csv', readerTypes);
  return {
    source,
    fileColumns,
    missing: source.columns.filter((c) => !present.has(c.name)).map((c) => c.name),
    extra: fileColumns.filter((n) => !declared.has(n)),
    rawSql,
    readerTypes,
    typedSql: `(SELECT ${typed || '*'} FROM ${rawSql})`,
  };
}

/** A value that does not parse as its column's declared type, with its 1-based data row. */
export interface TypeFailure {
  column: string;
  row: number;
  value: string;
}

/**
 * The first value per column (in file order) that is present but does not parse as the declared
 * type: what validate counts as invalid_type, for readers that must refuse instead (train with a
 * schema, predict). Text columns cannot fail and are skipped.
 */
export async function firstTypeErrors(db: Database, opened: OpenedSource, columns: SourceColumn[]): Promise<TypeFailure[]> {
  const text = opened.source.format === 'csv';
  const checked = columns.filter((c) => !(text && (c.type === 'string' || c.type === 'category')));
  if (checked.length === 0) return [];
  const aggs = checked.map((c, i) => {
    const raw = quoteIdent(c.name);
    return `arg_min(struct_pack(r := __row, v := CAST(${raw} AS VARCHAR)), __row) FILTER (WHERE ${raw} IS NOT NULL AND ${typedExpr(c, raw, text)} IS NULL) AS e${i}`;
  });
  // Row numbers must follow the file order.
  await db.all('SET preserve_insertion_order = true');
  try {
    const [row] = await query(db, `SELECT ${aggs.join(', ')} FROM (SELECT row_number() OVER () AS __row, * FROM ${opened.rawSql})`, opened.source.path);
    return checked
      .map((c, i) => ({ c, e: row?.[`e${i}`] as { r: bigint; v: string } | null | undefined }))
      .filter((x) => x.e)
      .map(({ c, e }) => ({ column: c.name, row: Number(e!.r), value: e!.v }))
      .sort((a, b) => a.row - b.row);
  } finally {
    await db.all('SET preserve_insertion_order = false');
  }
}

export interface MalformedRows {
  count: number;
  rows: { line: number; error: string; text: string }[];
}

/** Rows DuckDB rejected during the scans of this connection (only with `rejects: true`). */
export async function malformedRows(db: Database): Promise<MalformedRows> {
  // CAST rejects come from readerTypes and are handled by the caller (castRejects).
  const rows = await db
    .all("SELECT line, error_message, csv_line FROM reject_errors WHERE error_type <> 'CAST' ORDER BY line LIMIT 10")
    .catch(() => []);
  if (rows.length === 0) return { count: 0, rows: [] };
  const [total] = await db.all("SELECT count(DISTINCT line) AS n FROM reject_errors WHERE error_type <> 'CAST'");
  return {
    count: Number(total?.n ?? rows.length),
    rows: rows.map((r) => ({ line: Number(r.line), error: String(r.error_message), text: String(r.csv_line ?? '') })),
  };
}

/** Values the reader could not parse as their readerTypes type; the rejects are then cleared. */
export async function castRejects(db: Database): Promise<number> {
  const [row] = await db.all("SELECT count(*) AS n FROM reject_errors WHERE error_type = 'CAST'").catch(() => [{ n: 0 }]);
  await db.all('DROP TABLE IF EXISTS reject_errors').catch(() => []);
  await db.all('DROP TABLE IF EXISTS reject_scans').catch(() => []);
  return Number(row?.n ?? 0);
}

/** Throws E_BAD_INPUT listing the line numbers of malformed rows, if the scan rejected any. */
export async function assertNoMalformedRows(db: Database, path: string): Promise<void> {
  const bad = await malformedRows(db);
  if (bad.count === 0) return;
  const lines = bad.rows.map((r) => `line ${r.line}: ${r.error}`);
  throw new MlpipeError('E_BAD_INPUT', `${bad.count} malformed row(s) in ${path}: ${lines.slice(0, 3).join('; ')}`, {
    expected: 'every row with the same number of fields as the header/schema',
    received: lines.join('\n            '),
    hint: 'fix the rows, or check csv.delimiter / csv.quote in the schema',
    data: { malformed: bad },
  });
}

/** Runs a query over the data, turning DuckDB read errors into E_BAD_INPUT with the line if known. */
export async function query(db: Database, sql: string, path: string): Promise<Record<string, unknown>[]> {
  try {
    const rows = await db.all(sql);
    await assertNoMalformedRows(db, path);
    return rows;
  } catch (err) {
    if (err instanceof MlpipeError) throw err;
    const message = (err as Error).message;
    const line = /Line: (\d+)/.exec(message)?.[1];
    throw new MlpipeError('E_BAD_INPUT', `cannot read ${path}${line ? ` at line ${line}` : ''}: ${duckdbReason(err)}`, {
      expected: 'a file in the format and CSV dialect the schema declares',
      received: duckdbReason(err),
      hint: 'check csv.delimiter, csv.quote and csv.encoding in the schema, or run `mlpipe schema infer DATA`',
      data: line ? { line: Number(line) } : {},
      cause: err,
    });
  }
}
