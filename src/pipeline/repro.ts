import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MlpipeError } from '../errors.js';
import { unknownStage } from './dag.js';
import { type DataOps, memoizeHashes } from './data-ops.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { buildGraph, topoOrder } from './graph.js';
import { checkDepsNotOutputs, checkTrackedOverlaps } from './overlaps.js';
import { DVC_LOCK, loadLock, loadPipeline } from './load.js';
import { type LockFile, type LockItem, type LockStage, makeLockStage, serializeLock } from './lockfile.js';
import { observeStage, paramsFiles, readParamsFile } from './observe.js';
import { trackedValues } from './params.js';
import { type StatusReason, stageStatus } from './plan.js';
import { workspaceReader } from './revision.js';
import { RunCache, canRunCache, runKey } from './run-cache.js';
import { runCommand } from './run-command.js';
import { type Stage, commandLines } from './stage.js';
import type { PyDict } from './values.js';

/**
 * `mlpipe repro` as DVC's `reproduce` (../shared/docs/dvc-format.md §5.3, §5.4): stages in
 * dependency order; unchanged ones skipped; a changed one has its non-persistent outputs deleted,
 * its command lines run under the shell, its deps hashed and outputs committed, and only then its
 * dvc.lock entry written (atomically). The repo lock is held except while commands run (§5.4).
 */
export interface ReproOptions {
  ops: DataOps;
  /** Stage names; every stage of dvc.yaml when empty. */
  targets?: string[];
  /** Run even unchanged stages. */
  force?: boolean;
  /** Only the targets, not their upstream (`-s`). */
  single?: boolean;
  /** Print what would run without running it. */
  dry?: boolean;
  /** On a failure, go on with stages that do not depend on the failed one. */
  keepGoing?: boolean;
  stdoutToStderr?: boolean;
  /** Neither look stages up in the run-cache nor record runs (`--no-run-cache`). */
  noRunCache?: boolean;
  /**
   * `--pull`: called with the outputs of a run-cache entry that are not in the local cache, to
   * download them; restoring goes ahead only if afterwards every one is there.
   */
  pullObjects?: (items: LockItem[]) => Promise<void>;
  /** `--allow-missing`: skip a stage whose only change is outputs missing from the workspace or cache. */
  allowMissing?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: ReproEvent) => void;
}

export type ReproEvent =
  | { type: 'skip'; stage: string; message: string }
  | { type: 'run'; stage: string; message: string; reasons: StatusReason[] }
  | { type: 'restore'; stage: string; message: string }
  | { type: 'command'; stage: string; message: string }
  | { type: 'lock'; stage: string; message: string }
  | { type: 'blocked'; stage: string; message: string };

export interface ReproResult {
  ran: string[];
  /** Stages whose outputs came from the run-cache instead of running the command. */
  restored: string[];
  skipped: string[];
  failed: { stage: string; exitCode: number }[];
  blocked: string[];
  upToDate: boolean;
}

