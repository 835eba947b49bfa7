import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import duckdb from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import { detectCsv } from '../data/detect.js';
import { isNaToken } from '../data/na.js';
import { type OpenedSource, type SourceColumn, duckdbReason, firstTypeErrors, openDatabase, openSource, quoteIdent, quoteLiteral } from '../data/source.js';
import { MlpipeError } from '../errors.js';
import type { ColumnType, InputColumn } from '../model/artifact.js';
import { ownColumn } from '../model/column-reader.js';
import { recordsToTable } from './parse-mlflow.js';
import type { Table } from './table.js';

/** Input files for batch prediction, read in batches of rows, in file order. */

export type InputFormat = 'csv' | 'parquet' | 'jsonl';

export function inputFormatOf(path: string): InputFormat {
  if (path === '-') return 'jsonl';
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new MlpipeError('E_BAD_INPUT', `cannot tell the format of ${path} from its extension`, {
    expected: '.csv, .tsv, .parquet, .jsonl, .ndjson or .json (one JSON object per line), or - for stdin',
    received: ext || 'no extension',
  });
}

/** What DuckDB casts each schema column to, so values arrive in the type validation expects. */
const SQL_TYPE: Record<ColumnType, string> = {
  int: 'DOUBLE',
  float: 'DOUBLE',
  bool: 'BOOLEAN',
  string: 'VARCHAR',
  category: 'VARCHAR',
  date: 'VARCHAR',
  datetime: 'VARCHAR',
};

/** The declared type whose parsing decides whether a cell of a model input column is valid. */
const CHECKED_AS: Record<ColumnType, SourceColumn['type']> = {
  int: 'float',
  float: 'float',
  bool: 'bool',
  string: 'string',
  category: 'string',
  date: 'string',
  datetime: 'string',
};

/**
 * The CSV columns DuckDB's reader parses itself, as the schema's cast would (src/data/source.ts
 * ReadOptions.readerTypes: the reader's DOUBLE and BOOLEAN parsing is TRY_CAST's): every number
 * and boolean input, which skips a VARCHAR per cell (about a third of DuckDB's CPU time on 1M rows
 * x 20 floats). An input that is also an id column stays text, so its id keeps the file's spelling.
 */
function readerTypes(schema: readonly InputColumn[], ids: readonly string[]): Record<string, 'DOUBLE' | 'BOOLEAN'> {
  const types: Record<string, 'DOUBLE' | 'BOOLEAN'> = {};
  for (const c of schema) {
    if (ids.includes(c.name)) continue;
    if (SQL_TYPE[c.type] === 'DOUBLE' || SQL_TYPE[c.type] === 'BOOLEAN') types[c.name] = SQL_TYPE[c.type] as 'DOUBLE' | 'BOOLEAN';
  }
  return types;
}

/**
 * CSV and Parquet through DuckDB, streamed chunk by chunk. The file is opened by the one table
 * reader (src/data/source.ts: the detected CSV dialect and missing-value tokens; cells read as text,
 * so "007" stays "007" in a category or id column, except numbers and booleans, see readerTypes),
 * then cast per the model's schema. The
 * cast is strict, so the fast path reads DuckDB's DOUBLE vectors as they are; when a cell does not
 * parse, the scan stops and one diagnostic query names its column and row. The first batch may be
 * smaller (`firstBatchSize`), so that a consumer starts sooner.
 */
