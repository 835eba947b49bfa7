import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConfigValue, mergeConfigs, parseConfig, serializeConfig, setConfigValue } from '../../core/formats/config.js';
import { MlpipeError } from '../../errors.js';
import { applyOverrides, overriddenText, parseOverride } from './overrides.js';
import { type QueueEntry, QUEUE_REF_PREFIX, alive, deleteEntry, findTasks, listQueue, logPathOf, readEntry, writeEntry } from './queue-store.js';
import { commitWorkspace, git, headCommit, listExperiments } from './refs.js';
import { localIso } from './show.js';

/**
 * `exp run --queue` and `--run-all`: a queued experiment is a commit of the workspace with its
 * overrides applied (see queue-store.ts). `--run-all -j N` runs up to N of them at once, each in a
 * temporary git worktree of the baseline whose `.dvc/config.local` points the cache at this
 * repository's cache, so outputs land in the one cache and the experiment ref in the one ref store.
 * Each run is a separate `mlpipe exp exec-task` process (its own process group, its output in the
 * task's log), so one failure does not stop the others and `queue kill` can signal it.
 */
export function validateExpName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.endsWith('.lock') || name.includes('..')) {
    throw new MlpipeError('E_USAGE', `invalid experiment name '${name}'`, {
      expected: 'letters, digits, ".", "_" and "-" (a valid git ref component)',
      received: name,
    });
  }
}

export function newExpName(): string {
  return `exp-${randomBytes(3).toString('hex').slice(0, 5)}`;
}

export interface QueueOptions {
  root: string;
  set?: string[];
  name?: string;
}

export function queueExperiment(options: QueueOptions): QueueEntry {
  const { root } = options;
  const baseline = headCommit(root);
  const overrides = (options.set ?? []).map(parseOverride);
  const name = options.name ?? newExpName();
  validateExpName(name);
  if (listExperiments(root, baseline).some((e) => e.name === name) || listQueue(root).some((q) => q.name === name && q.baseline === baseline)) {
    throw new MlpipeError('E_CONFLICT', `an experiment named '${name}' already exists for this commit`, {
      expected: 'a new experiment name',
      received: name,
      hint: `pick another name with -n, or remove it with \`mlpipe exp remove ${name}\``,
    });
  }
  const replace: Record<string, string> = {};
  for (const file of new Set(overrides.map((o) => o.file))) {
    let source = '';
    try {
      source = readFileSync(join(root, file), 'utf8');
    } catch {
      // a params file that does not exist yet is created by the override
    }
    replace[file] = overriddenText(file, source, overrides);
  }
  const id = commitWorkspace(root, baseline, `mlpipe: queued experiment ${name}`, replace);
  git(root, ['update-ref', `${QUEUE_REF_PREFIX}${id}`, id]);
  const entry: QueueEntry = {
    id,
    name,
    baseline,
    stash: id,
    set: options.set ?? [],
    created: localIso(Number(git(root, ['show', '-s', '--format=%ct', id]).trim()) * 1000),
    queuedAt: Date.now(),
    status: 'queued',
    log: logPathOf(id),
  };
  writeEntry(root, entry);
  return entry;
}

export interface RunAllOptions {
  root: string;
  jobs?: number;
  /** Called with each task's log once it has finished, in the order they finish. */
  onDone?: (entry: QueueEntry, log: string) => void;
  signal?: AbortSignal;
}

const CLI = fileURLToPath(new URL('../../../bin/mlpipe.js', import.meta.url));

/** Runs every queued task, at most `jobs` at a time; resolves with the tasks as they ended. */
export async function runQueued(options: RunAllOptions): Promise<QueueEntry[]> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new MlpipeError('E_USAGE', '-j/--jobs must be a positive integer', { received: String(options.jobs) });
  const pending = listQueue(options.root).filter((e) => e.status === 'queued');
  const done: QueueEntry[] = [];
  const runOne = async (entry: QueueEntry): Promise<void> => {
    const code = await spawnTask(options.root, entry);
    let after = readEntry(options.root, entry.id);
    if (after.status === 'queued' || after.status === 'running') {
      // the worker died before it could record its end (killed, crashed)
      after = { ...after, status: 'failed', returncode: code ?? -1 };
      writeEntry(options.root, after);
    }
    done.push(after);
    options.onDone?.(after, readLog(options.root, after));
  };
  const queue = [...pending];
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (options.signal?.aborted) return;
      await runOne(next);
    }
  });
  await Promise.all(workers);
  return done;
}

function spawnTask(root: string, entry: QueueEntry): Promise<number | null> {
  const log = join(root, entry.log);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'w');
  try {
    // detached: its own process group, which `queue kill` signals as a whole
    const child = spawn(process.execPath, [CLI, 'exp', 'exec-task', entry.id], { cwd: root, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, NO_COLOR: '1' } });
    return new Promise((resolve) => {
      child.on('error', () => resolve(-1));
      child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    });
  } finally {
    closeSync(fd);
  }
}

export function readLog(root: string, entry: QueueEntry): string {
  try {
    return readFileSync(join(root, entry.log), 'utf8');
  } catch {
    return '';
  }
}