export async function repro(options: ReproOptions): Promise<ReproResult> {
  const ops = memoizeHashes(options.ops);
  const emit = options.onEvent ?? (() => {});
  const reader = workspaceReader(ops.root);
  const pipeline = loadPipeline(reader);
  const graph = buildGraph(pipeline.stages);
  checkDepsNotOutputs(pipeline.stages);
  checkTrackedOverlaps(pipeline.stages, ops.trackedOutputs());
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const targets = options.targets && options.targets.length > 0 ? options.targets : pipeline.stages.map((s) => s.name);
  for (const t of targets) if (!byName.has(t)) throw unknownStage(t, [...byName.keys()]);
  const order = topoOrder(graph, targets, { single: options.single });
  const lockPath = join(ops.root, DVC_LOCK);
  const lock = loadLock(reader);
  const result: ReproResult = { ran: [], restored: [], skipped: [], failed: [], blocked: [], upToDate: false };
  const broken = new Set<string>();
  const params = paramsFiles(reader);
  ops.lock();
  try {
    for (const name of order) {
      const stage = byName.get(name) as Stage;
      if ((graph.upstream.get(name) ?? []).some((up) => broken.has(up))) {
        broken.add(name);
        result.blocked.push(name);
        emit({ type: 'blocked', stage: name, message: `Stage '${name}' skipped: an upstream stage failed` });
        continue;
      }
      const reasons = stageStatus(stage, lock.stages.get(name), await observeStage(ops, params, stage, lock.stages.get(name)));
      // a frozen stage never runs for being always_changed (DVC's `changed_deps` returns early)
      const changed = reasons.some((r) => !(stage.frozen && r === 'always changed'));
      if ((!changed || (options.allowMissing && onlyMissing(reasons))) && !options.force) {
        result.skipped.push(name);
        emit({ type: 'skip', stage: name, message: `Stage '${name}' didn't change, skipping` });
        continue;
      }
      const runCache = options.noRunCache || options.dry || options.force ? undefined : ops.runCache;
      if (runCache && canRunCache(stage)) {
        const restored = await restoreRun(ops, runCache, reader, stage, options.pullObjects);
        if (restored) {
          emit({ type: 'restore', stage: name, message: `Stage '${name}' is cached - skipping run, checking out outputs` });
          writeLockEntry(lockPath, lock, name, restored, emit);
          result.restored.push(name);
          continue;
        }
      }
      emit({ type: 'run', stage: name, message: `Running stage '${name}':`, reasons });
      if (options.dry) {
        for (const line of commandLines(stage.cmd)) emit({ type: 'command', stage: name, message: `> ${line}` });
        result.ran.push(name);
        continue;
      }
      ops.forget(stage.outs.map((o) => o.path));
      params.forget(stage.outs.map((o) => o.path));
      const exitCode = await runStage(stage, options, emit);
      if (exitCode !== 0) {
        result.failed.push({ stage: name, exitCode });
        broken.add(name);
        if (!options.keepGoing) break;
        continue;
      }
      const entry = await saveStage(ops, reader, stage);
      if (!options.noRunCache && ops.runCache && canRunCache(stage)) await recordRun(ops.runCache, stage, entry);
      writeLockEntry(lockPath, lock, name, entry, emit);
      result.ran.push(name);
    }
  } finally {
    ops.unlock();
  }
  if (result.failed.length > 0) throw stageFailed(result);
  result.upToDate = result.ran.length === 0 && result.restored.length === 0;
  return result;
}

/** Deletes non-persistent outputs, then runs each command line; returns the first non-zero exit code. */
async function runStage(stage: Stage, options: ReproOptions, emit: (e: ReproEvent) => void): Promise<number> {
  const root = options.ops.root;
  for (const out of stage.outs) if (!out.persist) rmSync(join(root, out.path), { recursive: true, force: true });
  for (const line of commandLines(stage.cmd)) {
    emit({ type: 'command', stage: stage.name, message: `> ${line}` });
    options.ops.unlock(); // DVC's `unlocked_repo(cmd_run)`: the command may call mlpipe/dvc itself
    const code = await runCommand({
      line,
      cwd: join(root, stage.wdir),
      root,
      stage: stage.name,
      stdoutToStderr: options.stdoutToStderr,
      signal: options.signal,
    }).finally(() => options.ops.lock());
    if (options.signal?.aborted) {
      throw new MlpipeError('E_INTERRUPTED', `interrupted while running stage '${stage.name}'`, {
        hint: 'run `mlpipe repro` again; finished stages are recorded in dvc.lock',
      });
    }
    if (code !== 0) return code;
  }
  return 0;
}

