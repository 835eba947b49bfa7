/**
 * Parameter and metric values as Python sees them. DVC reads params and metrics with Python's
 * loaders, compares them with Python `==` and prints them with `str()`, so mlpipe keeps Python's
 * int/float distinction: integers are `bigint`, floats are `number` (`1` and `1.0` differ when
 * printed, ../shared/docs/dvc-format.md §3.4 and Appendix B).
 */
export type PyValue = bigint | number | string | boolean | null | PyValue[] | PyDict;
export interface PyDict {
  [key: string]: PyValue;
}

export function isPyDict(v: unknown): v is PyDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

/** Python `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1) || '0';
  return `${sign}${intPart}.${fracPart}`;
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