/**
 * The worker (`mlpipe exp exec-task ID`, started by runQueued): checks the baseline out in a
 * temporary worktree, puts the queued files over it, runs the experiment there and records the end.
 */
export async function execTask(
  root: string,
  id: string,
  run: (wsRoot: string, entry: QueueEntry) => Promise<{ ref: string; commit: string }>,
): Promise<QueueEntry> {
  let entry: QueueEntry = { ...readEntry(root, id), status: 'running', pid: process.pid };
  writeEntry(root, entry);
  const gitRoot = git(root, ['rev-parse', '--show-toplevel']).trim();
  const tmp = mkdtempSync(join(tmpdir(), `mlpipe-exp-${id.slice(0, 7)}-`));
  // the folder's name is the worktree's name in .git/worktrees: one per task, so parallel tasks never race for it
  const ws = join(tmp, `mlpipe-${id.slice(0, 12)}`);
  let added = false;
  try {
    git(root, ['worktree', 'add', '--detach', '--quiet', ws, entry.baseline]);
    added = true;
    git(ws, ['checkout', '--quiet', entry.stash, '--', '.']);
    const wsRoot = join(ws, relative(gitRoot, root));
    writeFileSync(join(wsRoot, '.dvc', 'config.local'), sharedCacheConfig(root));
    // the queued commit already holds the overrides; applying them again keeps the log's wording
    applyOverrides(wsRoot, entry.set.map(parseOverride));
    const result = await run(wsRoot, entry);
    entry = { ...entry, status: 'success', returncode: 0, result: result.ref, resultCommit: result.commit };
  } catch (err) {
    process.stderr.write(`ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
    entry = { ...entry, status: 'failed', returncode: 1 };
  } finally {
    if (added) {
      try {
        git(root, ['worktree', 'remove', '--force', ws]);
      } catch {
        // pruned below
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    try {
      git(root, ['worktree', 'prune']);
    } catch {
      // nothing to prune
    }
  }
  writeEntry(root, entry);
  return entry;
}

/** `.dvc/config.local` of a temporary workspace: this repository's local config, cache dir set to ours. */
function sharedCacheConfig(root: string): string {
  const dvc = join(root, '.dvc');
  const read = (p: string) => (existsSync(p) ? parseConfig(readFileSync(p, 'utf8'), p) : parseConfig('', p));
  const merged = mergeConfigs(read(join(dvc, 'config')), read(join(dvc, 'config.local')));
  const dir = getConfigValue(merged, 'cache', 'dir');
  const local = read(join(dvc, 'config.local'));
  setConfigValue(local, 'cache', 'dir', typeof dir === 'string' ? resolve(dvc, dir) : join(dvc, 'cache'));
  return serializeConfig(local);
}

/** `queue kill`: SIGTERM to the running tasks' process groups; they record themselves as failed. */
export function killTasks(root: string, names: string[]): QueueEntry[] {
  const tasks = findTasks(root, names);
  for (const t of tasks) {
    if (t.status !== 'running' || t.pid === undefined || !alive(t.pid)) {
      throw new MlpipeError('E_CONFLICT', `experiment '${t.name}' is not running (${t.status})`, { received: t.name, hint: 'see `mlpipe queue status`' });
    }
  }
  for (const t of tasks) {
    const pid = t.pid as number;
    // the worker's process group, and every process under it that a stage may have moved to a
    // group of its own (a stage command runs in its own group so that it can be stopped as a whole)
    for (const target of [-pid, ...descendants(pid).map((p) => -p), ...descendants(pid)]) {
      try {
        process.kill(target, 'SIGTERM');
      } catch {
        // already gone, or not a group leader
      }
    }
  }
  return tasks;
}

/** Every process below `pid` (Linux /proc; none elsewhere, where the group signal has to do). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // the command name may hold spaces and parentheses: the ppid is the 2nd field after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(e), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p && !out.includes(child)) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

export interface QueueRemoveOptions {
  root: string;
  names?: string[];
  all?: boolean;
  queued?: boolean;
  success?: boolean;
  failed?: boolean;
}

/** `queue remove`: forgets tasks (not running ones), their queued commit ref and their logs. */
export function removeTasks(options: QueueRemoveOptions): QueueEntry[] {
  const { root } = options;
  const picked = new Map<string, QueueEntry>();
  for (const t of findTasks(root, options.names ?? [])) picked.set(t.id, t);
  for (const t of listQueue(root)) {
    if (options.all || (options.queued && t.status === 'queued') || (options.success && t.status === 'success') || (options.failed && t.status === 'failed')) {
      if (t.status !== 'running') picked.set(t.id, t);
    }
  }
  for (const t of picked.values()) {
    if (t.status === 'running') {
      throw new MlpipeError('E_CONFLICT', `experiment '${t.name}' is running`, { received: t.name, hint: `stop it first with \`mlpipe queue kill ${t.name}\`` });
    }
  }
  for (const t of picked.values()) {
    git(root, ['update-ref', '-d', `${QUEUE_REF_PREFIX}${t.id}`]);
    deleteEntry(root, t.id);
  }
  return [...picked.values()];
}
