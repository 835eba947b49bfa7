import { MlpipeError } from '../../errors.js';
import { loadLock, loadPipeline } from '../load.js';
import { type Values, readMetrics, readParams } from '../metrics.js';
import { type TreeReader, revisionReader, workspaceReader } from '../revision.js';
import { type QueueEntry, listQueue } from './queue-store.js';
import { type ExpRef, git, listExperiments } from './refs.js';

/**
 * The data of `exp show` as DVC collects it (`dvc:dvc/repo/experiments/collect.py`,
 * `show.py:tabulate`): the workspace, then each baseline commit with its experiments (refs under
 * refs/exps, newest first, then queued and running entries). Rendering lives in
 * src/cli/render/exp-show.ts; this module only returns data.
 */
export interface ExpExecutor {
  state: 'queued' | 'running' | 'success' | 'failed';
  name: string;
  local: { root: null; log: string; pid: number | null; returncode: number | null; task_id: string };
}

export interface ExpState {
  /** A full commit sha, 'workspace', or a queue task id. */
  rev: string;
  /** Branch name of a baseline, experiment name, or undefined (workspace, detached baseline). */
  name?: string;
  /** Local time without zone, as DVC prints it (`2024-01-01T00:50:00`); undefined for the workspace. */
  timestamp?: string;
  params: Values;
  metrics: Values;
  deps: Record<string, { hash: string | null; size: number | null; nfiles: number | null }>;
  outs: Record<string, { hash: string | null; size: number | null; nfiles: number | null; use_cache: boolean; is_data_source: boolean }>;
}

export interface ExpRange {
  name: string;
  exp: ExpState;
  executor?: ExpExecutor;
}

export interface BaselineState {
  state: ExpState;
  experiments: ExpRange[];
}

export interface ExpShowData {
  workspace: ExpState;
  baselines: BaselineState[];
}

export interface ExpShowOptions {
  root: string;
  /** Baselines: HEAD and the N-1 commits before it (`-n`). */
  num?: number;
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  hideQueued?: boolean;
  hideFailed?: boolean;
  /** Reads a commit's files (default: `git show` per file); the dashboard passes a batched reader. */
  reader?: (sha: string) => TreeReader;
  /** A commit's time (default: `git show -s` per commit); the dashboard passes a batched lookup. */
  timestamp?: (sha: string) => string | undefined;
}

export function collectExperiments(options: ExpShowOptions): ExpShowData {
  const { root } = options;
  const num = options.num ?? 1;
  if (!Number.isInteger(num) || num < 1) {
    throw new MlpipeError('E_USAGE', '-n/--num must be a positive integer', { received: String(options.num) });
  }
  const baselines = baselineRevs(root, options);
  const exps = listExperiments(root);
  const queue = listQueue(root);
  const workspace = readState(root, workspaceReader(root), 'workspace');
  const names = branchNames(root);
  const readRev = options.reader ?? ((sha: string) => revisionReader(root, sha));
  const timeOf = (sha: string) => options.timestamp?.(sha) ?? commitTimestamp(root, sha);
  const out: BaselineState[] = [];
  for (const sha of baselines) {
    const state = readState(root, readRev(sha), sha, names.get(sha), timeOf(sha));
    const own = exps.filter((e) => e.baseline === sha);
    // newest first; equal times keep ref-name order (a stable sort, as DVC's)
    const ranges: ExpRange[] = own
      .map((e) => ({ e, t: timeOf(e.commit) }))
      .sort((a, b) => (a.t < b.t ? 1 : a.t > b.t ? -1 : 0))
      .map(({ e, t }) => expRange(root, readRev(e.commit), e, t, queue));
    const pending = queue
      .filter((q) => q.baseline === sha && (q.status === 'queued' || q.status === 'running' || (q.status === 'failed' && !options.hideFailed)))
      .filter((q) => !(options.hideQueued && q.status === 'queued'))
      .sort((a, b) => b.queuedAt - a.queuedAt);
    for (const q of pending) {
      const reader = revisionReader(root, q.stash);
      const exp = readState(root, reader, q.id, q.name, q.created, { metrics: false });
      ranges.push({ name: q.name, exp, executor: executorOf(root, q) });
    }
    out.push({ state, experiments: ranges });
  }
  return { workspace, baselines: out };
}

function expRange(root: string, reader: TreeReader, e: ExpRef, timestamp: string, queue: QueueEntry[]): ExpRange {
  const exp = readState(root, reader, e.commit, e.name, timestamp);
  const task = queue.find((q) => q.result === e.ref && q.resultCommit === e.commit);
  return { name: e.name, exp, ...(task ? { executor: executorOf(root, task) } : {}) };
}

/** DVC names its queue executor `dvc-task` (`exp show` prints it as `Dvc-task`); kept for parity. */
function executorOf(root: string, q: QueueEntry): ExpExecutor {
  return {
    state: q.status,
    name: 'dvc-task',
    local: { root: null, log: q.log.startsWith('/') ? q.log : `${root}/${q.log}`, pid: q.pid ?? null, returncode: q.returncode ?? null, task_id: q.id },
  };
}

