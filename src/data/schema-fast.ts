/**
 * The schema check without Zod, for the common case of a valid schema: loading Zod costs about
 * 50 ms of CPU at every `validate`, a sixth of a small file's run. `fastParse` returns what Zod's
 * `schemaShape` would (same keys in the same order, defaults filled in) when it is sure the
 * document passes; for anything else it returns undefined and schema.ts asks Zod, which reports
 * every problem. It may be stricter than Zod, never laxer: a test runs both on seeded random
 * documents (test/unit/data/schema-fast.test.ts). The cross-field rules (superRefine) run after it
 * in schema.ts, on either result.
 */
import { NA_VALUES } from './na.js';

type Obj = Record<string, unknown>;
/** A parsed value, or FAIL: "not sure, ask Zod". */
const FAIL = Symbol('fail');
type Out = unknown | typeof FAIL;

const SEVERITIES = ['error', 'warning'];
const TYPES = ['int', 'float', 'bool', 'string', 'category', 'date', 'datetime'];
const DRIFT_METHODS = ['ks', 'wasserstein', 'chisquare', 'jensenshannon', 'psi'];
const ENCODINGS = ['utf-8', 'utf-16', 'latin-1'];
const QUANTILE_KEY = /^(0(\.\d+)?|1(\.0+)?)$/;

/** A plain object (as YAML gives) without a `__proto__` key, which assigning would not copy. */
const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, '__proto__');
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const int = (v: unknown): v is number => num(v) && Number.isSafeInteger(v);

/**
 * An object with only `keys` (Zod's strictObject): each present key parsed by its rule, the output
 * in `keys` order with `defaults` for absent keys. Absent keys without a default stay absent.
 */
function strict(v: unknown, rules: Record<string, (x: unknown) => Out>, defaults: Obj = {}): Out {
  if (!isObj(v)) return FAIL;
  // An unknown key, or a key set to undefined (Zod keeps it; YAML never writes one): Zod decides.
  for (const k of Object.keys(v)) if (!(k in rules) || v[k] === undefined) return FAIL;
  const out: Obj = {};
  for (const [k, rule] of Object.entries(rules)) {
    if (v[k] === undefined) {
      if (k in defaults) out[k] = defaults[k];
      continue;
    }
    const parsed = rule(v[k]);
    if (parsed === FAIL) return FAIL;
    out[k] = parsed;
  }
  return out;
}

const is =
  (test: (x: unknown) => boolean) =>
  (x: unknown): Out =>
    test(x) ? x : FAIL;
const oneOf = (values: readonly unknown[]) => is((x) => values.includes(x));
const str = is((x) => typeof x === 'string');
const nonEmpty = is((x) => typeof x === 'string' && x.length > 0);
const bool = is((x) => typeof x === 'boolean');
const severity = oneOf(SEVERITIES);
const scalar = is((x) => typeof x === 'string' || num(x) || typeof x === 'boolean');

function arrayOf(item: (x: unknown) => Out, min = 0): (x: unknown) => Out {
  return (x) => {
    if (!Array.isArray(x) || x.length < min) return FAIL;
    const out = x.map(item);
    return out.includes(FAIL) ? FAIL : out;
  };
}

/** `min: 0` or `min: {value: 0, severity: warning}` (Zod: the first union member that passes). */
const withSeverity =
  (inner: (x: unknown) => Out) =>
  (x: unknown): Out => {
    const plain = inner(x);
    if (plain !== FAIL) return plain;
    const out = strict(x, { value: inner, severity });
    return out !== FAIL && (out as Obj).value !== undefined ? out : FAIL;
  };

const range = (x: unknown): Out => {
  const out = strict(x, { min: is(num), max: is(num), severity });
  return out !== FAIL && ((out as Obj).min !== undefined || (out as Obj).max !== undefined) ? out : FAIL;
};

const driftSpec = (x: unknown): Out => strict(x, { method: oneOf(DRIFT_METHODS), threshold: is((t) => num(t) && t > 0) });

const quantiles = (x: unknown): Out => {
  if (!isObj(x)) return FAIL;
  const out: Obj = {};
  for (const [k, v] of Object.entries(x)) {
    const r = QUANTILE_KEY.test(k) ? range(v) : FAIL;
    if (r === FAIL) return FAIL;
    out[k] = r;
  }
  return out;
};

