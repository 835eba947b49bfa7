/**
 * Validation results as data (Zod-style): every failed check becomes one Issue with a stable code,
 * the column and rule, what was observed and expected, how many rows fail and a sample of them.
 * Messages are rendered from these fields (`describeIssue`); console, JSON and HTML renderers read
 * the same objects.
 */
import type { Severity } from './schema.js';

export type IssueCode =
  | 'missing_column'
  | 'extra_column'
  | 'invalid_type'
  | 'null_values'
  | 'null_fraction'
  | 'too_small'
  | 'too_big'
  | 'invalid_value'
  | 'pattern_mismatch'
  | 'too_short'
  | 'too_long'
  | 'not_unique'
  | 'row_count'
  | 'rule_failed'
  | 'mean_out_of_range'
  | 'std_out_of_range'
  | 'quantile_out_of_range'
  | 'invalid_class'
  | 'class_balance'
  | 'drift';

/** One offending row: its 1-based data row number (header and skipped lines not counted) and values as read. */
export interface SampleRow {
  row: number;
  values: Record<string, unknown>;
}

export interface Issue {
  code: IssueCode;
  severity: Severity;
  /** The column, or null for table-level checks (row count, compound keys, cross-column rules). */
  column: string | null;
  /** The schema rule that failed, as written in the schema (`min`, `rules.end_after_start`, ...). */
  rule: string;
  message: string;
  observed: unknown;
  expected: unknown;
  /** Rows that fail the check; null for checks on an aggregate (mean, std, row count, drift). */
  count: number | null;
  sample: SampleRow[];
}

export function describeIssue(i: Omit<Issue, 'message'>): string {
  const where = i.column === null ? 'table' : `column "${i.column}"`;
  const rows = i.count === null ? '' : `${i.count} row(s): `;
  return `${where}: ${rows}${i.rule} expected ${formatValue(i.expected)}, observed ${formatValue(i.observed)}`;
}

export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