function readState(root: string, reader: TreeReader, rev: string, name?: string, timestamp?: string, opts: { metrics?: boolean } = {}): ExpState {
  const lock = loadLock(reader);
  // metrics and plots files are not outs of an experiment (DVC lists `out`s only)
  const notOuts = new Set(loadPipeline(reader).stages.flatMap((s) => s.outs.filter((o) => o.kind !== 'out').map((o) => o.path)));
  const deps: ExpState['deps'] = {};
  const outs: ExpState['outs'] = {};
  for (const stage of lock.stages.values()) {
    for (const d of stage.deps) deps[d.path] = { hash: d.md5 ?? null, size: d.size ?? null, nfiles: d.nfiles ?? null };
    for (const o of stage.outs) if (!notOuts.has(o.path)) outs[o.path] = { hash: o.md5 ?? null, size: o.size ?? null, nfiles: o.nfiles ?? null, use_cache: true, is_data_source: false };
  }
  return {
    rev,
    ...(name !== undefined ? { name } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
    params: readParams(reader),
    metrics: opts.metrics === false ? {} : readMetrics(root, reader),
    deps,
    outs,
  };
}

function baselineRevs(root: string, options: ExpShowOptions): string[] {
  const revs: string[] = git(root, ['rev-list', '-n', String(options.num ?? 1), 'HEAD']).trim().split('\n').filter(Boolean);
  const more = (args: string[]) => git(root, args).trim().split('\n').filter(Boolean);
  if (options.allBranches) revs.push(...more(['for-each-ref', '--format=%(objectname)', 'refs/heads']));
  if (options.allTags) revs.push(...more(['for-each-ref', '--format=%(*objectname)%(objectname)', 'refs/tags']).map((l) => l.slice(0, 40)));
  if (options.allCommits) revs.push(...more(['rev-list', '--all', '--exclude=refs/exps/*', '--exclude=refs/mlpipe/*']));
  return [...new Set(revs)];
}

/** Branch names by commit (the checked-out branch wins), as DVC names baselines. */
function branchNames(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const current = git(root, ['rev-parse', '--abbrev-ref', 'HEAD']).trim();
  for (const line of git(root, ['for-each-ref', '--format=%(objectname) %(refname:short)', 'refs/heads']).trim().split('\n').filter(Boolean)) {
    const [sha = '', name = ''] = line.split(' ');
    if (!out.has(sha) || name === current) out.set(sha, name);
  }
  return out;
}

/** Commit time as a local, zone-less ISO string (Python's `datetime.fromtimestamp().isoformat()`). */
export function commitTimestamp(root: string, rev: string): string {
  return localIso(Number(git(root, ['show', '-s', '--format=%ct', rev]).trim()) * 1000);
}

export function localIso(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}


/**
 * `--sort-by [file:]name` as DVC resolves it (`show.py:_sort_column`): an exact `file:name` of a
 * metric or param, else a bare name found in exactly one file. Unknown or ambiguous names are
 * usage errors (DVC raises InvalidArgumentError). Sorting is within each baseline; a missing value
 * sorts after present ones in either order (equal values keep their order).
 */
export function sortExperiments(data: ExpShowData, sortBy: string, order: string): void {
  if (order !== 'asc' && order !== 'desc') {
    throw new MlpipeError('E_USAGE', `--sort-order must be asc or desc, not '${order}'`, { expected: 'asc or desc', received: order });
  }
  const names = { metrics: new Map<string, Set<string>>(), params: new Map<string, Set<string>>() };
  const states = [data.workspace, ...data.baselines.flatMap((b) => [b.state, ...b.experiments.map((e) => e.exp)])];
  for (const s of states) {
    for (const typ of ['metrics', 'params'] as const) {
      for (const [file, kv] of Object.entries(s[typ])) {
        const set = names[typ].get(file) ?? new Set<string>();
        for (const k of Object.keys(kv)) set.add(k);
        names[typ].set(file, set);
      }
    }
  }
  const matches = new Map<string, { typ: 'metrics' | 'params'; file: string; key: string }>();
  const parts = sortBy.split(':');
  for (let i = 1; i < parts.length; i++) {
    const file = parts.slice(0, i).join(':');
    const key = parts.slice(i).join(':');
    for (const typ of ['metrics', 'params'] as const) if (names[typ].get(file)?.has(key)) matches.set(`${typ}:${file}:${key}`, { typ, file, key });
  }
  if (matches.size === 0) {
    for (const typ of ['metrics', 'params'] as const) {
      for (const [file, keys] of names[typ]) if (keys.has(sortBy)) matches.set(`${typ}:${file}:${sortBy}`, { typ, file, key: sortBy });
    }
  }
  if (matches.size !== 1) {
    const known = [...names.metrics, ...names.params].flatMap(([f, ks]) => [...ks].map((k) => `${f}:${k}`));
    throw new MlpipeError('E_USAGE', matches.size === 0 ? `Unknown sort column '${sortBy}'` : `Ambiguous sort column '${sortBy}' matched '${[...matches.values()].map((m) => `${m.file}:${m.key}`).join(', ')}'`, {
      expected: `a metric or param: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`,
      received: sortBy,
      hint: matches.size === 0 ? 'see the column names with `mlpipe exp show`' : 'name the file too: --sort-by file:name',
    });
  }
  const m = [...matches.values()][0] as { typ: 'metrics' | 'params'; file: string; key: string };
  const value = (e: ExpRange) => e.exp[m.typ][m.file]?.[m.key];
  const cmp = (a: ExpRange, b: ExpRange) => {
    const va = value(a);
    const vb = value(b);
    if (va === undefined || vb === undefined) return va === undefined ? (vb === undefined ? 0 : 1) : -1;
    const na = typeof va === 'number' || typeof va === 'bigint' ? Number(va) : undefined;
    const nb = typeof vb === 'number' || typeof vb === 'bigint' ? Number(vb) : undefined;
    if (na !== undefined && nb !== undefined) return na - nb;
    const sa = String(va);
    const sb = String(vb);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  };
  const sign = order === 'desc' ? -1 : 1;
  for (const b of data.baselines) {
    b.experiments.sort((x, y) => (value(x) === undefined || value(y) === undefined ? cmp(x, y) : sign * cmp(x, y)));
  }
}
