import { MlpipeError } from '../../errors.js';
import { compareCodePoints } from '../hash/manifest.js';
import { type PyDict, type PyValue, isPyDict } from './py-value.js';
import { readYaml } from './yaml-read.js';
import { dumpYaml } from './yaml-write.js';

/**
 * dvc.lock (../shared/docs/dvc-format.md §3.3), pure parse/serialize: the one model of the file,
 * read by versioning (the outputs and their hashes) and read and written by the pipeline.
 * Serializing what was parsed gives the same bytes for any file DVC wrote: stages keep their order
 * (DVC updates entries in place and appends new ones), items keep DVC's key order, unknown item
 * keys survive. An empty file is an empty lock. Items without `hash:` are legacy (md5-dos2unix).
 */
export interface LockItem {
  path: string;
  /** 'md5' for DVC 3 entries; undefined for legacy (md5-dos2unix) ones. */
  hash?: string;
  md5?: string;
  size?: number;
  nfiles?: number;
  isexec?: boolean;
  /** Keys mlpipe does not model (etag, version_id, cloud, files...), kept for round trips. */
  extra?: PyDict;
}

export interface LockStage {
  cmd: string | string[];
  deps: LockItem[];
  /** params file path -> key path -> value, as DVC dumps them. */
  params: Record<string, PyDict>;
  outs: LockItem[];
}

export interface LockFile {
  stages: Map<string, LockStage>;
}

export const LOCK_SCHEMA = '2.0';

export function emptyLock(): LockFile {
  return { stages: new Map() };
}

