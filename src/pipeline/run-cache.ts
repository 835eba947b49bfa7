import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { compareCodePoints } from '../core/hash/manifest.js';
import { type LockItem, type LockStage, parseLock, stageToYaml } from './lockfile.js';
import type { Stage } from './stage.js';
import { type PyDict, type PyValue, isPyDict, pyFloatRepr } from './values.js';
import { dumpYaml } from '../core/formats/yaml-write.js';

/**
 * DVC's run-cache (dvc/stage/cache.py, ../shared/fixtures/dvc/run-cache/notes), byte-compatible: one
 * file per stage run at `<cache>/runs/<key[0:2]>/<key>/<value>`, holding the stage's dvc.lock entry
 * without its name. `key` is the SHA-256 of the entry with outs reduced to their paths (so it
 * depends on the command, dependency hashes, params and output paths), `value` that of the whole
 * entry; both without `size`/`nfiles`, as Python's `json.dumps(..., sort_keys=True)`.
 */

/** Whether DVC would record a run of this stage: a command, deps and outs, no persist, not always_changed. */
export function canRunCache(stage: Stage): boolean {
  return (
    commandOf(stage) !== '' &&
    stage.deps.length > 0 &&
    stage.outs.length > 0 &&
    !stage.alwaysChanged &&
    stage.outs.every((o) => !o.persist)
  );
}

function commandOf(stage: Stage): string {
  return typeof stage.cmd === 'string' ? stage.cmd.trim() : stage.cmd.join('\n').trim();
}

/** The entry as DVC dumps it (the dvc.lock entry's YAML without the stage name). */
export function serializeRunEntry(entry: LockStage): string {
  return dumpYaml(stageToYaml(entry));
}

export function parseRunEntry(text: string, where: string): LockStage {
  // An entry is a lock stage without a name: parse it as the one stage of a lock file.
  const stage = parseLock(`schema: '2.0'\nstages:\n  run:\n${text.replace(/^/gm, '    ').trimEnd()}\n`, where).stages.get('run');
  if (!stage) throw new Error(`${where}: empty run-cache entry`);
  return stage;
}

/** `value`: the SHA-256 of the entry without sizes. */
export function runValue(entry: LockStage): string {
  return sha256(pyJsonDumps(withoutSizes(stageToYaml(entry))));
}

/** `key`: as `value`, with outs replaced by the list of their paths. */
export function runKey(entry: Pick<LockStage, 'cmd' | 'deps' | 'params'> & { outs: Pick<LockItem, 'path'>[] }): string {
  const dict = withoutSizes(stageToYaml({ ...entry, outs: [] }));
  if (entry.outs.length > 0) dict.outs = entry.outs.map((o) => o.path);
  return sha256(pyJsonDumps(dict));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function withoutSizes(v: PyValue): PyDict {
  const strip = (x: PyValue): PyValue => {
    if (Array.isArray(x)) return x.map(strip);
    if (isPyDict(x)) return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'size' && k !== 'nfiles').map(([k, y]) => [k, strip(y)]));
    return x;
  };
  return strip(v) as PyDict;
}

/** Python's `json.dumps(value, sort_keys=True)`: ", " and ": " separators, ASCII only, float repr. */
export function pyJsonDumps(v: PyValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pyFloatRepr(v);
  }
  if (typeof v === 'string') return pyJsonString(v);
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(', ')}]`;
  const keys = Object.keys(v).sort(compareCodePoints);
  return `{${keys.map((k) => `${pyJsonString(k)}: ${pyJsonDumps(v[k] as PyValue)}`).join(', ')}}`;
}

function pyJsonString(s: string): string {
  // JSON.stringify escapes as Python does for `"`, `\` and control characters (lowercase \u00xx);
  // Python's ensure_ascii then escapes every non-ASCII UTF-16 unit as \uxxxx.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The local run-cache: `<cache root>/runs/`. */
export class RunCache {
  constructor(readonly dir: string) {}

  /** Records a run (the entry file keeps the default mode, as DVC's). */
  save(entry: LockStage): string {
    const key = runKey(entry);
    const value = runValue(entry);
    const rel = `${key.slice(0, 2)}/${key}/${value}`;
    const path = join(this.dir, rel);
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, key.slice(0, 2), key), { recursive: true });
      writeFileAtomic(path, serializeRunEntry(entry));
    }
    return rel;
  }

  /** The entries recorded under a key, newest first (DVC picks the newest by mtime). */
  lookup(key: string): LockStage[] {
    const folder = join(this.dir, key.slice(0, 2), key);
    if (!existsSync(folder)) return [];
    const files = readdirSync(folder)
      .filter((f) => /^[0-9a-f]{64}$/.test(f))
      .map((f) => ({ f, mtime: statSync(join(folder, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    const out: LockStage[] = [];
    for (const { f } of files) {
      try {
        out.push(parseRunEntry(readFileSync(join(folder, f), 'utf8'), join(folder, f)));
      } catch {
        // an unreadable entry is skipped, as DVC skips entries it cannot load
      }
    }
    return out;
  }

  /** Every entry file as `XX/key/value`, for push. */
  list(): string[] {
    const out: string[] = [];
    if (!existsSync(this.dir)) return out;
    for (const prefix of readdirSync(this.dir).filter((p) => /^[0-9a-f]{2}$/.test(p))) {
      for (const key of readdirSync(join(this.dir, prefix)).filter((k) => /^[0-9a-f]{64}$/.test(k) && k.startsWith(prefix))) {
        for (const value of readdirSync(join(this.dir, prefix, key)).filter((v) => /^[0-9a-f]{64}$/.test(v))) {
          out.push(`${prefix}/${key}/${value}`);
        }
      }
    }
    return out.sort();
  }
}

/** A run-cache entry path `XX/key/value` (64-hex names), as on disk and on remotes. */
export function isRunPath(rel: string): boolean {
  const m = /^([0-9a-f]{2})\/([0-9a-f]{64})\/[0-9a-f]{64}$/.exec(rel);
  return m !== null && (m[2] as string).startsWith(m[1] as string);
}
