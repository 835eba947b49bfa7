import { MlpipeError } from '../../errors.js';
import { formatValue } from './metrics.js';
import type { BaselineState, ExpRange, ExpShowData, ExpState } from '../../pipeline/exp/show.js';
import { formatTable } from './table.js';
import { pyStr } from '../../pipeline/values.js';

/**
 * `exp show` as DVC renders it (`dvc:dvc/repo/experiments/show.py:tabulate`,
 * `dvc:dvc/commands/experiments/show.py:show_experiments`): one table of Experiment, rev, typ,
 * Created, parent, State, Executor, then metrics, params and deps columns. A metric or param name
 * used by more than one file (or equal to a fixed header) is prefixed with its file (`file:name`).
 */
export interface ExpTableOptions {
  format: 'table' | 'csv' | 'md';
  onlyChanged?: boolean;
  /** Regexes (Python `re.match`: anchored at the start) of columns to keep from --drop and --only-changed. */
  keep?: string[];
  drop?: string[];
  /** Terminal width for the table; undefined = no limit. */
  width?: number;
  precision?: number;
  /** Today's date as `YYYY-MM-DD` (a time is printed for today's rows, a date otherwise). */
  today?: string;
}

type Kind = 'metrics' | 'params' | 'deps' | 'fixed';

interface Table {
  headers: string[];
  kinds: Kind[];
  rows: string[][];
  typ: string[];
}

const FIXED = ['Experiment', 'rev', 'typ', 'Created', 'parent', 'State', 'Executor'];

/** The metric and param names of every row, per file in first-seen order (DVC's `_collect_names`). */
export function columnNames(data: ExpShowData): { metrics: Map<string, string[]>; params: Map<string, string[]>; deps: string[] } {
  const metrics = new Map<string, string[]>();
  const params = new Map<string, string[]>();
  const deps = new Set<string>();
  const add = (into: Map<string, string[]>, values: ExpState['params']) => {
    for (const [file, kv] of Object.entries(values)) {
      const list = into.get(file) ?? [];
      for (const key of Object.keys(kv)) if (!list.includes(key)) list.push(key);
      into.set(file, list);
    }
  };
  for (const s of allStates(data)) {
    add(metrics, s.metrics);
    add(params, s.params);
    for (const d of Object.keys(s.deps)) deps.add(d);
  }
  return { metrics, params, deps: [...deps].sort() };
}

function allStates(data: ExpShowData): ExpState[] {
  return [data.workspace, ...data.baselines.flatMap((b) => [b.state, ...b.experiments.map((e) => e.exp)])];
}

