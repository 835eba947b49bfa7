import type { IssueCode } from '../data/issues.js';
import { MlpipeError } from '../errors.js';
import type { ColumnType, InputColumn } from '../model/artifact.js';
import { columnsIn, ownColumn } from '../model/column-reader.js';
import { showValue } from './json-body.js';
import { schemaNames } from './parse-mlflow.js';
import type { Table } from './table.js';

/** One problem with the input, as data (the message is rendered from it). */
export interface InputIssue {
  column: string;
  /** 0-based row, or -1 when the whole column is concerned. */
  row: number;
  /** The same vocabulary as `mlpipe validate`'s issues (data/issues.ts). */
  code: Extract<IssueCode, 'missing_column' | 'invalid_type' | 'null_values' | 'row_count'>;
  expected: string;
  received: string;
}

/** Most issues reported per request: enough to fix a client, bounded for a hostile one. */
const MAX_ISSUES = 20;

const EXPECTED: Record<ColumnType, string> = {
  int: 'an integer',
  float: 'a finite number',
  bool: 'true or false',
  string: 'a string',
  category: 'a string',
  date: 'a date string',
  datetime: 'a datetime string',
};

function typeOk(type: ColumnType, v: unknown): boolean {
  switch (type) {
    case 'float':
      // JSON has no Infinity, but 1e400 parses to it; no model was trained on it.
      return Number.isFinite(v);
    case 'int':
      return Number.isInteger(v) || typeof v === 'bigint';
    case 'bool':
      return typeof v === 'boolean';
    default:
      return typeof v === 'string';
  }
}

/**
 * Checks a table against the model's input schema before anything is scored: every column present,
 * every value of the declared type, nulls (and NaN) only where the column is nullable, and at most
 * `maxRows` rows. Unknown categories are left to the shared preprocessing, which applies the model's
 * own policy (ignore, a fixed code, or an error). Extra columns are ignored, as MLflow does.
 * Returns all issues (up to MAX_ISSUES); an empty list means the table is valid.
 */
export function inputIssues(schema: readonly InputColumn[], table: Table, maxRows = Infinity, rowOffset = 0): InputIssue[] {
  const issues: InputIssue[] = [];
  if (table.rows > maxRows) {
    issues.push({ column: '', row: -1, code: 'row_count', expected: `at most ${maxRows} rows`, received: `${table.rows} rows` });
    return issues;
  }
  const names = schemaNames(schema);
  const columns = columnsIn(names)(table.columns) as (ArrayLike<unknown> | undefined)[];
  for (let c = 0; c < schema.length; c++) {
    const col = schema[c]!;
    // A schema changed since it was first seen (the names are cached per array) reads directly.
    const values = names[c] === col.name ? columns[c] : (ownColumn(table.columns, col.name) as ArrayLike<unknown> | undefined);
    if (values === undefined) {
      issues.push({ column: col.name, row: -1, code: 'missing_column', expected: `a column "${col.name}"`, received: 'no such column' });
      if (issues.length >= MAX_ISSUES) return issues;
      continue;
    }
    // Batch prediction's numbers come as Float64Arrays (null as NaN): skip the finite values fast.
    const doubles = values instanceof Float64Array && col.type === 'float' ? values : null;
    for (let r = 0; r < table.rows; r++) {
      if (doubles) {
        r = nextNonFinite(doubles, r, table.rows);
        if (r === table.rows) break;
      }
      const v = values[r];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
        if (col.nullable) continue;
        issues.push({ column: col.name, row: r + rowOffset, code: 'null_values', expected: EXPECTED[col.type], received: v === undefined ? 'nothing' : String(v) });
      } else if (!typeOk(col.type, v)) {
        issues.push({ column: col.name, row: r + rowOffset, code: 'invalid_type', expected: EXPECTED[col.type], received: showValue(v) });
      } else continue;
      if (issues.length >= MAX_ISSUES) return issues;
    }
  }
  return issues;
}

/** The first row from `from` whose value is not finite (NaN for a null, or an infinity), else `rows`. */
function nextNonFinite(values: Float64Array, from: number, rows: number): number {
  let r = from;
  while (r < rows && values[r]! - values[r]! === 0) r++;
  return r;
}

/** Renders one issue: `column "age", row 3: expected an integer, got "abc"`. */
export function describeIssue(i: InputIssue): string {
  if (i.code === 'row_count') return `too many rows: expected ${i.expected}, got ${i.received}`;
  if (i.code === 'missing_column') return `missing column "${i.column}"`;
  const what = i.code === 'null_values' ? `a missing value (${i.received}) where the column is not nullable` : i.received;
  return `column "${i.column}", row ${i.row}: expected ${i.expected}, got ${what}`;
}

/**
 * Throws E_BAD_INPUT naming the first issues (all of them in `data.issues`) unless the table is
 * valid. `rowOffset` numbers rows from the start of a file read in batches.
 */
export function assertValidInput(schema: readonly InputColumn[], table: Table, maxRows?: number, rowOffset = 0): void {
  const issues = inputIssues(schema, table, maxRows, rowOffset);
  if (issues.length === 0) return;
  const first = issues.slice(0, 3).map(describeIssue).join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  throw new MlpipeError('E_BAD_INPUT', `invalid input: ${first}${more}`, {
    expected: `columns ${schema.map((c) => `${c.name}:${c.type}${c.nullable ? '?' : ''}`).join(', ')}`,
    data: { issues },
  });
}
