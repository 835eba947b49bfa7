/**
 * The validation schema: its YAML form (parse / serialize, pure) and the checked TypeScript type.
 * Unknown keys and wrong types are errors (E_SCHEMA) listing every problem with its path, the way
 * Zod reports them, because a misspelt rule that is silently ignored is a check that never runs.
 */
import type { z as Zod } from 'zod';
import { readYaml } from '../core/formats/yaml-read.js';
import { type YamlValue, dumpYaml } from '../core/formats/yaml-write.js';
import { MlpipeError } from '../errors.js';
import { NA_VALUES } from './na.js';
import type { CsvOptions, DataSource } from './source.js';
import { requireVendored } from './vendor.js';

// Zod through `require` of its one-file bundle (see vendor.ts): its ESM build is about 95 modules,
// about 40 ms more CPU to load on every command that reads a schema.
const { z } = requireVendored<{ z: typeof Zod }>('../vendor/zod.cjs', 'zod');

export const SEVERITIES = ['error', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const DRIFT_METHODS = ['ks', 'wasserstein', 'chisquare', 'jensenshannon', 'psi'] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

const severity = z.enum(SEVERITIES);
/** A rule value, optionally with its own severity: `min: 0` or `min: {value: 0, severity: warning}`. */
const withSeverity = <T extends Zod.ZodType>(inner: T) =>
  z.union([inner, z.strictObject({ value: inner, severity: severity.optional() })]);
const bound = z.union([z.number(), z.string()]);
const range = z
  .strictObject({ min: z.number().optional(), max: z.number().optional(), severity: severity.optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, 'give min, max or both');
const driftSpec = z.strictObject({ method: z.enum(DRIFT_METHODS).optional(), threshold: z.number().positive().optional() });

const column = z.strictObject({
  type: z.enum(['int', 'float', 'bool', 'string', 'category', 'date', 'datetime']),
  format: z.string().optional(),
  required: withSeverity(z.boolean()).optional(),
  nullable: withSeverity(z.boolean()).optional(),
  maxNullFraction: withSeverity(z.number().min(0).max(1)).optional(),
  min: withSeverity(bound).optional(),
  max: withSeverity(bound).optional(),
  allowed: withSeverity(z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).optional(),
  pattern: withSeverity(z.string()).optional(),
  minLength: withSeverity(z.number().int().min(0)).optional(),
  maxLength: withSeverity(z.number().int().min(0)).optional(),
  unique: withSeverity(z.boolean()).optional(),
  mean: range.optional(),
  std: range.optional(),
  quantiles: z.record(z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'a quantile between 0 and 1'), range).optional(),
  severity: severity.optional(),
  drift: z.union([driftSpec, z.literal(false)]).optional(),
  description: z.string().optional(),
});

const csv = z.strictObject({
  delimiter: z.string().min(1).max(4).default(','),
  header: z.boolean().default(true),
  quote: z.string().length(1).default('"'),
  escape: z.string().length(1).optional(),
  encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).default('utf-8'),
  nullMarkers: z.array(z.string()).default([...NA_VALUES]),
  skipRows: z.number().int().min(0).default(0),
});

export const schemaShape = z
  .strictObject({
    version: z.literal(1),
    format: z.enum(['csv', 'parquet']).optional(),
    csv: csv.optional(),
    rows: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional(), severity: severity.optional() }).optional(),
    extraColumns: z.enum(['allow', 'warning', 'error']).default('error'),
    columns: z.record(z.string().min(1), column),
    unique: z.array(z.strictObject({ columns: z.array(z.string()).min(2), severity: severity.optional() })).optional(),
    rules: z
      .array(z.strictObject({ name: z.string().min(1), check: z.string().min(1), severity: severity.optional() }))
      .optional(),
    label: z
      .strictObject({
        column: z.string(),
        classes: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
        minClassFraction: z.number().min(0).max(1).optional(),
        maxClassFraction: z.number().min(0).max(1).optional(),
        severity: severity.optional(),
      })
      .optional(),
    drift: z
      .strictObject({ numeric: driftSpec.optional(), categorical: driftSpec.optional(), severity: severity.optional() })
      .optional(),
  })
  .superRefine((s, ctx) => {
    for (const [name, col] of Object.entries(s.columns)) {
      const numeric = col.type === 'int' || col.type === 'float';
      const ordered = numeric || col.type === 'date' || col.type === 'datetime';
      const text = col.type === 'string' || col.type === 'category';
      const misplaced = (key: keyof typeof col, ok: boolean, want: string) => {
        if (col[key] !== undefined && !ok) ctx.addIssue({ code: 'custom', path: ['columns', name, key], message: `${key} needs a ${want} column, this one is ${col.type}` });
      };
      misplaced('min', ordered, 'numeric or date');
      misplaced('max', ordered, 'numeric or date');
      misplaced('mean', numeric, 'numeric');
      misplaced('std', numeric, 'numeric');
      misplaced('quantiles', numeric, 'numeric');
      misplaced('pattern', text, 'string or category');
      misplaced('minLength', text, 'string or category');
      misplaced('maxLength', text, 'string or category');
      misplaced('format', col.type === 'date' || col.type === 'datetime', 'date or datetime');
      const pattern = ruleValue(col.pattern);
      if (pattern !== undefined) {
        try {
          new RegExp(pattern);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['columns', name, 'pattern'], message: `not a regular expression: ${(err as Error).message}` });
        }
      }
    }
    const known = (path: (string | number)[], names: string[]) => {
      for (const n of names) if (!(n in s.columns)) ctx.addIssue({ code: 'custom', path, message: `unknown column "${n}"` });
    };
    s.unique?.forEach((u, i) => {
      known(['unique', i, 'columns'], u.columns);
    });
    if (s.label) known(['label', 'column'], [s.label.column]);
  });