export async function* duckdbBatches(
  path: string,
  format: 'csv' | 'parquet',
  schema: readonly InputColumn[],
  ids: readonly string[],
  batchSize: number,
  naValues?: readonly string[],
  firstBatchSize = batchSize,
): AsyncGenerator<Table> {
  // Input order is output order: keep DuckDB's insertion order.
  const db = await openDatabase({ preserveOrder: true });
  const conn = db.conn;
  let next: Promise<unknown> | undefined;
  try {
    // DuckDB's stream parses only while a fetch waits, then fills its buffer: with the default
    // (about 1 MB, three chunks) each refill is too small to keep its threads busy. 32 MB: a 1M-row
    // predict went from 3.3 to 3.0 s (bench/predict.mjs, interleaved; 2, 4 and 8 MB were slower),
    // peak RSS about 40 MB more, and `stream()` takes 130-190 ms instead of 10-50 (it fills the
    // buffer before it returns).
    await conn.run(`SET streaming_buffer_size = '32MB'`);
    let opened: OpenedSource;
    // Opens the file with every cell as text: what the diagnosis of a bad cell reads.
    let openText: () => Promise<OpenedSource>;
    if (format === 'csv') {
      const { csv, names: fileNames } = await detectCsv(path, { naValues });
      const source = { path, format, csv, columns: fileNames.map((name) => ({ name, type: 'string' as const })) };
      openText = () => openSource(db, source);
      opened = await openSource(db, source, { readerTypes: readerTypes(schema, ids) });
    } else {
      opened = await openSource(db, { path, format, columns: [] });
      openText = async () => opened;
    }
    const present = opened.fileColumns;
    const source = opened.rawSql;
    const missing = [...schema.map((c) => c.name), ...ids].filter((n) => !present.includes(n));
    if (missing.length > 0) {
      throw new MlpipeError('E_BAD_INPUT', `${path} lacks column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`, {
        expected: `columns ${JSON.stringify([...schema.map((c) => c.name), ...ids])}`,
        received: `columns ${JSON.stringify(present)}`,
        data: { missing },
      });
    }
    // Text inputs with the categories training saw arrive coded (see codedCategories): the code
    // of a known value as c<i>, an unknown value's text as u<i> after the other columns.
    const coded = codedCategories(schema, ids);
    // Positional aliases: an id column may also be a model input.
    const select = [
      // A null number arrives as NaN (what the preprocessing imputes): its DOUBLE vectors then need
      // no validity mask read.
      ...schema.map((c, i) => {
        const name = quoteIdent(c.name);
        const known = coded.get(i);
        if (known) return `coalesce(CAST(enum_code(TRY_CAST(CAST(${name} AS VARCHAR) AS ${known.type})) AS DOUBLE), 'NaN'::DOUBLE) AS c${i}`;
        return SQL_TYPE[c.type] === 'DOUBLE' ? `coalesce(CAST(${name} AS DOUBLE), 'NaN'::DOUBLE) AS c${i}` : `CAST(${name} AS ${SQL_TYPE[c.type]}) AS c${i}`;
      }),
      ...ids.map((id, i) => `CAST(${quoteIdent(id)} AS VARCHAR) AS i${i}`),
      ...[...coded].map(([i, { type }]) => {
        const text = `CAST(${quoteIdent(schema[i]!.name)} AS VARCHAR)`;
        return `CASE WHEN TRY_CAST(${text} AS ${type}) IS NULL THEN ${text} END AS u${i}`;
      }),
    ].join(', ');
    // Chunk column of each coded input's unknown values.
    const unknownAt = new Map([...coded.keys()].map((i, k) => [i, schema.length + ids.length + k]));
    const badInput = async (err: unknown): Promise<never> => {
      const text = await openText().catch(() => opened);
      const [bad] = await firstTypeErrors(db, text, schema.map((c) => ({ name: c.name, type: CHECKED_AS[c.type] }))).catch(() => []);
      if (bad) {
        const col = schema.find((c) => c.name === bad.column)!;
        throw new MlpipeError('E_BAD_INPUT', `column "${bad.column}", row ${bad.row}: expected ${col.type === 'bool' ? 'true or false' : 'a number'}, got ${JSON.stringify(bad.value)}`, {
          expected: `values that fit the model's input schema (${schema.map((c) => `${c.name}:${c.type}`).join(', ')}), or a missing-value token`,
          received: JSON.stringify(bad.value),
          hint: 'fix the value, or list it with --na-values if it marks a missing value',
          data: { column: bad.column, row: bad.row, value: bad.value },
        });
      }
      throw new MlpipeError('E_BAD_INPUT', `cannot read ${path}: ${duckdbReason(err)}`, {
        expected: `values that fit the model's input schema (${schema.map((c) => `${c.name}:${c.type}`).join(', ')})`,
        cause: err,
      });
    };
    const names = [...schema.map((c) => c.name), ...ids.map(idKey)];
    // Numbers go straight into typed arrays, one allocation per column per batch instead of one JS
    // array per chunk.
    const numeric = [...schema.map((c) => SQL_TYPE[c.type] === 'DOUBLE'), ...ids.map(() => false)];
    const result = await conn.stream(`SELECT ${select} FROM ${source}`).catch(badInput);
    const fetch = () => result.fetchChunk().catch(badInput);
    let size = Math.min(firstBatchSize, batchSize);
    const newColumns = () => names.map((_, c) => (numeric[c] ? new Float64Array(size) : new Array<unknown>(size)));
    let columns = newColumns();
    let rows = 0;
    const flush = (): Table => {
      const table: Table = { columns: {}, rows };
      names.forEach((name, c) => {
        const col = columns[c]!;
        table.columns[name] = rows === size ? col : col instanceof Float64Array ? col.subarray(0, rows) : col.slice(0, rows);
      });
      size = batchSize;
      columns = newColumns();
      rows = 0;
      return table;
    };
    // DuckDB reads the next chunk on its own threads while this one is converted and scored.
    next = fetch();
    for (;;) {
      const chunk = (await next) as Awaited<ReturnType<typeof fetch>>;
      if (!chunk || chunk.rowCount === 0) break;
      next = fetch();
      let offset = 0;
      const doubles = numeric.map((isNumeric, c) => (isNumeric || coded.has(c) ? doubleVector(chunk.chunk, c, chunk.rowCount) : null));
      const unknowns = new Map([...unknownAt].map(([c, at]) => [c, unknownValues(chunk, at)]));
      while (offset < chunk.rowCount) {
        const take = Math.min(chunk.rowCount - offset, size - rows);
        for (let c = 0; c < names.length; c++) {
          const col = columns[c]!;
          const source = doubles[c];
          if (source && col instanceof Float64Array) {
            col.set(source.subarray(offset, offset + take), rows);
          } else if (source) {
            // A coded input: its known values from the categories, the rest (unknown or missing) as read.
            const { categories } = coded.get(c)!;
            const unknown = unknowns.get(c)!;
            for (let r = 0; r < take; r++) {
              const code = source[offset + r]!;
              col[rows + r] = Number.isNaN(code) ? unknown(offset + r) : categories[code];
            }
          } else {
            const vector = chunk.getColumnVector(c);
            for (let r = 0; r < take; r++) col[rows + r] = vector.getItem(offset + r);
          }
        }
        rows += take;
        offset += take;
        if (rows === size) yield flush();
      }
    }
    if (rows > 0) yield flush();
  } finally {
    // A consumer that stops early leaves one read in flight; let it settle before closing.
    await next?.catch(() => {});
    db.close();
  }
}

