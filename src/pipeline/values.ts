import { type PyValue, isPyDict, pyFloatRepr } from '../core/formats/py-value.js';

/**
 * Python semantics over parameter and metric values: `==`, `str()`, `repr()`, `-`. The value model
 * itself (integers are `bigint`, floats `number`) lives with the YAML codec in core/formats.
 */
export { type PyDict, type PyValue, isPyDict, pyFloatRepr } from '../core/formats/py-value.js';

/** Python `a == b`: `1 == 1.0 == True`, lists element-wise, dicts by key set and values. */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const na = asNumeric(a);
  const nb = asNumeric(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    if (typeof na === 'bigint' && typeof nb === 'bigint') return na === nb;
    return Number(na) === Number(nb);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => pyEquals(x, b[i] as PyValue));
  }
  if (isPyDict(a) || isPyDict(b)) {
    if (!isPyDict(a) || !isPyDict(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && pyEquals(a[k] as PyValue, b[k] as PyValue));
  }
  return a === b;
}

function asNumeric(v: PyValue): bigint | number | undefined {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  return undefined;
}

/** Python `str(value)` (floats by repr, lists and dicts by repr of their items). */
export function pyStr(v: PyValue): string {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyFloatRepr(v);
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replaceAll("'", "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

/** A plain JSON value for `--json` output (bigint becomes a number; exact below 2^53). */
export function toJsonValue(v: PyValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return pyFloatRepr(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (isPyDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  return v;
}

/** Python's `a - b` for two numbers (bool counts as int), or undefined when either is not a number. */
export function pySubtract(a: PyValue, b: PyValue): bigint | number | undefined {
  const na = asNumeric(a);
  const nb = asNumeric(b);
  if (na === undefined || nb === undefined) return undefined;
  if (typeof na === 'bigint' && typeof nb === 'bigint') return na - nb;
  return Number(na) - Number(nb);
}