export function parseLock(text: string, file = 'dvc.lock'): LockFile {
  let raw: unknown;
  try {
    raw = readYaml(text, { ints: 'bigint' });
  } catch (err) {
    throw lockError(file, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (raw === null) return emptyLock();
  if (!isPyDict(raw)) throw lockError(file, 'must be a mapping with `schema` and `stages`');
  const doc = raw as PyDict;
  if (doc.schema !== LOCK_SCHEMA) {
    throw lockError(file, `has schema ${JSON.stringify(doc.schema ?? null)}; only '2.0' (DVC 2 and 3) is supported`);
  }
  const stages = new Map<string, LockStage>();
  const rawStages = doc.stages ?? {};
  if (!isPyDict(rawStages)) throw lockError(file, '`stages` must be a mapping');
  for (const [name, entry] of Object.entries(rawStages)) stages.set(name, parseStage(entry, name, file));
  return { stages };
}

function parseStage(entry: PyValue, name: string, file: string): LockStage {
  if (!isPyDict(entry)) throw lockError(file, `stage '${name}' must be a mapping`);
  const cmd = entry.cmd;
  const isCmdList = Array.isArray(cmd) && cmd.every((c) => typeof c === 'string');
  if (typeof cmd !== 'string' && !isCmdList) throw lockError(file, `stage '${name}' needs \`cmd\` (a string or a list)`);
  const params: Record<string, PyDict> = {};
  const rawParams = entry.params ?? {};
  if (!isPyDict(rawParams)) throw lockError(file, `stage '${name}': \`params\` must be a mapping`);
  for (const [path, values] of Object.entries(rawParams)) {
    if (!isPyDict(values)) throw lockError(file, `stage '${name}': params of ${path} must be a mapping`);
    params[path] = values;
  }
  return {
    cmd: cmd as string | string[],
    deps: parseItems(entry.deps, name, 'deps', file),
    params,
    outs: parseItems(entry.outs, name, 'outs', file),
  };
}

const KNOWN_ITEM_KEYS = new Set(['path', 'hash', 'md5', 'size', 'nfiles', 'isexec']);

function parseItems(value: PyValue | undefined, stage: string, field: string, file: string): LockItem[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw lockError(file, `stage '${stage}': \`${field}\` must be a list`);
  return value.map((item) => {
    if (!isPyDict(item) || typeof item.path !== 'string' || item.path === '') {
      throw lockError(file, `stage '${stage}': every item of \`${field}\` needs a \`path\``);
    }
    const out: LockItem = { path: item.path };
    if (typeof item.hash === 'string') out.hash = item.hash;
    if (item.md5 !== undefined && item.md5 !== null && item.md5 !== '') out.md5 = String(item.md5).toLowerCase();
    // The md5 names a cache object path: anything but a hash could point outside the cache.
    if (out.md5 !== undefined && !/^[0-9a-f]{32}(\.dir)?$/.test(out.md5)) {
      throw lockError(file, `stage '${stage}': ${item.path}'s md5 ${JSON.stringify(out.md5)} is not 32 hex digits (optionally .dir)`);
    }
    if (typeof item.size === 'bigint') out.size = Number(item.size);
    if (typeof item.nfiles === 'bigint') out.nfiles = Number(item.nfiles);
    if (item.isexec === true) out.isexec = true;
    const extra = Object.entries(item).filter(([k]) => !KNOWN_ITEM_KEYS.has(k));
    if (extra.length > 0) out.extra = Object.fromEntries(extra);
    return out;
  });
}

export function serializeLock(lock: LockFile): string {
  const stages: PyDict = {};
  for (const [name, stage] of lock.stages) stages[name] = stageToYaml(stage);
  return dumpYaml({ schema: LOCK_SCHEMA, stages });
}

/** A stage's entry as dumped (also the content of a run-cache entry, pipeline/run-cache.ts). */
export function stageToYaml(stage: LockStage): PyDict {
  const out: PyDict = { cmd: stage.cmd };
  if (stage.deps.length > 0) out.deps = stage.deps.map(itemToYaml);
  if (Object.keys(stage.params).length > 0) out.params = stage.params;
  if (stage.outs.length > 0) out.outs = stage.outs.map(itemToYaml);
  return out;
}

/** DVC's order: path, hash (3.x only), md5, size, nfiles, isexec, then anything else. */
function itemToYaml(item: LockItem): PyDict {
  const out: PyDict = { path: item.path };
  if (item.hash !== undefined) out.hash = item.hash;
  if (item.md5 !== undefined) out.md5 = item.md5;
  if (item.size !== undefined) out.size = BigInt(item.size);
  if (item.nfiles !== undefined) out.nfiles = BigInt(item.nfiles);
  if (item.isexec) out.isexec = true;
  return { ...out, ...item.extra };
}

/**
 * Builds a stage's lock entry as DVC's `to_single_stage_lockfile` does: deps and outs sorted by
 * path (code point order), the default params.yaml first and the other params files alphabetically,
 * keys sorted within each file (not recursively).
 */
export function makeLockStage(input: {
  cmd: string | string[];
  deps: LockItem[];
  params: Record<string, PyDict>;
  outs: LockItem[];
}): LockStage {
  const byPath = (a: LockItem, b: LockItem) => compareCodePoints(a.path, b.path);
  const files = Object.keys(input.params).sort(compareCodePoints);
  const ordered = [...files.filter((f) => f === 'params.yaml'), ...files.filter((f) => f !== 'params.yaml')];
  const params: Record<string, PyDict> = {};
  for (const file of ordered) {
    const values = input.params[file] as PyDict;
    params[file] = Object.fromEntries(
      Object.keys(values)
        .sort(compareCodePoints)
        .map((k) => [k, values[k] as PyValue]),
    );
  }
  return { cmd: input.cmd, deps: [...input.deps].sort(byPath), params, outs: [...input.outs].sort(byPath) };
}

function lockError(file: string, problem: string): MlpipeError {
  return new MlpipeError('E_CORRUPT', `${file} ${problem}`, {
    expected: "a dvc.lock with `schema: '2.0'` and a `stages` mapping, as DVC 3 writes it",
    received: file,
    hint: `fix or delete ${file} and run \`mlpipe repro\` to rewrite it`,
  });
}
