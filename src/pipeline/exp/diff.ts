import { MlpipeError } from '../../errors.js';
import { type DiffResult, diffValues, readMetrics, readParams } from '../metrics.js';
import { type TreeReader, revisionReader, workspaceReader } from '../revision.js';
import { removeTasks } from './queue.js';
import { listQueue } from './queue-store.js';
import { type ExpRef, headCommit, listExperiments, removeExperiments } from './refs.js';

/**
 * `exp diff [A] [B]`: metrics and params of two experiments or revisions (default HEAD and the
 * workspace). A side is an experiment name (of any baseline), a git revision, or `workspace`.
 */
export function expDiff(options: { root: string; a?: string; b?: string; all?: boolean }): { metrics: DiffResult; params: DiffResult } {
  const ra = sideReader(options.root, options.a ?? 'HEAD');
  const rb = sideReader(options.root, options.b ?? 'workspace');
  return {
    metrics: { a: ra.label, b: rb.label, diff: diffValues(readMetrics(options.root, ra), readMetrics(options.root, rb), { all: options.all, withChange: true }) },
    params: { a: ra.label, b: rb.label, diff: diffValues(readParams(ra), readParams(rb), { all: options.all, withChange: true }) },
  };
}

function sideReader(root: string, side: string): TreeReader {
  if (side === 'workspace') return workspaceReader(root);
  const named = listExperiments(root).filter((e) => e.name === side);
  if (named.length > 1) {
    // the experiment of HEAD wins, as DVC resolves names against the current baseline first
    const head = headCommit(root);
    const own = named.filter((e) => e.baseline === head);
    if (own.length !== 1) throw new MlpipeError('E_CONFLICT', `'${side}' names ${named.length} experiments of different baselines`, { received: side, hint: 'use the commit sha from `mlpipe exp list -A`' });
    named.splice(0, named.length, own[0] as ExpRef);
  }
  const exp = named[0];
  if (exp) return { ...revisionReader(root, exp.commit), label: side };
  return revisionReader(root, side);
}

/**
 * `exp remove NAME...|--all-commits|--queue`: deletes experiment refs and queued tasks. A name that
 * is neither an experiment nor a queued task fails before anything is removed.
 */
export function expRemove(options: { root: string; names?: string[]; allCommits?: boolean; queue?: boolean }): string[] {
  const { root } = options;
  const exps = listExperiments(root);
  const queue = listQueue(root);
  const head = headCommit(root);
  const refs: ExpRef[] = [];
  const tasks: string[] = [];
  for (const name of options.names ?? []) {
    const hits = exps.filter((e) => e.name === name || e.commit.startsWith(name));
    const own = hits.filter((e) => e.baseline === head);
    const pick = own.length > 0 ? own : hits;
    const task = queue.find((q) => q.name === name || q.id.startsWith(name));
    if (pick.length === 0 && !task) {
      throw new MlpipeError('E_NOT_FOUND', `no experiment named '${name}'`, { received: name, hint: 'list experiments with `mlpipe exp list -A --name-only`' });
    }
    refs.push(...pick);
    if (task && pick.length === 0) tasks.push(task.id);
  }
  if (options.allCommits) refs.push(...exps);
  if (options.queue) tasks.push(...queue.filter((q) => q.status === 'queued').map((q) => q.id));
  const unique = [...new Map(refs.map((r) => [r.ref, r])).values()];
  removeExperiments(root, unique);
  const removedTasks = tasks.length > 0 ? removeTasks({ root, names: [...new Set(tasks)] }) : [];
  return [...unique.map((e) => e.name), ...removedTasks.map((t) => t.name)];
}
