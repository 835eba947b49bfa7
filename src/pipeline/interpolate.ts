import { MlpipeError } from '../errors.js';
import { type PyDict, type PyValue, isPyDict, pyStr } from './values.js';

/**
 * `${...}` templating of dvc.yaml as DVC's `dvc/parsing` does it (../shared/docs/dvc-format.md §3.2):
 * a string that is exactly one `${expr}` takes the value itself (any type); inside longer text values
 * are stringified (booleans as `true`/`false`, a dict in `cmd` as `--key value` flags); `\${` escapes.
 */
const TEMPLATE = /(?<!\\)\$\{(.*?)\}/g;
const EXACT = /^\$\{([^}]*)\}$/;

export type Context = PyDict;

/** Where a value comes from, for error messages: "dvc.yaml, stage 'train', cmd". */
export interface Where {
  file: string;
  stage?: string;
  field: string;
}

export function hasTemplate(s: string): boolean {
  TEMPLATE.lastIndex = 0;
  return TEMPLATE.test(s);
}

/** Resolves every string in `value` (recursively) against `ctx`. Keys are left as written. */
export function interpolate(value: PyValue, ctx: Context, where: Where): PyValue {
  if (typeof value === 'string') return interpolateString(value, ctx, where);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, ctx, where));
  if (isPyDict(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, ctx, { ...where, field: `${where.field}.${k}` })]),
    );
  }
  return value;
}

export function interpolateString(s: string, ctx: Context, where: Where): PyValue {
  const exact = EXACT.exec(s);
  if (exact) return lookup(ctx, (exact[1] as string).trim(), where);
  if (!s.includes('${')) return s;
  const replaced = s.replace(TEMPLATE, (_m, expr: string) => {
    const value = lookup(ctx, expr.trim(), where);
    return toStr(value, where);
  });
  return replaced.replaceAll('\\${', '${');
}

/** Looks up `a.b[0].c` in the context. */
export function lookup(ctx: Context, expr: string, where: Where): PyValue {
  const parts = splitKeyPath(expr);
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw templateError(where, `has an invalid interpolation \${${expr}}`, 'a dotted key such as ${train.lr}');
  }
  let cur: PyValue | undefined = ctx;
  for (const part of parts) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isPyDict(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined) {
      throw templateError(where, `could not find '${expr}' to interpolate`, 'a key defined in params.yaml or `vars`');
    }
  }
  return cur as PyValue;
}

export function splitKeyPath(expr: string): string[] {
  return expr.replace(/\[(\d+)\]/g, '.$1').split('.');
}

/** DVC's `to_str`: booleans lower-case, floats by repr, a dict (in cmd) unpacked to flags. */
function toStr(value: PyValue, where: Where): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || typeof value !== 'object') return pyStr(value);
  if (isPyDict(value) && where.field === 'cmd') return dictToFlags(value, where);
  throw templateError(
    where,
    `cannot interpolate data of type '${Array.isArray(value) ? 'list' : 'dict'}' inside a string`,
    'a string, number or boolean (dicts are allowed only in cmd)',
  );
}

function dictToFlags(value: PyDict, where: Where): string {
  let out = '';
  for (const [k, v] of Object.entries(flatten(value))) {
    if (typeof v === 'boolean') {
      if (v) out += `--${k} `;
    } else if (Array.isArray(v)) {
      v.forEach((item, n) => {
        if (typeof item === 'object' && item !== null) {
          throw templateError(where, `cannot interpolate nested iterable in '${k}'`, 'a flat list');
        }
        const text = typeof item === 'string' ? shellQuote(item) : pyStr(item);
        out += n > 0 ? `${text} ` : `--${k} ${text} `;
      });
    } else out += `--${k} ${typeof v === 'string' ? shellQuote(v) : pyStr(v)} `;
  }
  return out.trimEnd();
}

/** `dvc.parsing.interpolate.escape_str`: quote strings that contain spaces or quotes. */
function shellQuote(s: string): string {
  return /[\s'"]/.test(s) ? `'${s.replaceAll("'", "'\\''")}'` : s;
}

/** Flattens nested dicts to dotted keys (lists stay values). */
export function flatten(value: PyDict, prefix = ''): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPyDict(v) && Object.keys(v).length > 0) Object.assign(out, flatten(v, key));
    else out[key] = v;
  }
  return out;
}

/**
 * Merges `source` into `ctx` as DVC's `Context.merge_update` without overwrite: nested dicts
 * merge, a key defined twice is an error naming both sources.
 */
export function mergeContext(ctx: Context, source: PyDict, from: string, where: Where, path = ''): void {
  for (const [k, v] of Object.entries(source)) {
    const key = path ? `${path}.${k}` : k;
    const existing = ctx[k];
    if (existing === undefined) ctx[k] = v;
    else if (isPyDict(existing) && isPyDict(v)) mergeContext(existing, v, from, where, key);
    else throw templateError(where, `cannot redefine '${key}' from '${from}': it is already defined`, 'each variable defined once');
  }
}

export function templateError(where: Where, problem: string, expected: string): MlpipeError {
  const at = `${where.file}${where.stage ? `, stage '${where.stage}'` : ''}, ${where.field}`;
  return new MlpipeError('E_PIPELINE', `${at}: ${problem}`, {
    expected,
    received: where.field,
    hint: `fix ${where.file}`,
    data: { file: where.file, ...(where.stage ? { stage: where.stage } : {}), field: where.field },
  });
}
