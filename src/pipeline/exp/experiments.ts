import { compareCodePoints } from '../../core/hash/manifest.js';
import { randomBytes } from 'node:crypto';
import { MlpipeError } from '../../errors.js';
import type { DataOps } from '../data-ops.js';
import { type Values, readMetrics, readParams } from '../metrics.js';
import { type ReproOptions, type ReproResult, repro } from '../repro.js';
import { revisionReader, workspaceReader } from '../revision.js';
import { type PyValue, pyEquals } from '../values.js';
import { applyOverrides, parseOverride } from './overrides.js';
import { type ExpRef, findExperiment, git, headCommit, listExperiments, saveExperiment } from './refs.js';

export interface ExpRunOptions extends Omit<ReproOptions, 'dry'> {
  /** `[file:]key=value` overrides. */
  set?: string[];
  /** Experiment name (default `exp-` + 5 random hex digits). */
  name?: string;
}

export interface ExpRunResult extends ReproResult {
  experiment: ExpRef;
  params: Values;
  metrics: Values;
}

/**
 * `mlpipe exp run`: applies the overrides to the workspace params, reproduces the pipeline, and
 * records the resulting workspace (params, dvc.lock, metrics) as an experiment commit.
 */
export async function expRun(options: ExpRunOptions): Promise<ExpRunResult> {
  const root = options.ops.root;
  headCommit(root); // fail early outside git
  const overrides = (options.set ?? []).map(parseOverride);
  const name = options.name ?? `exp-${randomBytes(3).toString('hex').slice(0, 5)}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new MlpipeError('E_USAGE', `invalid experiment name '${name}'`, {
      expected: 'letters, digits, ".", "_" and "-" (a valid git ref component)',
      received: name,
    });
  }
  if (overrides.length > 0) applyOverrides(root, overrides);
  const result = await repro(options);
  const reader = workspaceReader(root);
  const params = readParams(reader);
  const metrics = readMetrics(root, reader);
  const setText = overrides.map((o) => `${o.file === 'params.yaml' ? '' : `${o.file}:`}${o.key}=${o.text}`).join(' ');
  const experiment = saveExperiment(root, name, `mlpipe exp run ${name}${setText ? ` -S ${setText}` : ''}`);
  return { ...result, experiment, params, metrics };
}

export interface ExpRow {
  name: string;
  /** 'workspace', 'baseline' or 'experiment'. */
  kind: 'workspace' | 'baseline' | 'experiment';
  rev: string;
  created?: string;
  params: Values;
  metrics: Values;
}

export interface ExpShowOptions {
  root: string;
  /** Every baseline's experiments, not only HEAD's. */
  all?: boolean;
  /** A `file:key` or `key` column to sort experiments by. */
  sortBy?: string;
  sortOrder?: 'asc' | 'desc';
}

/** `mlpipe exp show`: workspace, baseline and experiment rows with their params and metrics. */
export function expShow(options: ExpShowOptions): { rows: ExpRow[]; columns: { metrics: string[]; params: string[] } } {
  const { root } = options;
  const head = headCommit(root);
  const ws = workspaceReader(root);
  const headReader = revisionReader(root, head);
  const rows: ExpRow[] = [
    { name: 'workspace', kind: 'workspace', rev: 'workspace', params: readParams(ws), metrics: readMetrics(root, ws) },
    { name: git(root, ['rev-parse', '--abbrev-ref', 'HEAD']).trim(), kind: 'baseline', rev: head.slice(0, 7), params: readParams(headReader), metrics: readMetrics(root, headReader) },
  ];
  const exps = listExperiments(root, options.all ? undefined : head).map((e): ExpRow => {
    const reader = revisionReader(root, e.commit);
    return { name: e.name, kind: 'experiment', rev: e.commit.slice(0, 7), created: e.created, params: readParams(reader), metrics: readMetrics(root, reader) };
  });
  if (options.sortBy) exps.sort(sorter(options.sortBy, options.sortOrder ?? 'asc'));
  else exps.sort((a, b) => compareCodePoints(a.created ?? '', b.created ?? ''));
  rows.push(...exps);
  const columns = (pick: (r: ExpRow) => Values) =>
    [...new Set(rows.flatMap((r) => Object.entries(pick(r)).flatMap(([f, v]) => Object.keys(v).map((k) => `${f}:${k}`))))].sort(compareCodePoints);
  return { rows, columns: { metrics: columns((r) => r.metrics), params: columns((r) => r.params) } };
}

/** The value of a `file:key` (or bare `key`, searched in every file) column. */
export function cellValue(values: Values, column: string): PyValue | undefined {
  const i = column.lastIndexOf(':');
  if (i > 0 && values[column.slice(0, i)] !== undefined) return values[column.slice(0, i)]?.[column.slice(i + 1)];
  for (const file of Object.values(values)) if (column in file) return file[column];
  return undefined;
}

function sorter(column: string, order: 'asc' | 'desc') {
  const value = (r: ExpRow) => cellValue(r.metrics, column) ?? cellValue(r.params, column);
  return (a: ExpRow, b: ExpRow) => {
    const va = value(a);
    const vb = value(b);
    if (va === undefined || vb === undefined) return va === undefined ? (vb === undefined ? 0 : 1) : -1; // missing last
    const cmp = pyEquals(va, vb) ? 0 : compareValues(va, vb);
    return order === 'asc' ? cmp : -cmp;
  };
}

function compareValues(a: PyValue, b: PyValue): number {
  const na = typeof a === 'bigint' || typeof a === 'number' ? Number(a) : undefined;
  const nb = typeof b === 'bigint' || typeof b === 'number' ? Number(b) : undefined;
  if (na !== undefined && nb !== undefined) return na - nb;
  return compareCodePoints(String(a), String(b));
}

/**
 * `mlpipe exp apply`: puts the experiment's files (params, dvc.lock, code) into the workspace
 * without moving HEAD, then checks its outputs out of the cache.
 */
export async function expApply(options: { ops: DataOps; name: string }): Promise<ExpRef> {
  const root = options.ops.root;
  const exp = findExperiment(root, options.name);
  options.ops.lock();
  try {
    git(root, ['restore', `--source=${exp.commit}`, '--worktree', '--', '.']);
    await options.ops.checkout();
  } finally {
    options.ops.unlock();
  }
  return exp;
}