/** Hashes deps and params, commits outputs (cached ones to the cache and .gitignore). */
async function saveStage(ops: DataOps, reader: ReturnType<typeof workspaceReader>, stage: Stage): Promise<LockStage> {
  const missing = stage.outs.filter((o) => !existsSync(join(ops.root, o.path)));
  if (missing.length > 0) {
    throw new MlpipeError('E_STAGE_FAILED', `stage '${stage.name}' did not produce ${missing.map((o) => `'${o.path}'`).join(', ')}`, {
      expected: 'every output listed in dvc.yaml to exist after the command',
      received: `missing: ${missing.map((o) => o.path).join(', ')}`,
      hint: `fix the command of '${stage.name}' or its outs in dvc.yaml`,
      data: { stage: stage.name, missing: missing.map((o) => o.path) },
    });
  }
  const { deps, params } = await lockInputs(ops, reader, stage);
  const outs: LockItem[] = [];
  for (const out of stage.outs) {
    const info = out.cache ? await ops.commit(out.path) : await ops.hash(out.path);
    if (out.cache) ops.ignore(out.path);
    outs.push(lockItem(out.defPath, info as NonNullable<typeof info>));
  }
  return makeLockStage({ cmd: stage.cmd, deps, params, outs });
}

/** The deps' hashes and the tracked params' values, as the stage's lock entry records them. */
async function lockInputs(
  ops: DataOps,
  reader: ReturnType<typeof workspaceReader>,
  stage: Stage,
): Promise<{ deps: LockItem[]; params: Record<string, PyDict> }> {
  const deps: LockItem[] = [];
  for (const dep of stage.deps) {
    const info = await ops.hash(dep.path);
    if (!info) {
      throw new MlpipeError('E_NOT_FOUND', `stage '${stage.name}': dependency '${dep.path}' does not exist`, {
        expected: 'every dependency to exist when the stage is saved',
        received: dep.path,
        hint: `create ${dep.path} or remove it from the deps of '${stage.name}'`,
        data: { stage: stage.name },
      });
    }
    deps.push(lockItem(dep.defPath, info));
  }
  const params: Record<string, PyDict> = {};
  for (const dep of stage.params) {
    const file = readParamsFile(reader, dep.path);
    const values = file === undefined ? undefined : trackedValues(dep, file);
    const missingKeys = dep.keys === 'all' ? [] : dep.keys.filter((k) => !values || !(k in values));
    if (values === undefined || missingKeys.length > 0) {
      throw new MlpipeError('E_PIPELINE', `stage '${stage.name}': params ${missingKeys.join(', ') || dep.path} missing in ${dep.path}`, {
        expected: `the tracked params in ${dep.path}`,
        received: values === undefined ? 'no such file' : `missing keys: ${missingKeys.join(', ')}`,
        hint: `add them to ${dep.path} or remove them from the params of '${stage.name}'`,
        data: { stage: stage.name, file: dep.path, missing: missingKeys },
      });
    }
    params[dep.defPath] = values;
  }
  return { deps, params };
}

type RunCacheOps = NonNullable<DataOps['runCache']>;

/**
 * Records a finished run. As DVC, `cache: false` outputs are stored in the cache too (without
 * touching the workspace copy), so the entry can be restored locally later.
 */
async function recordRun(runCache: RunCacheOps, stage: Stage, entry: LockStage): Promise<void> {
  for (const out of stage.outs) if (!out.cache) await runCache.store(out.path);
  new RunCache(runCache.dir).save(entry);
}

/**
 * Looks the stage up by its key (command, dependency hashes, params, output paths): the newest entry
 * whose every output is in the local cache (after `pullObjects`, with --pull) is checked out, and
 * its lock entry returned. Undefined: run the stage.
 */
async function restoreRun(
  ops: ReturnType<typeof memoizeHashes>,
  runCache: RunCacheOps,
  reader: ReturnType<typeof workspaceReader>,
  stage: Stage,
  pullObjects: ReproOptions['pullObjects'],
): Promise<LockStage | undefined> {
  const { deps, params } = await lockInputs(ops, reader, stage);
  const probe = makeLockStage({ cmd: stage.cmd, deps, params, outs: stage.outs.map((o) => ({ path: o.defPath })) });
  for (const entry of new RunCache(runCache.dir).lookup(runKey(probe))) {
    const absent = async () => (await Promise.all(entry.outs.map(async (o) => ((await ops.inCache(o)) ? undefined : o)))).filter((o) => o !== undefined);
    let missing = await absent();
    if (missing.length > 0 && pullObjects) {
      await pullObjects(missing);
      missing = await absent();
    }
    if (missing.length > 0) continue;
    for (const item of entry.outs) {
      const out = stage.outs.find((o) => o.defPath === item.path);
      if (!out) continue;
      await runCache.restore(out.path, item);
      if (out.cache) ops.ignore(out.path);
    }
    ops.forget(stage.outs.map((o) => o.path));
    return makeLockStage({ cmd: stage.cmd, deps, params, outs: entry.outs });
  }
  return undefined;
}

