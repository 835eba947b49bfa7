import { csvParseRows } from 'd3-dsv';
import { MlpipeError } from '../errors.js';
import type { InputColumn } from '../model/artifact.js';
import { inherited, namesOf, ownColumn } from '../model/column-reader.js';
import { showValue } from './json-body.js';
import type { Table } from './table.js';

/**
 * Request bodies of the MLflow scoring protocol (../shared/docs/serving-protocols.md §2.1) turned
 * into column tables. Values are taken as they come; validation against the schema is separate.
 */

const FORMAT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** Column names per schema, computed once per loaded model rather than per request (see namesOf). */
export function schemaNames(schema: readonly InputColumn[]): string[] {
  return namesOf(schema, (c) => c.name);
}

export interface MlflowRequest {
  table: Table;
  /** `params.proba: true` asks for class probabilities instead of labels. */
  proba: boolean;
}

function badInput(message: string, expected?: string, received?: string): MlpipeError {
  return new MlpipeError('E_BAD_INPUT', message, { expected, received });
}

/** A parsed JSON body: exactly one of the four format keys, plus optional `params`. */
export function parseMlflowJson(body: unknown, schema: readonly InputColumn[]): MlflowRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badInput(
      `The input must be a JSON dictionary with exactly one of the input fields {${FORMAT_KEYS.map((k) => `'${k}'`).join(', ')}}. Received ${Array.isArray(body) ? 'a list' : typeof body}.`,
    );
  }
  const obj = body as Record<string, unknown>;
  let key: (typeof FORMAT_KEYS)[number] | undefined;
  let count = 0;
  for (const k of FORMAT_KEYS) {
    if (obj[k] !== undefined) {
      key = k;
      count++;
    }
  }
  if (count !== 1 || key === undefined) {
    throw badInput(
      `The input must be a JSON dictionary with exactly one of the input fields {${FORMAT_KEYS.map((k) => `'${k}'`).join(', ')}}. Received dictionary with input fields: [${Object.keys(obj).map((k) => `'${k}'`).join(', ')}].`,
    );
  }
  const proba = probaParam(obj.params);
  const value = obj[key];
  const names = schemaNames(schema);
  let table: Table;
  if (key === 'dataframe_split') table = splitToTable(value, names);
  else if (key === 'dataframe_records') table = recordsToTable(asList(value, key), names);
  else table = tensorsToTable(value, key, schema);
  return { table, proba };
}

/**
 * `params`: optional, an object; its `proba` (mlpipe's one inference parameter) true or false.
 * Other params are ignored, as MLflow ignores params its model does not declare.
 */
function probaParam(params: unknown): boolean {
  if (params === undefined) return false;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw badInput('"params" must be an object of inference parameters', '{"proba": true}', showValue(params));
  }
  const proba = (params as Record<string, unknown>).proba;
  if (proba === undefined) return false;
  if (typeof proba !== 'boolean') throw badInput('"params.proba" must be true or false', 'true or false', showValue(proba));
  return proba;
}

function asList(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value)) throw badInput(`"${key}" must be a list`, 'a JSON list', typeof value);
  return value;
}

/** pandas "split" orient: {columns?, data: [[...], ...], index?}; columns default to the schema's order. */
function splitToTable(value: unknown, schemaNames: string[]): Table {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badInput('"dataframe_split" must be an object with "columns" and "data"', '{"columns": [...], "data": [[...]]}', JSON.stringify(value));
  }
  const split = value as { columns?: unknown; data?: unknown };
  const names = split.columns === undefined ? schemaNames : split.columns;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw badInput('"dataframe_split.columns" must be a list of column names', 'a list of strings', JSON.stringify(names));
  }
  return arraysToTable(asList(split.data, 'dataframe_split.data'), names as string[], 'dataframe_split.data');
}

/** Rows given as arrays, positionally matched to `names`. */
function arraysToTable(data: unknown[], names: string[], where: string): Table {
  const rows = data.length;
  const width = names.length;
  const columns: Record<string, unknown[]> = {};
  const cols: unknown[][] = new Array(width);
  for (let c = 0; c < width; c++) {
    cols[c] = new Array(rows);
    columns[names[c]!] = cols[c]!;
  }
  for (let r = 0; r < rows; r++) {
    const row = data[r];
    if (!Array.isArray(row) || row.length !== width) {
      throw badInput(
        `${where} row ${r}: expected a list of ${width} values (${names.join(', ')})`,
        `${width} values`,
        Array.isArray(row) ? `${row.length} values` : JSON.stringify(row),
      );
    }
    for (let c = 0; c < width; c++) cols[c]![r] = row[c];
  }
  return { columns, rows };
}

