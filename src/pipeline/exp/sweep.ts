import { MlpipeError } from '../../errors.js';
import { type Values, readMetrics } from '../metrics.js';
import { revisionReader } from '../revision.js';
import type { PyValue } from '../values.js';
import { parseOverride } from './overrides.js';
import { validateExpName } from './queue.js';
import { headCommit, listExperiments } from './refs.js';

/**
 * The sweep grid: `key=v1,v2;key2=v3,v4` (keys as `-S` takes them, `[file:]key`), expanded to its
 * cartesian product in the order written (the last key varies fastest). The one parser behind
 * `mlpipe exp sweep` and the sweep workflow's matrix. A value holding `,` or `;` can be written as
 * a YAML flow list in brackets: `layers=[8,4],[16,8]`.
 */
export interface SweepPoint {
  name: string;
  /** `-S` arguments, in grid order. */
  set: string[];
  /** The same as one shell-ready string (`-S 'a=1' -S 'b=2'`), for a workflow's run step. */
  args: string;
}

export function expandGrid(grid: string, options: { prefix?: string; max?: number } = {}): SweepPoint[] {
  const prefix = options.prefix ?? 'sweep';
  const bad = (why: string) =>
    new MlpipeError('E_USAGE', `cannot read the sweep grid: ${why}`, {
      expected: 'key=v1,v2;key2=v3,v4 (for example train.lr=0.03,0.1;train.max_depth=4,8)',
      received: grid,
      hint: 'run `mlpipe exp sweep --help`',
    });
  const axes = splitTop(grid, ';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((axis) => {
      const eq = axis.indexOf('=');
      if (eq <= 0) throw bad(`'${axis}' has no key=values`);
      const key = axis.slice(0, eq).trim();
      const values = splitTop(axis.slice(eq + 1), ',').map((v) => v.trim());
      if (values.length === 0 || values.some((v) => v === '')) throw bad(`'${key}' has an empty value`);
      for (const v of values) parseOverride(`${key}=${v}`);
      return { key, values };
    });
  if (axes.length === 0) throw bad('no parameters');
  const keys = axes.map((a) => a.key);
  if (new Set(keys).size !== keys.length) throw bad('a key appears twice');
  let points: string[][] = [[]];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => [...p, `${axis.key}=${v}`]));
  const max = options.max ?? 256;
  if (points.length > max) throw bad(`${points.length} points, more than ${max} (GitHub's matrix limit is 256 jobs)`);
  return points.map((set, i) => {
    const name = `${prefix}-${i + 1}`;
    validateExpName(name);
    return { name, set, args: set.map((s) => `-S ${shellQuote(s)}`).join(' ') };
  });
}

/** Splits on `sep` outside brackets and quotes. */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.:=,/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SweepReportRow {
  name: string;
  set: string[];
  /** The experiment's commit; undefined when the point left no experiment (it failed or never ran). */
  commit?: string;
  value?: PyValue;
}

export interface SweepReport {
  /** The metric as `file:key`. */
  metric: string;
  order: 'asc' | 'desc';
  /** Best first; points without a value last, in grid order. */
  rows: SweepReportRow[];
  best?: string;
}

/**
 * The sweep's results: each grid point's experiment (`<prefix>-<n>` of HEAD) with the chosen metric,
 * sorted, the best one named. What the sweep workflow writes to its job summary.
 */
export function sweepReport(options: { root: string; grid: string; prefix?: string; metric: string; order?: string }): SweepReport {
  const order = options.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new MlpipeError('E_USAGE', `--sort-order must be asc or desc, not '${order}'`, { received: order });
  const points = expandGrid(options.grid, { prefix: options.prefix });
  const head = headCommit(options.root);
  const exps = new Map(listExperiments(options.root, head).map((e) => [e.name, e]));
  let metric: string | undefined;
  const rows: SweepReportRow[] = points.map((p) => {
    const exp = exps.get(p.name);
    if (!exp) return { name: p.name, set: p.set };
    const metrics = readMetrics(options.root, revisionReader(options.root, exp.commit));
    const found = findMetric(metrics, options.metric);
    if (found) metric = found.column;
    return { name: p.name, set: p.set, commit: exp.commit, ...(found ? { value: found.value } : {}) };
  });
  const num = (v: PyValue | undefined) => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : undefined);
  const sign = order === 'desc' ? -1 : 1;
  rows.sort((a, b) => {
    const va = num(a.value);
    const vb = num(b.value);
    if (va === undefined || vb === undefined) return va === undefined ? (vb === undefined ? 0 : 1) : -1;
    return sign * (va - vb);
  });
  if (metric === undefined && rows.some((r) => r.commit)) {
    throw new MlpipeError('E_USAGE', `no experiment of the sweep has the metric '${options.metric}'`, {
      received: options.metric,
      hint: 'name a metric as `mlpipe exp show` prints it, for example accuracy or metrics/eval.json:test.accuracy',
    });
  }
  const best = rows[0]?.value !== undefined ? rows[0].name : undefined;
  return { metric: metric ?? options.metric, order, rows, ...(best ? { best } : {}) };
}

/** `file:key`, or a bare key found in exactly one metrics file. */
function findMetric(metrics: Values, wanted: string): { column: string; value: PyValue } | undefined {
  const hits: Array<{ column: string; value: PyValue }> = [];
  for (const [file, kv] of Object.entries(metrics)) {
    for (const [key, value] of Object.entries(kv)) {
      if (`${file}:${key}` === wanted || key === wanted) hits.push({ column: `${file}:${key}`, value });
    }
  }
  const exact = hits.find((h) => h.column === wanted);
  if (exact) return exact;
  if (hits.length > 1) {
    throw new MlpipeError('E_USAGE', `the metric '${wanted}' is in several files: ${hits.map((h) => h.column).join(', ')}`, { received: wanted, hint: 'name it as file:key' });
  }
  return hits[0];
}
