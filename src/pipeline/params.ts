import { splitKeyPath } from './interpolate.js';
import type { ParamsDep } from './stage.js';
import { type PyDict, type PyValue, isPyDict, pyEquals } from './values.js';

/**
 * The values a params dependency tracks, as DVC's `ParamsDependency.read_params`: each key path
 * looked up with `.` as separator (missing keys left out), or the whole file
 * (../shared/docs/dvc-format.md §3.4).
 */
export function trackedValues(dep: ParamsDep, file: PyDict): PyDict {
  if (dep.keys === 'all') return file;
  const out: PyDict = {};
  for (const key of dep.keys) {
    const value = getKeyPath(file, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function getKeyPath(data: PyValue, key: string): PyValue | undefined {
  let cur: PyValue | undefined = data;
  for (const part of splitKeyPath(key)) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isPyDict(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

export type ParamState = 'deleted' | 'new' | 'modified';

/**
 * `ParamsDependency.workspace_status`: the file missing -> 'deleted'; nothing locked -> 'new';
 * otherwise per key, compared with Python `==`. Returns undefined when nothing changed.
 */
export function paramsStatus(
  dep: ParamsDep,
  file: PyDict | undefined,
  locked: PyDict | undefined,
): ParamState | Record<string, ParamState> | undefined {
  if (file === undefined) return 'deleted';
  if (locked === undefined) return 'new';
  const actual = trackedValues(dep, file);
  const keys = dep.keys === 'all' ? [...new Set([...Object.keys(actual), ...Object.keys(locked)])] : dep.keys;
  const changes: Record<string, ParamState> = {};
  for (const key of keys) {
    if (!(key in actual)) changes[key] = 'deleted';
    else if (!(key in locked)) changes[key] = 'new';
    else if (!pyEquals(actual[key] as PyValue, locked[key] as PyValue)) changes[key] = 'modified';
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}
