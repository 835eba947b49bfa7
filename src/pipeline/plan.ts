import type { LockItem, LockStage } from './lockfile.js';
import { type ParamState, paramsStatus } from './params.js';
import type { Stage } from './stage.js';
import type { PyDict } from './values.js';

/**
 * Change detection as DVC's `Stage.status` (../shared/docs/dvc-format.md §5.2, §5.5), pure: the
 * caller observes the workspace through `World`. The result lists exactly the reasons `dvc status`
 * prints for the stage, in its order; an empty list means unchanged.
 */
export interface World {
  /** Current md5 (or `<md5>.dir`) of a repo-relative path; undefined when it does not exist. */
  hash(path: string): string | undefined;
  /** Whether the object of a locked output (and every member of a `.dir`) is in the cache. */
  inCache(item: LockItem): boolean;
  /** Parsed params file (repo-relative path); undefined when it does not exist. */
  params(path: string): PyDict | undefined;
}

export type PathState = 'deleted' | 'modified' | 'new' | 'not in cache';
export type DepsStatus = Record<string, PathState | Record<string, ParamState>>;
export type StatusReason =
  | { 'changed deps': DepsStatus }
  | { 'changed outs': Record<string, PathState> }
  | 'always changed'
  | 'changed command';

export function stageStatus(stage: Stage, lock: LockStage | undefined, world: World): StatusReason[] {
  const reasons: StatusReason[] = [];
  if (!stage.frozen) {
    const deps: DepsStatus = {};
    for (const dep of stage.deps) {
      const state = itemStatus(dep.path, lockItem(lock?.deps, dep.defPath), world, false);
      if (state) deps[dep.path] = state;
    }
    for (const dep of stage.params) {
      const state = paramsStatus(dep, world.params(dep.path), lock?.params[dep.defPath]);
      if (state) deps[dep.path] = state;
    }
    if (Object.keys(deps).length > 0) reasons.push({ 'changed deps': deps });
  }
  const outs: Record<string, PathState> = {};
  for (const out of stage.outs) {
    const state = itemStatus(out.path, lockItem(lock?.outs, out.defPath), world, out.cache);
    if (state) outs[out.path] = state;
  }
  if (Object.keys(outs).length > 0) reasons.push({ 'changed outs': outs });
  if (stage.alwaysChanged || isCallback(stage)) reasons.push('always changed');
  if (lock !== undefined && !sameCommand(lock.cmd, stage.cmd)) reasons.push('changed command');
  return reasons;
}

/** A stage with a command and neither deps nor outs runs every time (DVC's "callback" stage). */
export function isCallback(stage: Stage): boolean {
  return stage.deps.length === 0 && stage.params.length === 0 && stage.outs.length === 0;
}

/** Items match the lock by the path string as written in dvc.yaml (`def_path`). */
function lockItem(items: LockItem[] | undefined, defPath: string): LockItem | undefined {
  return items?.find((i) => i.path === defPath);
}

/** `Output.status`: "not in cache" first (cached outputs only), then deleted / modified / new. */
function itemStatus(path: string, locked: LockItem | undefined, world: World, useCache: boolean): PathState | undefined {
  if (locked?.md5 !== undefined && useCache && !world.inCache(locked)) return 'not in cache';
  const current = world.hash(path);
  if (current === undefined) return 'deleted';
  if (current !== locked?.md5) return 'modified';
  return undefined;
}

function sameCommand(a: string | string[], b: string | string[]): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