export type Schema = Zod.output<typeof schemaShape>;
export type ColumnSchema = Schema['columns'][string];
export type DriftSpec = Zod.output<typeof driftSpec>;

/** The value of a rule that may carry its own severity. */
export function ruleValue<T>(rule: T | { value: T; severity?: Severity | undefined } | undefined): T | undefined {
  if (rule !== null && typeof rule === 'object' && !Array.isArray(rule) && 'value' in (rule as object)) return (rule as { value: T }).value;
  return rule as T | undefined;
}

/** A rule's severity: its own, else the column's, else error. */
export function severityOf(rule: unknown, fallback: Severity | undefined): Severity {
  if (rule !== null && typeof rule === 'object' && !Array.isArray(rule) && 'severity' in (rule as object)) {
    const own = (rule as { severity?: Severity }).severity;
    if (own) return own;
  }
  return fallback ?? 'error';
}

/** Parses and checks schema YAML text; E_SCHEMA with every problem (path: message) otherwise. */
export function parseSchema(text: string, origin = 'schema'): Schema {
  let doc: unknown;
  try {
    doc = readYaml(text);
  } catch (err) {
    throw new MlpipeError('E_SCHEMA', `${origin} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      expected: 'a YAML mapping (see `mlpipe schema infer DATA` for an example)',
      cause: err,
    });
  }
  const parsed = schemaShape.safeParse(doc);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new MlpipeError('E_SCHEMA', `${origin} is invalid: ${problems.length} problem(s): ${problems.join('; ')}`, {
    expected: 'a schema with the keys documented in README.md (Data validation)',
    received: problems.join('\n            '),
    hint: 'fix the keys listed above, or regenerate with `mlpipe schema infer DATA -o schema.yaml`',
    data: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), code: i.code, message: i.message })) },
  });
}

/** YAML text for a schema, with a header comment; keys in a fixed, readable order. */
export function serializeSchema(schema: Schema, comment?: string): string {
  const head = comment ? `${comment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n` : '';
  // The one YAML writer: strings that YAML 1.1 readers (PyYAML) would take for booleans, dates or
  // numbers are quoted, so the schema reads back the same in any tool.
  return head + dumpYaml(schema as unknown as YamlValue, { numbers: 'auto' });
}

/** The CSV options the schema gives, with mlpipe's defaults for the rest. */
export function csvOptionsOf(schema: Schema): CsvOptions {
  const c = schema.csv;
  return {
    delimiter: c?.delimiter ?? ',',
    header: c?.header ?? true,
    quote: c?.quote ?? '"',
    escape: c?.escape ?? c?.quote ?? '"',
    encoding: c?.encoding ?? 'utf-8',
    nullMarkers: c?.nullMarkers ?? [...NA_VALUES],
    skipRows: c?.skipRows ?? 0,
  };
}

/** The data source a schema describes for `path` (format from the schema, else from the extension). */
export function sourceFromSchema(schema: Schema, path: string, detected: DataSource['format']): DataSource {
  const format = schema.format ?? detected;
  return {
    path,
    format,
    csv: format === 'csv' ? csvOptionsOf(schema) : undefined,
    columns: Object.entries(schema.columns).map(([name, c]) => ({ name, type: c.type, format: c.format })),
  };
}
