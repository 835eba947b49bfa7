/**
 * `mlpipe schema infer`: a profile turned into a schema the user then edits, and that must accept
 * next month's file as well as this one. So it records what the data *is* (types, nullability,
 * categories, uniqueness, the CSV dialect) and the observed numeric/date ranges as bounds meant to be
 * edited (README: Data validation), but no row-count range and no string length: those describe one
 * sample, and a longer ID next month is not an error. Missing-value tokens are written only when
 * they differ from the default list (NA_VALUES).
 */
import type { ProgressReporter } from '../core/progress.js';
import { NA_VALUES } from './na.js';
import { type ColumnProfile, type Profile, profile } from './profile.js';
import type { ColumnSchema, Schema } from './schema.js';

const MAX_ALLOWED_VALUES = 50;

export async function inferSchema(options: { data: string; naValues?: readonly string[] | undefined; progress?: ProgressReporter }): Promise<{ schema: Schema; profile: Profile }> {
  const p = await profile(options);
  return { schema: schemaFromProfile(p), profile: p };
}

export function schemaFromProfile(p: Profile): Schema {
  const schema: Schema = {
    version: 1,
    format: p.format,
    ...(p.csv ? { csv: { ...p.csv, escape: p.csv.escape === p.csv.quote ? undefined : p.csv.escape } } : {}),
    extraColumns: 'error',
    columns: Object.fromEntries(p.columns.map((c) => [c.name, columnSchema(c, p.rows)])),
  };
  if (schema.csv && schema.csv.escape === undefined) delete schema.csv.escape;
  if (schema.csv && sameTokens(schema.csv.nullMarkers, NA_VALUES)) delete (schema.csv as Partial<typeof schema.csv>).nullMarkers;
  return schema;
}

function columnSchema(c: ColumnProfile, rows: number): ColumnSchema {
  const col: ColumnSchema = { type: c.type, nullable: c.nulls > 0 };
  if ((c.type === 'int' || c.type === 'float' || c.type === 'date' || c.type === 'datetime') && c.min !== null && c.max !== null) {
    col.min = c.min;
    col.max = c.max;
  }
  // A column with no values (a header-only file) has no categories to allow: `allowed: []` would be
  // a schema that rejects its own file.
  if (c.type === 'category' && c.top && c.top.length > 0 && c.distinct <= MAX_ALLOWED_VALUES) col.allowed = c.top.map((t) => t.value).sort();
  if ((c.type === 'int' || c.type === 'string') && c.count === rows && c.distinct === rows && rows > 1) col.unique = true;
  return col;
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}
