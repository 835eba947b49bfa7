import { compareCodePoints } from '../core/hash/manifest.js';
import { flatten } from './interpolate.js';
import { loadLock, loadPipeline, readOutput } from './load.js';
import { trackedValues } from './params.js';
import { type TreeReader, readerFor } from './revision.js';
import type { Pipeline } from './stage.js';
import { type PyDict, type PyValue, isPyDict, pyEquals, pySubtract } from './values.js';
import { parseStructured } from './yaml-read.js';

/**
 * `metrics show`, `metrics diff` and `params diff` as DVC computes them
 * (../shared/docs/dvc-format.md §5.6, `dvc:dvc/compare.py`, `dvc:dvc/utils/diff.py`).
 */
export type Values = Record<string, Record<string, PyValue>>; // file -> flattened key -> value

/** Metrics files: `metrics:` outputs of stages plus the top-level `metrics:` list. */
export function metricFiles(pipeline: Pipeline): string[] {
  const files = [...pipeline.stages.flatMap((s) => s.outs.filter((o) => o.kind === 'metric').map((o) => o.path)), ...pipeline.metrics];
  return [...new Set(files)];
}

/** Reads every metrics file at a revision; keeps numbers, strings and booleans, flattening dicts. */
export function readMetrics(root: string, reader: TreeReader): Values {
  const pipeline = loadPipeline(reader);
  const lock = loadLock(reader);
  const out: Values = {};
  for (const file of metricFiles(pipeline)) {
    const text = readOutput(root, reader, lock, file);
    if (text === undefined) continue;
    const data = parseStructured(text, file);
    if (isPyDict(data)) out[file] = flatten(extractMetrics(data));
  }
  return out;
}

function extractMetrics(data: PyDict): PyDict {
  const out: PyDict = {};
  for (const [k, v] of Object.entries(data)) {
    if (isPyDict(v)) out[k] = extractMetrics(v);
    else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/**
 * Params DVC shows: the whole root params.yaml when it exists, each stage's params files (whole or
 * tracked keys), and the top-level `params:` files; flattened with `.`.
 */
export function readParams(reader: TreeReader): Values {
  const pipeline = loadPipeline(reader);
  const picked = new Map<string, Set<string> | 'all'>();
  const want = (file: string, keys: string[] | 'all') => {
    const prev = picked.get(file);
    if (prev === 'all' || keys === 'all') picked.set(file, 'all');
    else picked.set(file, new Set([...(prev ?? []), ...keys]));
  };
  if (reader.read('params.yaml') !== undefined) want('params.yaml', 'all');
  for (const stage of pipeline.stages) for (const p of stage.params) want(p.path, p.keys);
  for (const file of pipeline.params) want(file, 'all');
  const out: Values = {};
  for (const [file, keys] of picked) {
    const text = reader.read(file);
    if (text === undefined) continue;
    const data = parseStructured(text, file);
    if (!isPyDict(data)) continue;
    const values = keys === 'all' ? data : trackedValues({ defPath: file, path: file, keys: [...keys] }, data);
    out[file] = flatten(nest(values));
  }
  return out;
}

/** Tracked key paths ("train.lr") become nested dicts again so flattening gives one key per leaf. */
function nest(values: PyDict): PyDict {
  const out: PyDict = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let node = out;
    parts.slice(0, -1).forEach((p) => {
      if (!isPyDict(node[p])) node[p] = {};
      node = node[p] as PyDict;
    });
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

export interface DiffEntry {
  old: PyValue | undefined;
  new: PyValue | undefined;
  diff?: bigint | number;
}
export type Diff = Record<string, Record<string, DiffEntry>>;

/** `_diff`: keys of both sides, only changed ones unless `all`; `diff = new - old` for numbers. */
export function diffValues(oldValues: Values, newValues: Values, options: { all?: boolean; withChange?: boolean } = {}): Diff {
  const out: Diff = {};
  const files = [...new Set([...Object.keys(oldValues), ...Object.keys(newValues)])].sort(compareCodePoints);
  for (const file of files) {
    const a = oldValues[file] ?? {};
    const b = newValues[file] ?? {};
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareCodePoints);
    for (const key of keys) {
      const old = a[key];
      const neu = b[key];
      const same = old !== undefined && neu !== undefined && pyEquals(old, neu);
      if (same && !options.all) continue;
      const entry: DiffEntry = { old, new: neu };
      if (options.withChange && old !== undefined && neu !== undefined && typeof old !== 'boolean' && typeof neu !== 'boolean') {
        const d = pySubtract(neu, old);
        if (d !== undefined) entry.diff = d;
      }
      out[file] = { ...out[file], [key]: entry };
    }
  }
  return out;
}

export interface MetricsShowOptions {
  root: string;
  /** Revisions to show; the workspace when empty. */
  revs?: string[];
}

export interface MetricsShowResult {
  /** revision label -> file -> key -> value (DVC's `--json` shape, flattened). */
  revisions: Record<string, Values>;
}

export function metricsShow(options: MetricsShowOptions): MetricsShowResult {
  const revs = options.revs && options.revs.length > 0 ? options.revs : ['workspace'];
  const revisions: Record<string, Values> = {};
  for (const rev of revs) {
    const reader = readerFor(options.root, rev);
    revisions[reader.label] = readMetrics(options.root, reader);
  }
  return { revisions };
}

export interface DiffOptions {
  root: string;
  /** Old revision (default HEAD) and new one (default the workspace). */
  a?: string;
  b?: string;
  all?: boolean;
}

export interface DiffResult {
  a: string;
  b: string;
  diff: Diff;
}

export function metricsDiff(options: DiffOptions): DiffResult {
  const ra = readerFor(options.root, options.a ?? 'HEAD');
  const rb = readerFor(options.root, options.b);
  const diff = diffValues(readMetrics(options.root, ra), readMetrics(options.root, rb), { all: options.all, withChange: true });
  return { a: ra.label, b: rb.label, diff };
}

export function paramsDiff(options: DiffOptions): DiffResult {
  const ra = readerFor(options.root, options.a ?? 'HEAD');
  const rb = readerFor(options.root, options.b);
  return { a: ra.label, b: rb.label, diff: diffValues(readParams(ra), readParams(rb), { all: options.all }) };
}