/** Rows given as objects, keeping the `names` columns; a key absent from a row is a missing value. */
export function recordsToTable(data: unknown[], names: readonly string[]): Table {
  const rows = data.length;
  const columns: Record<string, unknown[]> = {};
  const present = new Set<string>();
  for (let r = 0; r < rows; r++) {
    const row = data[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw badInput(`row ${r}: expected an object of column values`, '{"column": value, ...}', JSON.stringify(row));
    }
    for (const k in row) present.add(k);
  }
  // Only columns present in some row exist, so a column absent everywhere is reported as missing.
  for (const name of names) {
    if (!present.has(name)) continue;
    const values = new Array(rows);
    // A row without a `constructor` key must give null, not Object.prototype's (see inherited).
    const guard = inherited(name);
    for (let r = 0; r < rows; r++) {
      const row = data[r] as Record<string, unknown>;
      values[r] = (guard ? ownColumn(row, name) : row[name]) ?? null;
    }
    columns[name] = values;
  }
  return { columns, rows };
}

/**
 * TF-serving style `instances` / `inputs`: a list of rows (objects, arrays in schema order, or
 * scalars for a one-column model), or a dict of named columns.
 */
function tensorsToTable(value: unknown, key: string, schema: readonly InputColumn[]): Table {
  if (Array.isArray(value)) {
    const first = value[0];
    if (value.length === 0 || Array.isArray(first)) return arraysToTable(value, schemaNames(schema), key);
    if (typeof first === 'object' && first !== null) return recordsToTable(value, schemaNames(schema));
    if (schema.length === 1) return { columns: { [schema[0]!.name]: value }, rows: value.length };
    throw badInput(`"${key}" rows must be lists or objects for a model with ${schema.length} input columns`, 'a list of rows', JSON.stringify(first));
  }
  if (typeof value !== 'object' || value === null) {
    throw badInput(`"${key}" must be a list of rows or a dict of columns`, 'a list or an object', JSON.stringify(value));
  }
  const columns: Record<string, ArrayLike<unknown>> = {};
  let rows = -1;
  for (const [name, v] of Object.entries(value)) {
    const col = Array.isArray(v) ? v : [v];
    if (rows !== -1 && col.length !== rows) {
      throw badInput(`"${key}" columns have different lengths: "${name}" has ${col.length}, earlier columns ${rows}`, 'columns of equal length');
    }
    rows = col.length;
    columns[name] = col;
  }
  return { columns, rows: Math.max(rows, 0) };
}

/** Converts one CSV cell to the column's type; a cell that does not convert stays a string (validation names it). */
function csvCell(cell: string, type: InputColumn['type'] | undefined): unknown {
  if (cell === '') return null;
  if (type === 'int' || type === 'float') {
    if (cell === 'NaN' || cell === 'nan') return Number.NaN;
    const n = Number(cell);
    return Number.isNaN(n) ? cell : n;
  }
  if (type === 'bool') {
    const l = cell.toLowerCase();
    return l === 'true' || l === '1' ? true : l === 'false' || l === '0' ? false : cell;
  }
  return cell;
}

/** `text/csv`: a header row, then one row per record; cells typed by the schema (as pandas.read_csv with dtypes). */
export function parseCsv(text: string, schema: readonly InputColumn[]): Table {
  const [header, ...data] = csvParseRows(text);
  if (!header) throw badInput('the CSV body is empty', 'a header row and data rows', 'nothing');
  const types = new Map(schema.map((c) => [c.name, c.type]));
  const columns: Record<string, unknown[]> = {};
  const cols = header.map((name) => {
    const values = new Array(data.length);
    columns[name] = values;
    return values;
  });
  for (let r = 0; r < data.length; r++) {
    const row = data[r]!;
    if (row.length !== header.length) {
      throw badInput(`CSV row ${r + 1}: expected ${header.length} cells (${header.join(', ')})`, `${header.length} cells`, `${row.length} cells`);
    }
    for (let c = 0; c < header.length; c++) cols[c]![r] = csvCell(row[c]!, types.get(header[c]!));
  }
  return { columns, rows: data.length };
}