function buildTable(data: ExpShowData, options: ExpTableOptions): Table {
  const names = columnNames(data);
  const count = new Map<string, number>();
  for (const m of [names.metrics, names.params]) for (const keys of m.values()) for (const k of keys) count.set(k, (count.get(k) ?? 0) + 1);
  for (const h of FIXED) count.set(h, (count.get(h) ?? 0) + 1);
  const header = (file: string, key: string) => (count.get(key) === 1 ? key : `${file}:${key}`);
  const metricCols = [...names.metrics].flatMap(([f, keys]) => keys.map((k) => ({ f, k, h: header(f, k) })));
  const paramCols = [...names.params].flatMap(([f, keys]) => keys.map((k) => ({ f, k, h: header(f, k) })));
  const csv = options.format === 'csv';
  const fill = csv ? '' : '-';
  const fmt = (v: unknown) => {
    if (v === undefined) return fill;
    return csv && options.precision === undefined ? pyStr(v as never) : formatValue(v as never, options.precision ?? 5);
  };
  const time = (t: string | undefined) => (t === undefined ? fill : csv ? t : humanTime(t, options.today));
  const cells = (s: ExpState) => [
    ...metricCols.map((c) => fmt(s.metrics[c.f]?.[c.k])),
    ...paramCols.map((c) => fmt(s.params[c.f]?.[c.k])),
    ...names.deps.map((d) => s.deps[d]?.hash ?? fill),
  ];
  const rows: string[][] = [];
  const typ: string[] = [];
  const ws = data.workspace;
  rows.push(['', 'workspace', 'baseline', fill, '', fill, fill, ...cells(ws)]);
  typ.push('baseline');
  for (const b of data.baselines) {
    rows.push(['', b.state.name ?? b.state.rev.slice(0, 7), 'baseline', time(b.state.timestamp), '', fill, fill, ...cells(b.state)]);
    typ.push('baseline');
    b.experiments.forEach((e, i) => {
      const t = i === b.experiments.length - 1 ? 'branch_base' : 'branch_commit';
      const state = e.executor ? capitalize(e.executor.state) : fill;
      const executor = e.executor ? capitalize(e.executor.name) : fill;
      rows.push([e.name, e.exp.rev.slice(0, 7), t, time(e.exp.timestamp), '', state, executor, ...cells(e.exp)]);
      typ.push(t);
    });
  }
  const headers = [...FIXED, ...metricCols.map((c) => c.h), ...paramCols.map((c) => c.h), ...names.deps];
  const kinds: Kind[] = [...FIXED.map(() => 'fixed' as const), ...metricCols.map(() => 'metrics' as const), ...paramCols.map(() => 'params' as const), ...names.deps.map(() => 'deps' as const)];
  return { headers, kinds, rows, typ };
}

/** Renders `exp show` as a terminal table, CSV or markdown. */
export function renderExpShow(data: ExpShowData, options: ExpTableOptions): string {
  const t = buildTable(data, options);
  const protectedCols = new Set<string>();
  const keep = compile(options.keep, '--keep');
  if (keep) for (const h of t.headers) if (keep.test(h)) protectedCols.add(h);
  const fill = options.format === 'csv' ? '' : '-';
  const dropCol = (name: string) => {
    if (protectedCols.has(name)) return;
    const i = t.headers.indexOf(name);
    if (i < 0) return;
    t.headers.splice(i, 1);
    t.kinds.splice(i, 1);
    for (const r of t.rows) r.splice(i, 1);
  };
  for (const col of ['State', 'Executor']) {
    const i = t.headers.indexOf(col);
    if (t.rows.every((r) => r[i] === fill)) dropCol(col);
  }
  if (options.format !== 'csv') {
    const [ei, ri, ti] = ['Experiment', 'rev', 'typ'].map((h) => t.headers.indexOf(h)) as [number, number, number];
    for (const r of t.rows) {
      const tree = r[ti] === 'branch_commit' ? '├── ' : r[ti] === 'branch_base' ? '└── ' : '';
      r[ei] = r[ti] === 'baseline' || !r[ei] ? tree + (r[ei] || (r[ri] as string)) : `${tree}${r[ri]} [${r[ei]}]`;
    }
    for (const h of ['rev', 'typ', 'parent']) {
      protectedCols.delete(h);
      dropCol(h);
    }
  }
  if (options.onlyChanged) {
    for (const h of [...t.headers]) {
      const i = t.headers.indexOf(h);
      if (t.rows.length > 0 && t.rows.every((r) => r[i] === t.rows[0]?.[i])) dropCol(h);
    }
  }
  const drop = compile(options.drop, '--drop');
  if (drop) for (const h of [...t.headers]) if (drop.test(h)) dropCol(h);
  if (options.format === 'csv') return [t.headers, ...t.rows].map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
  if (options.format === 'md') return `${formatTable(t.headers, t.rows, true)}\n`;
  return richTable(t, options.width);
}

/**
 * DVC's rich table with `borders="horizontals"`: a space at each edge, one space of padding on both
 * sides of a cell, a space between cells, rules of `─` above and below the header and at the end.
 * Metrics are right-aligned. Too wide for the terminal: the widest cells are cut with `…` (never the
 * Experiment column), and when that is not enough the rightmost columns are left out.
 */
