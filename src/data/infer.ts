/**
 * `mlpipe schema infer`: a profile turned into a schema the user then edits. Bounds are the observed
 * ones (so the inferred schema accepts the data it came from); row count bounds are half to twice
 * the observed count.
 */
import type { ProgressReporter } from '../core/progress.js';
import { type ColumnProfile, type Profile, profile } from './profile.js';
import type { ColumnSchema, Schema } from './schema.js';

const MAX_ALLOWED_VALUES = 50;

export async function inferSchema(options: { data: string; progress?: ProgressReporter }): Promise<{ schema: Schema; profile: Profile }> {
  const p = await profile(options);
  return { schema: schemaFromProfile(p), profile: p };
}

export function schemaFromProfile(p: Profile): Schema {
  const schema: Schema = {
    version: 1,
    format: p.format,
    ...(p.csv ? { csv: { ...p.csv, escape: p.csv.escape === p.csv.quote ? undefined : p.csv.escape } } : {}),
    rows: { min: Math.ceil(p.rows / 2), max: p.rows * 2 },
    extraColumns: 'error',
    columns: Object.fromEntries(p.columns.map((c) => [c.name, columnSchema(c, p.rows)])),
  };
  if (schema.csv && schema.csv.escape === undefined) delete schema.csv.escape;
  return schema;
}

function columnSchema(c: ColumnProfile, rows: number): ColumnSchema {
  const col: ColumnSchema = { type: c.type, nullable: c.nulls > 0 };
  if ((c.type === 'int' || c.type === 'float' || c.type === 'date' || c.type === 'datetime') && c.min !== null && c.max !== null) {
    col.min = c.min;
    col.max = c.max;
  }
  if (c.type === 'category' && c.top && c.distinct <= MAX_ALLOWED_VALUES) col.allowed = c.top.map((t) => t.value).sort();
  if (c.type === 'string' && c.maxLength !== null) col.maxLength = c.maxLength;
  if ((c.type === 'int' || c.type === 'string') && c.count === rows && c.distinct === rows && rows > 1) col.unique = true;
  return col;
}
