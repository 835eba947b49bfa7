import type { DataOps } from './data-ops.js';
import type { LockStage } from './lockfile.js';
import type { World } from './plan.js';
import type { Stage } from './stage.js';
import { type PyDict, isPyDict } from './values.js';
import { parseStructured } from './yaml-read.js';
import type { TreeReader } from './revision.js';

/**
 * Observes what the planner needs for one stage: current hashes of its deps and outs (md5-dos2unix
 * for legacy lock entries), cache presence of its locked outputs, and its params files. The planner
 * then decides synchronously.
 */
export async function observeStage(ops: DataOps, paramsFiles: ParamsFiles, stage: Stage, lock: LockStage | undefined): Promise<World> {
  const hashes = new Map<string, string | undefined>();
  const cached = new Set<string>();
  const items = [
    ...stage.deps.map((d) => ({ path: d.path, locked: lock?.deps.find((i) => i.path === d.defPath) })),
    ...stage.outs.map((o) => ({ path: o.path, locked: lock?.outs.find((i) => i.path === o.defPath) })),
  ];
  await Promise.all(
    items.map(async ({ path, locked }) => {
      // a lock entry without `hash: md5` was written by DVC 2 and holds an md5-dos2unix value (§1.2)
      const legacy = locked?.md5 !== undefined && locked.hash === undefined;
      hashes.set(path, (await ops.hash(path, legacy))?.md5);
    }),
  );
  for (const out of stage.outs) {
    const locked = lock?.outs.find((i) => i.path === out.defPath);
    if (locked?.md5 !== undefined && out.cache && (await ops.inCache(locked))) cached.add(locked.path);
  }
  const params = new Map<string, PyDict | undefined>();
  for (const dep of stage.params) params.set(dep.path, paramsFiles.get(dep.path));
  return {
    hash: (path) => hashes.get(path),
    inCache: (item) => cached.has(item.path),
    params: (path) => params.get(path),
  };
}

export function readParamsFile(reader: TreeReader, path: string): PyDict | undefined {
  const text = reader.read(path);
  if (text === undefined) return undefined;
  const data = parseStructured(text, path);
  return isPyDict(data) ? data : {};
}

/** Params files parsed once per run; `forget` drops files a stage just rewrote. */
export interface ParamsFiles {
  get(path: string): PyDict | undefined;
  forget(paths: string[]): void;
}

export function paramsFiles(reader: TreeReader): ParamsFiles {
  const memo = new Map<string, PyDict | undefined>();
  return {
    get(path) {
      if (!memo.has(path)) memo.set(path, readParamsFile(reader, path));
      return memo.get(path);
    },
    forget(paths) {
      for (const p of paths) memo.delete(p);
    },
  };
}