/**
 * Text inputs whose categories training recorded (model.json's input schema), by position: they are
 * read as codes into an ENUM of those categories, so that a known value costs a double copied with
 * its vector instead of a string through @duckdb/node-api (a call, a view or a native buffer and a
 * UTF-8 decode per value: 2.5 s of a 4.8 s predict of 651,220 Adult rows with 8 text inputs). The
 * values are the same strings (an ENUM matches the exact text); unknown values come as text. An id
 * column, or a list too long for the SQL, is read as text.
 */
function codedCategories(schema: readonly InputColumn[], ids: readonly string[]): Map<number, { categories: string[]; type: string }> {
  const coded = new Map<number, { categories: string[]; type: string }>();
  schema.forEach((c, i) => {
    const categories = c.categories;
    if (SQL_TYPE[c.type] !== 'VARCHAR' || ids.includes(c.name) || !categories?.length || categories.length > MAX_CODED_CATEGORIES) return;
    if (new Set(categories).size !== categories.length) return; // an ENUM takes each value once
    coded.set(i, { categories, type: `ENUM(${categories.map(quoteLiteral).join(', ')})` });
  });
  return coded;
}

const MAX_CODED_CATEGORIES = 10_000;

/** Row -> the text of column `c` of a chunk (null when NULL): read only for the rows asked for. */
function unknownValues(chunk: DuckDBDataChunk, c: number): (row: number) => string | null {
  const vector = chunk.getColumnVector(c);
  const raw = duckdb.data_chunk_get_vector(chunk.chunk, c);
  // Little-endian 64-bit words: bit r sits in byte r >> 3. No mask means no NULLs.
  const valid = duckdb.vector_get_validity(raw, Math.ceil(chunk.rowCount / 64) * 8);
  return (row) => (valid && ((valid[row >> 3]! >> (row & 7)) & 1) === 0 ? null : (vector.getItem(row) as string | null));
}