function richTable(t: Table, width: number | undefined): string {
  let headers = t.headers;
  let rows = t.rows;
  let kinds = t.kinds;
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const total = (ws: number[]) => ws.reduce((a, w) => a + w + 3, 1);
  let widths = [...natural];
  if (width !== undefined) {
    const min = (i: number) => (i === 0 ? natural[0] as number : Math.min(natural[i] as number, Math.max(4, Math.min((headers[i] as string).length, 8))));
    while (total(widths) > width) {
      let widest = -1;
      for (let i = 1; i < widths.length; i++) if ((widths[i] as number) > min(i) && (widest < 0 || (widths[i] as number) > (widths[widest] as number))) widest = i;
      if (widest < 0) break;
      widths[widest] = (widths[widest] as number) - 1;
    }
    while (total(widths) > width && widths.length > 1) {
      widths = widths.slice(0, -1);
      headers = headers.slice(0, -1);
      kinds = kinds.slice(0, -1);
      rows = rows.map((r) => r.slice(0, -1));
    }
  }
  const cut = (s: string, w: number) => ([...s].length <= w ? s : `${[...s].slice(0, Math.max(0, w - 1)).join('')}…`);
  const line = (cells: string[]) =>
    ` ${cells
      .map((c, i) => {
        const w = widths[i] as number;
        const text = cut(c, w);
        return ` ${kinds[i] === 'metrics' ? text.padStart(w) : text.padEnd(w)} `;
      })
      .join(' ')} `;
  const rule = ` ${'─'.repeat(total(widths) - 2)} `;
  return [rule, line(headers), rule, ...rows.map(line), rule].join('\n');
}

function compile(patterns: string[] | undefined, flag: string): RegExp | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  try {
    return new RegExp(`^(?:${patterns.join('|')})`);
  } catch (err) {
    throw new MlpipeError('E_USAGE', `${flag}: not a valid regular expression`, { received: patterns.join(' '), hint: 'quote the pattern, for example --drop "train\\..*"', cause: err });
  }
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** DVC's `format_time`: `%I:%M %p` for today, `%b %d, %Y` otherwise. */
export function humanTime(iso: string, today?: string): string {
  const [date = '', clock = ''] = iso.split('T');
  const [y, m, d] = date.split('-');
  if (date === (today ?? localToday())) {
    const [hh = '0', mm = '00'] = clock.split(':');
    const h = Number(hh);
    return `${String(h % 12 === 0 ? 12 : h % 12).padStart(2, '0')}:${mm} ${h < 12 ? 'AM' : 'PM'}`;
  }
  return `${MONTHS[Number(m) - 1]} ${d}, ${y}`;
}

function localToday(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** DVC's `dumpd` of `exp show --json`: nested params and metrics, deps and outs from dvc.lock. */
export function expShowJson(data: ExpShowData): unknown[] {
  const state = (s: ExpState) => ({
    rev: s.rev,
    timestamp: s.timestamp ?? null,
    params: files(s.params),
    metrics: files(s.metrics),
    deps: s.deps,
    outs: s.outs,
    meta: {},
  });
  const range = (e: ExpRange) => ({
    revs: [{ rev: e.exp.rev, name: e.name, data: state(e.exp), error: null, experiments: null }],
    executor: e.executor ?? null,
    name: e.name,
  });
  const baseline = (b: BaselineState) => ({ rev: b.state.rev, name: b.state.name ?? null, data: state(b.state), error: null, experiments: b.experiments.map(range) });
  return [{ rev: 'workspace', name: null, data: state(data.workspace), error: null, experiments: null }, ...data.baselines.map(baseline)];
}

function files(values: ExpState['params']): Record<string, { data: Record<string, unknown> }> {
  const out: Record<string, { data: Record<string, unknown> }> = {};
  for (const [file, kv] of Object.entries(values)) out[file] = { data: unflatten(kv) };
  return out;
}

function unflatten(kv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kv)) {
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}
