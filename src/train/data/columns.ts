import { createRequire } from 'node:module';
import type duckdb from '@duckdb/node-bindings';
import { type ColumnType, type Database, type SourceColumn, quoteIdent, quoteLiteral, typedExpr } from '../../data/source.js';

/**
 * The typed columns training reads (numbers and booleans as float64 with NaN for missing, the rest
 * as text with null), and the one routine that lands a DuckDB query in them.
 */
export type RawColumn =
  | { name: string; kind: 'numeric'; sqlType: string; values: Float64Array; nulls: number }
  | { name: string; kind: 'bool'; sqlType: string; values: Float64Array; nulls: number }
  | { name: string; kind: 'string'; sqlType: string; values: (string | null)[]; nulls: number }
  /** Dates and datetimes as ISO text ("2024-01-31", "2024-01-31 12:00:00"). */
  | { name: string; kind: 'date'; sqlType: string; values: (string | null)[]; nulls: number };

export interface Table {
  rows: number;
  columns: RawColumn[];
}

export const SQL_TYPE: Record<ColumnType, string> = {
  int: 'BIGINT',
  float: 'DOUBLE',
  bool: 'BOOLEAN',
  string: 'VARCHAR',
  category: 'VARCHAR',
  date: 'DATE',
  datetime: 'TIMESTAMP',
};

export function kindOf(type: ColumnType): RawColumn['kind'] {
  if (type === 'int' || type === 'float') return 'numeric';
  if (type === 'bool') return 'bool';
  return type === 'date' || type === 'datetime' ? 'date' : 'string';
}

const isNumber = (kind: RawColumn['kind']) => kind === 'numeric' || kind === 'bool';

/** `raw` (a SQL expression) parsed as the column's type and cast to what lands in JS: DOUBLE or VARCHAR. */
export function landedExpr(column: SourceColumn, raw: string, text: boolean): string {
  return `CAST(${typedExpr(column, raw, text)} AS ${isNumber(kindOf(column.type)) ? 'DOUBLE' : 'VARCHAR'})`;
}

/**
 * Text columns with at most this many distinct values (DuckDB's estimate) land as codes into their
 * distinct values: a string per value through @duckdb/node-api (a call, a view or a native buffer,
 * then a UTF-8 decode) took 0.6-0.7 us, 180-210 ms of a 1.2 s `train` on Adult's 32,561 rows and 9
 * text columns; a code is a double in a vector copied at once, and each distinct string is decoded
 * once. Above this, the SQL would carry too long a dictionary, and the column lands value by value.
 */
const MAX_DICTIONARY = 10_000;

let landings = 0;

/**
 * Runs `sql`, whose result columns are `columns` in order (numbers and booleans as DOUBLE, the rest
 * as VARCHAR; `flags` more DOUBLE columns may follow), and copies it into typed columns. DOUBLE
 * vectors are copied from DuckDB's memory as they are (one `set` per chunk, the validity mask read
 * a byte at a time); `getColumnValues` would box every value and test validity with a BigInt per
 * value. The result is materialised first, so DuckDB scans on all its threads; with text columns,
 * as a temporary table, whose text columns of few distinct values are then read as codes (an ENUM
 * of their distinct values: see MAX_DICTIONARY). Rows keep the query's order (the caller's
 * database preserves insertion order).
 */