/** Every reason is an output missing from the workspace or the cache (what --allow-missing tolerates). */
function onlyMissing(reasons: StatusReason[]): boolean {
  return reasons.every(
    (r) => typeof r === 'object' && 'changed outs' in r && Object.values(r['changed outs']).every((s) => s === 'deleted' || s === 'not in cache'),
  );
}

function lockItem(path: string, info: { md5: string; size: number; nfiles?: number; isexec?: boolean }): LockItem {
  const item: LockItem = { path, hash: 'md5', md5: info.md5, size: info.size };
  if (info.nfiles !== undefined) item.nfiles = info.nfiles;
  if (info.isexec) item.isexec = true;
  return item;
}

/** Updates one entry in place (new stages are appended, as DVC's `data["stages"].update`). */
function writeLockEntry(path: string, lock: LockFile, name: string, entry: LockStage, emit: (e: ReproEvent) => void): void {
  if (!existsSync(path)) emit({ type: 'lock', stage: name, message: `Generating lock file '${DVC_LOCK}'` });
  const previous = lock.stages.get(name);
  lock.stages.set(name, entry);
  const text = serializeLock(lock);
  if (previous === undefined || serializeLock({ stages: new Map([[name, previous]]) }) !== serializeLock({ stages: new Map([[name, entry]]) })) {
    emit({ type: 'lock', stage: name, message: `Updating lock file '${DVC_LOCK}'` });
  }
  writeFileAtomic(path, text);
}

function stageFailed(result: ReproResult): MlpipeError {
  const [first] = result.failed as [{ stage: string; exitCode: number }];
  const names = result.failed.map((f) => `'${f.stage}'`).join(', ');
  return new MlpipeError('E_STAGE_FAILED', `failed to reproduce ${names}: the command exited with ${first.exitCode}`, {
    expected: 'every stage command to exit with 0',
    received: result.failed.map((f) => `${f.stage}: exit ${f.exitCode}`).join(', '),
    hint: `fix the stage and run \`mlpipe repro\` again${result.ran.length > 0 ? ` (${result.ran.join(', ')} succeeded and are recorded in dvc.lock)` : ''}`,
    data: { exitCode: first.exitCode, failed: result.failed, ran: result.ran, blocked: result.blocked },
  });
}

export interface PipelineStatus {
  /** How many stages dvc.yaml defines (0: no pipeline). */
  stages: number;
  /** The stages that changed, in dvc.yaml order, with DVC's reasons. */
  changed: { stage: string; reasons: StatusReason[] }[];
}

/** The pipeline part of `mlpipe status`: every stage that changed, with DVC's reasons. */
export async function pipelineStatus(dataOps: DataOps): Promise<PipelineStatus> {
  const ops = memoizeHashes(dataOps);
  const reader = workspaceReader(ops.root);
  const pipeline = loadPipeline(reader);
  buildGraph(pipeline.stages);
  const lock = loadLock(reader);
  const params = paramsFiles(reader);
  const out: { stage: string; reasons: StatusReason[] }[] = [];
  ops.lock();
  try {
    for (const stage of pipeline.stages) {
      const entry = lock.stages.get(stage.name);
      const reasons = stageStatus(stage, entry, await observeStage(ops, params, stage, entry));
      if (reasons.length > 0) out.push({ stage: stage.name, reasons });
    }
  } finally {
    ops.unlock();
  }
  return { stages: pipeline.stages.length, changed: out };
}