const column = (x: unknown): Out =>
  strict(x, {
    type: oneOf(TYPES),
    format: str,
    required: withSeverity(bool),
    nullable: withSeverity(bool),
    maxNullFraction: withSeverity(is((f) => num(f) && f >= 0 && f <= 1)),
    min: withSeverity(is((b) => typeof b === 'string' || num(b))),
    max: withSeverity(is((b) => typeof b === 'string' || num(b))),
    allowed: withSeverity(arrayOf(scalar, 1)),
    pattern: withSeverity(str),
    minLength: withSeverity(is((n) => int(n) && n >= 0)),
    maxLength: withSeverity(is((n) => int(n) && n >= 0)),
    unique: withSeverity(bool),
    mean: range,
    std: range,
    quantiles,
    severity,
    drift: (d) => (d === false ? false : driftSpec(d)),
    description: str,
  });

const columns = (x: unknown): Out => {
  if (!isObj(x)) return FAIL;
  const out: Obj = {};
  for (const [name, c] of Object.entries(x)) {
    const parsed = name.length > 0 ? column(c) : FAIL;
    // A column's type is required.
    if (parsed === FAIL || (parsed as Obj).type === undefined) return FAIL;
    out[name] = parsed;
  }
  return out;
};

const csv = (x: unknown): Out =>
  strict(
    x,
    {
      delimiter: is((d) => typeof d === 'string' && d.length >= 1 && d.length <= 4),
      header: bool,
      quote: is((q) => typeof q === 'string' && q.length === 1),
      escape: is((q) => typeof q === 'string' && q.length === 1),
      encoding: oneOf(ENCODINGS),
      nullMarkers: arrayOf(str),
      skipRows: is((n) => int(n) && n >= 0),
    },
    { delimiter: ',', header: true, quote: '"', encoding: 'utf-8', skipRows: 0 },
  );

/** The document as Zod's schemaShape would output it, or undefined when Zod must decide. */
export function fastParse(doc: unknown): Obj | undefined {
  const out = strict(
    doc,
    {
      version: oneOf([1]),
      format: oneOf(['csv', 'parquet']),
      csv: (x) => {
        const parsed = csv(x);
        // Zod fills the default list afresh for every parse.
        if (parsed !== FAIL && (parsed as Obj).nullMarkers === undefined) return withNullMarkers(parsed as Obj);
        return parsed;
      },
      rows: (x) => strict(x, { min: is((n) => int(n) && n >= 0), max: is((n) => int(n) && n >= 0), severity }),
      extraColumns: oneOf(['allow', 'warning', 'error']),
      columns,
      unique: arrayOf((u) => strict(u, { columns: arrayOf(str, 2), severity })),
      rules: arrayOf((r) => strict(r, { name: nonEmpty, check: nonEmpty, severity })),
      label: (x) =>
        strict(x, {
          column: str,
          classes: arrayOf(scalar),
          minClassFraction: is((f) => num(f) && f >= 0 && f <= 1),
          maxClassFraction: is((f) => num(f) && f >= 0 && f <= 1),
          severity,
        }),
      drift: (x) => strict(x, { numeric: driftSpec, categorical: driftSpec, severity }),
    },
    { extraColumns: 'error' },
  );
  if (out === FAIL) return undefined;
  const parsed = out as Obj;
  // Required keys (strict() treats every key as optional).
  if (parsed.version === undefined || parsed.columns === undefined) return undefined;
  if (parsed.label !== undefined && (parsed.label as Obj).column === undefined) return undefined;
  if ((parsed.unique as Obj[] | undefined)?.some((u) => u.columns === undefined)) return undefined;
  if ((parsed.rules as Obj[] | undefined)?.some((r) => r.name === undefined || r.check === undefined)) return undefined;
  return parsed;
}

/** The csv object with the default missing-value tokens inserted at their place in the key order. */
function withNullMarkers(parsed: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (k === 'skipRows') out.nullMarkers = [...NA_VALUES];
    out[k] = v;
  }
  return out;
}