export async function landColumns(db: Database, sql: string, columns: SourceColumn[], flags = 0): Promise<Table & { flags: Float64Array[] }> {
  const kinds = columns.map((c) => kindOf(c.type));
  const width = columns.length + flags;
  const text = kinds.flatMap((k, c) => (isNumber(k) ? [] : [c]));
  if (text.length === 0) return land(await db.conn.run(sql), columns, flags, new Map());
  const table = `__mlpipe_land_${landings++}`;
  const names = Array.from({ length: width }, (_, c) => `c${c}`);
  await db.conn.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM (${sql}) AS q(${names.join(', ')})`);
  let dictionaries: Map<number, string[]>;
  let result: Awaited<ReturnType<Database['conn']['run']>>;
  try {
    dictionaries = await textDictionaries(db, table, text);
    const select = names.map((n, c) => {
      const values = dictionaries.get(c);
      return values ? `CAST(enum_code(CAST(${n} AS ENUM(${values.map(quoteLiteral).join(', ')}))) AS DOUBLE)` : n;
    });
    result = await db.conn.run(`SELECT ${select.join(', ')} FROM ${table}`);
  } finally {
    // The result is materialised: the table's memory goes back to DuckDB before the copy into JavaScript.
    await db.conn.run(`DROP TABLE IF EXISTS ${table}`);
  }
  return land(result, columns, flags, dictionaries);
}

/** The distinct values of each text column of `table` that has few (column index -> values). */
async function textDictionaries(db: Database, table: string, text: number[]): Promise<Map<number, string[]>> {
  const [estimates = {}] = await db.all(`SELECT ${text.map((c) => `approx_count_distinct(c${c}) AS a${c}`).join(', ')} FROM ${table}`);
  const few = text.filter((c) => Number(estimates[`a${c}`]) <= MAX_DICTIONARY);
  if (few.length === 0) return new Map();
  const [lists = {}] = await db.all(`SELECT ${few.map((c) => `list(DISTINCT c${c}) FILTER (WHERE c${c} IS NOT NULL) AS l${c}`).join(', ')} FROM ${table}`);
  // A column of NULLs only has no values to code: it lands as it is.
  return new Map(few.flatMap((c) => ((lists[`l${c}`] as string[] | null)?.length ? [[c, lists[`l${c}`] as string[]]] : [])));
}

/** Copies a materialised result into typed columns; `dictionaries` columns arrive as codes into their values. */
function land(
  result: Awaited<ReturnType<Database['conn']['run']>>,
  columns: SourceColumn[],
  flags: number,
  dictionaries: Map<number, string[]>,
): Table & { flags: Float64Array[] } {
  const rows = result.rowCount;
  const kinds = columns.map((c) => kindOf(c.type));
  const width = columns.length + flags;
  const numbers = Array.from({ length: width }, (_, c) => (c >= columns.length || isNumber(kinds[c]!) ? new Float64Array(rows) : null));
  const texts = kinds.map((k) => (isNumber(k) ? null : new Array<string | null>(rows)));
  const nulls = new Array<number>(width).fill(0);
  let codes = new Float64Array(0);
  let at = 0;
  for (let i = 0; i < result.chunkCount; i++) {
    const chunk = result.getChunk(i);
    const n = chunk.rowCount;
    for (let c = 0; c < width; c++) {
      const target = numbers[c];
      if (target) {
        nulls[c]! += copyDoubles(chunk.chunk, c, n, target, at);
        continue;
      }
      const text = texts[c]!;
      const values = dictionaries.get(c);
      if (values) {
        if (codes.length < n) codes = new Float64Array(n);
        nulls[c]! += copyDoubles(chunk.chunk, c, n, codes, 0);
        for (let r = 0; r < n; r++) text[at + r] = Number.isNaN(codes[r]!) ? null : values[codes[r]!]!;
        continue;
      }
      const strings = chunk.getColumnValues(c) as (string | null)[];
      for (let r = 0; r < n; r++) {
        const v = strings[r]!;
        text[at + r] = v;
        if (v === null) nulls[c]!++;
      }
    }
    at += n;
  }
  return {
    rows,
    columns: columns.map((d, c): RawColumn => {
      const base = { name: d.name, sqlType: SQL_TYPE[d.type], nulls: nulls[c]! };
      const kind = kinds[c]!;
      if (kind === 'numeric' || kind === 'bool') return { ...base, kind, values: numbers[c]! };
      return { ...base, kind, values: texts[c]! };
    }),
    flags: numbers.slice(columns.length) as Float64Array[],
  };
}

/** The bindings under @duckdb/node-api, loaded when a table is read (as source.ts loads DuckDB: CommonJS through require). */
let bindings: typeof duckdb | undefined;
const loadBindings = () => (bindings ??= createRequire(import.meta.url)('@duckdb/node-bindings') as typeof duckdb);

/**
 * Copies column `c` of a chunk (a DOUBLE vector, viewed in DuckDB's memory through the bindings
 * under @duckdb/node-api) into `target` at `at`; NULL becomes NaN. Returns the number of NULLs.
 */
function copyDoubles(chunk: duckdb.DataChunk, c: number, rows: number, target: Float64Array, at: number): number {
  const b = loadBindings();
  const vector = b.data_chunk_get_vector(chunk, c);
  const data = b.vector_get_data(vector, rows * Float64Array.BYTES_PER_ELEMENT);
  target.set(new Float64Array(data.buffer, data.byteOffset, rows), at);
  // Little-endian 64-bit words: bit r sits in byte r >> 3. No mask means no NULLs.
  const valid = b.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  if (!valid) return 0;
  let nulls = 0;
  for (let byte = 0; byte < valid.length && byte * 8 < rows; byte++) {
    const bits = valid[byte]!;
    if (bits === 0xff) continue;
    for (let b = 0; b < 8; b++) {
      const r = byte * 8 + b;
      if (r < rows && ((bits >> b) & 1) === 0) {
        target[at + r] = Number.NaN;
        nulls++;
      }
    }
  }
  return nulls;
}

/** `SELECT` list for columns read from a relation of the same names: each parsed and cast as landColumns expects. */
export function landedSelect(columns: SourceColumn[], text: boolean): string {
  return columns.map((c) => `${landedExpr(c, quoteIdent(c.name), text)} AS ${quoteIdent(c.name)}`).join(', ');
}
