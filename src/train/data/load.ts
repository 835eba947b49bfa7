import { MlpipeError } from '../../errors.js';
import { detectSource } from '../../data/detect.js';
import type { Schema } from '../../data/schema.js';
import {
  type DataSource,
  type Database,
  assertReadableFile,
  detectFormat,
  duckdbReason,
  firstTypeErrors,
  openDatabase,
  openSource,
} from '../../data/source.js';
import { type Table, landColumns, landedSelect } from './columns.js';
import { readCsvOneScan } from './read-csv.js';

/**
 * Reads a CSV or Parquet file into typed columns for training and evaluation, through the one table
 * reader (src/data/source.ts): with a schema, its types, dialect and missing-value tokens; without
 * one, what `schema infer` would detect (so `train` and `validate` parse a file the same way).
 */
export type { RawColumn, Table } from './columns.js';

export interface LoadOptions {
  /** A validation schema (or the path of its YAML file) giving types, dialect and missing-value tokens. */
  schema?: Schema | string | undefined;
  /** Missing-value tokens (default: NA_VALUES, or the schema's csv.nullMarkers). */
  naValues?: readonly string[] | undefined;
}

export async function loadTable(path: string, options: LoadOptions = {}): Promise<Table> {
  assertReadableFile(path);
  // Without a schema, a CSV is typed and read in one scan (read-csv.ts); it hands back the rare
  // file that needs the full detection pass first (a sample that guessed wrong, malformed rows).
  if (!options.schema && detectFormat(path) === 'csv') {
    const table = await readCsvOneScan(path, options.naValues);
    if (table) return table;
  }
  // Rows must come out in file order: DuckDB reads a CSV of more than a few MB in parallel, and
  // without this the row order (so the train/test split and the model) changed from run to run.
  const db = await openDatabase({ preserveOrder: true });
  try {
    const source = await sourceOf(db, path, options);
    const opened = await openSource(db, source, { rejects: source.format === 'csv' });
    const columns = source.columns.filter((c) => !opened.missing.includes(c.name));
    // A value the schema's type cannot parse would silently become a missing value: refuse it,
    // naming the column and the row (rows count from 1, as validate reports them).
    if (options.schema) {
      const [bad] = await firstTypeErrors(db, opened, columns);
      if (bad) {
        const col = columns.find((c) => c.name === bad.column)!;
        throw new MlpipeError('E_BAD_INPUT', `column "${bad.column}", row ${bad.row}: ${JSON.stringify(bad.value)} is not a valid ${col.type}`, {
          expected: `${col.type} values (or a missing-value token) in column "${bad.column}"`,
          received: JSON.stringify(bad.value),
          hint: `run \`mlpipe validate ${path} --schema SCHEMA\` to list every problem, then fix the data or the schema`,
          data: { reason: 'type', column: bad.column, row: bad.row, value: bad.value },
        });
      }
    }
    return await readColumns(db, opened.rawSql, columns, source.format === 'csv', path);
  } finally {
    db.close();
  }
}

async function sourceOf(db: Database, path: string, options: LoadOptions): Promise<DataSource> {
  if (!options.schema) {
    const detected = await detectSource(db, path, { naValues: options.naValues });
    // Without a schema, CSV true/false columns stay categories with their own spelling (as training has
    // always read them; a model's clients send them as text). A schema that says bool is obeyed.
    if (detected.format === 'csv') for (const c of detected.columns) if (c.type === 'bool') c.type = 'category';
    return detected;
  }
  // Loaded only with a schema: the schema module (zod) and validate's graph cost ~0.07 CPU-s to import.
  const [{ sourceFromSchema }, { loadSchema }] = await Promise.all([import('../../data/schema.js'), import('../../data/validate.js')]);
  const schema = typeof options.schema === 'string' ? loadSchema(options.schema) : options.schema;
  const source = sourceFromSchema(schema, path, detectFormat(path));
  if (source.csv && options.naValues) source.csv.nullMarkers = [...options.naValues];
  return source;
}

/** The typed columns out of DuckDB: numbers and booleans as float64 (NaN = missing), the rest as text. */
async function readColumns(db: Database, rawSql: string, columns: DataSource['columns'], text: boolean, path: string): Promise<Table> {
  try {
    const { rows, columns: read } = await landColumns(db, `SELECT ${landedSelect(columns, text) || '1 AS __none'} FROM ${rawSql}`, columns);
    return { rows, columns: read };
  } catch (err) {
    throw new MlpipeError('E_BAD_INPUT', `cannot read ${path}: ${duckdbReason(err)}`, {
      expected: 'a readable CSV file (or one matching the schema) or a Parquet file',
      received: duckdbReason(err),
      cause: err,
    });
  }
}