/**
 * A DOUBLE column of a DuckDB chunk without nulls (the query turns them into NaN), viewed in place
 * (valid until the chunk is released) through the bindings under @duckdb/node-api: its `getItem`
 * costs a call and a BigInt validity test per value.
 */
function doubleVector(chunk: duckdb.DataChunk, column: number, rows: number): Float64Array {
  const vector = duckdb.data_chunk_get_vector(chunk, column);
  const data = duckdb.vector_get_data(vector, rows * Float64Array.BYTES_PER_ELEMENT);
  return new Float64Array(data.buffer, data.byteOffset, rows);
}

/** The key under which an id column travels in a batch table (never clashes with an input column). */
export function idKey(id: string): string {
  return `\0id:${id}`;
}

/**
 * JSON Lines from a file or stdin: one object per line, blank lines skipped. A string that is a
 * missing-value token ("NA", "NaN", ...) in a column listed in `numeric` is a missing value, as the
 * same cell in a CSV would be.
 */
export async function* jsonlBatches(
  input: Readable,
  source: string,
  names: readonly string[],
  ids: readonly string[],
  batchSize: number,
  numeric: readonly string[] = [],
  naValues?: readonly string[],
): AsyncGenerator<Table> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let records: Record<string, unknown>[] = [];
  let line = 0;
  const keys = [...names, ...ids];
  const flush = (): Table => {
    const table = recordsToTable(records, keys);
    for (const name of numeric) {
      const values = ownColumn(table.columns, name) as unknown[] | undefined;
      if (!values) continue;
      for (let r = 0; r < table.rows; r++) {
        const v = values[r];
        if (typeof v === 'string' && isNaToken(v, naValues)) (values as unknown[])[r] = null;
      }
    }
    for (const id of ids) {
      table.columns[idKey(id)] = (ownColumn(table.columns, id) as unknown[] | undefined) ?? new Array(table.rows).fill(null);
    }
    records = [];
    return table;
  };
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (err) {
      throw new MlpipeError('E_BAD_INPUT', `${source} line ${line} is not valid JSON: ${(err as Error).message}`, {
        expected: 'one JSON object per line',
        received: text.length > 80 ? `${text.slice(0, 80)}...` : text,
      });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new MlpipeError('E_BAD_INPUT', `${source} line ${line} is not a JSON object`, { expected: '{"column": value, ...}', received: text.slice(0, 80) });
    }
    records.push(row as Record<string, unknown>);
    if (records.length >= batchSize) yield flush();
  }
  if (records.length > 0) yield flush();
}

export function openInput(path: string, stdin: Readable): Readable {
  return path === '-' ? stdin : createReadStream(path);
}
