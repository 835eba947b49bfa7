/**
 * Values as Python sees them, the model of what the YAML codec (yaml-read.ts / yaml-write.ts) reads
 * and writes for DVC's files. DVC reads params and metrics with Python's loaders, compares them with
 * Python `==` and prints them with `str()`, so mlpipe keeps Python's int/float distinction: integers
 * are `bigint`, floats are `number` (`1` and `1.0` differ when printed,
 * ../shared/docs/dvc-format.md §3.4 and Appendix B).
 */
export type PyValue = bigint | number | string | boolean | null | PyValue[] | PyDict;
export interface PyDict {
  [key: string]: PyValue;
}

export function isPyDict(v: unknown): v is PyDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
