import type { DataOps } from './data-ops.js';
import type { LockItem, LockStage } from './lockfile.js';
import type { World } from './plan.js';
import type { Stage } from './stage.js';
import { type PyDict, isPyDict } from './values.js';
import { parseStructured } from './yaml-read.js';
import type { TreeReader } from './revision.js';

/**
 * Observes what the planner needs for one stage: current hashes of its deps and outs (legacy
 * md5-dos2unix for entries locked without `hash: md5`, §1.2), cache presence of its locked outputs,
 * and its params files. The planner then decides synchronously.
 */
export async function observeStage(ops: DataOps, reader: TreeReader, stage: Stage, lock: LockStage | undefined): Promise<World> {
  const hashes = new Map<string, string | undefined>();
  const cached = new Set<string>();
  const items: [string, LockItem | undefined][] = [
    ...stage.deps.map((d): [string, LockItem | undefined] => [d.path, lock?.deps.find((i) => i.path === d.defPath)]),
    ...stage.outs.map((o): [string, LockItem | undefined] => [o.path, lock?.outs.find((i) => i.path === o.defPath)]),
  ];
  await Promise.all(
    items.map(async ([path, locked]) => {
      const legacy = locked !== undefined && locked.md5 !== undefined && locked.hash === undefined;
      hashes.set(path, (await ops.hash(path, legacy))?.md5);
    }),
  );
  for (const out of stage.outs) {
    const locked = lock?.outs.find((i) => i.path === out.defPath);
    if (locked?.md5 !== undefined && out.cache && (await ops.inCache(locked))) cached.add(locked.path);
  }
  const params = new Map<string, PyDict | undefined>();
  for (const dep of stage.params) params.set(dep.path, readParamsFile(reader, dep.path));
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
