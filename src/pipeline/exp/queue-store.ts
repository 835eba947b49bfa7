import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/fs/atomic.js';
import { MlpipeError } from '../../errors.js';

/**
 * mlpipe's experiment queue storage. DVC keeps queued experiments as stash commits
 * (refs/exps/celery/stash) that embed a pickled `repro.dat` for its Celery workers; mlpipe cannot
 * write pickles DVC would read, so a queued experiment here is:
 * - a commit of the workspace with the `-S` overrides applied, parented on the baseline and kept
 *   alive by `refs/mlpipe/queue/<id>` (outside refs/exps, so DVC never mistakes it for an
 *   experiment); its sha is the task id, as DVC's task id is its stash commit;
 * - one JSON file per task under `.dvc/tmp/mlpipe-queue/<id>.json` (status, pid, exit code, result ref);
 * - the log at `.dvc/tmp/exps/run/<id>/<id>.out`, where DVC keeps its own.
 */
export type QueueStatus = 'queued' | 'running' | 'success' | 'failed';

export interface QueueEntry {
  /** Task id: the sha of the queued workspace commit. */
  id: string;
  name: string;
  baseline: string;
  /** The commit to run (the same sha as id). */
  stash: string;
  /** The `-S` overrides as typed. */
  set: string[];
  /** Queue time, local and zone-less as DVC prints it. */
  created: string;
  /** Milliseconds since the epoch when queued: the queue's order (created has whole seconds). */
  queuedAt: number;
  status: QueueStatus;
  /** Log file, repo-relative. */
  log: string;
  pid?: number;
  returncode?: number;
  /** The experiment ref written by a successful run, and its commit. */
  result?: string;
  resultCommit?: string;
}

export const QUEUE_REF_PREFIX = 'refs/mlpipe/queue/';

function queueDir(root: string): string {
  return join(root, '.dvc', 'tmp', 'mlpipe-queue');
}

export function logPathOf(id: string): string {
  return `.dvc/tmp/exps/run/${id}/${id}.out`;
}

/** Every task, oldest first (queue order). A running task whose process is gone counts as failed. */
export function listQueue(root: string): QueueEntry[] {
  let files: string[];
  try {
    files = readdirSync(queueDir(root)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const entries = files.map((f) => JSON.parse(readFileSync(join(queueDir(root), f), 'utf8')) as QueueEntry);
  for (const e of entries) {
    if (e.status === 'running' && e.pid !== undefined && !alive(e.pid)) e.status = 'failed';
  }
  return entries.sort((a, b) => a.queuedAt - b.queuedAt);
}

export function writeEntry(root: string, entry: QueueEntry): void {
  mkdirSync(queueDir(root), { recursive: true });
  writeFileAtomic(join(queueDir(root), `${entry.id}.json`), `${JSON.stringify(entry, null, 2)}\n`);
}

export function readEntry(root: string, id: string): QueueEntry {
  try {
    return JSON.parse(readFileSync(join(queueDir(root), `${id}.json`), 'utf8')) as QueueEntry;
  } catch (err) {
    throw new MlpipeError('E_NOT_FOUND', `no queued experiment with task id ${id}`, { received: id, hint: 'list the queue with `mlpipe queue status`', cause: err });
  }
}

export function deleteEntry(root: string, id: string): void {
  rmSync(join(queueDir(root), `${id}.json`), { force: true });
  rmSync(join(root, '.dvc', 'tmp', 'exps', 'run', id), { recursive: true, force: true });
}

/** The tasks a name, task id or id prefix refers to. */
export function findTasks(root: string, names: string[]): QueueEntry[] {
  const all = listQueue(root);
  return names.map((n) => {
    const hits = all.filter((e) => e.name === n || e.id === n || (n.length >= 4 && e.id.startsWith(n)));
    if (hits.length !== 1) {
      throw new MlpipeError(hits.length === 0 ? 'E_NOT_FOUND' : 'E_CONFLICT', hits.length === 0 ? `no queued experiment named '${n}'` : `'${n}' names ${hits.length} queued experiments`, {
        expected: 'the name or task id of one queued experiment',
        received: n,
        hint: 'list the queue with `mlpipe queue status`',
      });
    }
    return hits[0] as QueueEntry;
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
