import { readYaml } from './yaml-read.js';
import { MlpipeError } from '../../errors.js';
import { type YamlValue, dumpYaml } from './yaml-write.js';

/**
 * `.dvc` files (../shared/docs/dvc-format.md §3.1): pure parse and serialize. An output entry keeps
 * every key it was read with (`fields`, in file order) so that rewriting a file changes only what
 * changed, as DVC's `apply_diff` does; the typed fields are views over it.
 */
export interface DvcOut {
  /** As written in the file: relative to the `.dvc` file's folder, POSIX separators. */
  path: string;
  /** The hash value (`<md5>` or `<md5>.dir`), lower-cased; undefined when not computed yet. */
  md5: string | undefined;
  /** True for DVC 2.x entries without `hash: md5` (md5-dos2unix, legacy cache layout; §1.2). */
  legacy: boolean;
  size: number | undefined;
  nfiles: number | undefined;
  isexec: boolean;
  /** `cache: false` outputs are tracked by git, not by the cache. */
  cache: boolean;
  /** `push: false` outputs are never pushed. */
  push: boolean;
  remote: string | undefined;
  /** All keys as read, in order (for rewriting without losing annotations). */
  fields: Record<string, unknown>;
}

export interface DvcFile {
  outs: DvcOut[];
  /** Top-level keys as read (md5, deps, wdir, frozen, meta, desc, ...), in order. */
  fields: Record<string, unknown>;
}

/** Parses a `.dvc` file. `where` names the file in errors. Throws E_BAD_INPUT on bad YAML or fields. */
export function parseDvcFile(text: string, where = '.dvc file'): DvcFile {
  let data: unknown;
  try {
    // Integers as bigint and floats as number, so that rewriting the file keeps `1.0` a float.
    data = readYaml(text, { ints: 'bigint' });
  } catch (err) {
    throw invalid(where, 'valid YAML', (err as Error).message.split('\n')[0] ?? 'a YAML error', err);
  }
  if (data === null) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw invalid(where, 'a YAML mapping with `outs:`', describe(data));
  const fields = data as Record<string, unknown>;
  const rawOuts = fields.outs ?? [];
  if (!Array.isArray(rawOuts)) throw invalid(where, '`outs:` to be a list', describe(rawOuts));
  return { outs: rawOuts.map((o, i) => parseOut(o, `${where}: outs[${i}]`)), fields };
}

export function parseOut(raw: unknown, where: string): DvcOut {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(where, 'a mapping with `path:`', describe(raw));
  const f = raw as Record<string, unknown>;
  if (typeof f.path !== 'string' || f.path === '') throw invalid(where, '`path:` to be a non-empty string', describe(f.path));
  if (f.hash !== undefined && f.hash !== 'md5') throw invalid(where, '`hash: md5` or no `hash:` key', describe(f.hash));
  return {
    path: f.path,
    md5: checksum(f.md5, `${where}.md5`),
    legacy: f.hash === undefined,
    size: optionalInt(f.size, `${where}.size`),
    nfiles: optionalInt(f.nfiles, `${where}.nfiles`),
    isexec: optionalBool(f.isexec, `${where}.isexec`) ?? false,
    cache: optionalBool(f.cache, `${where}.cache`) ?? true,
    push: optionalBool(f.push, `${where}.push`) ?? true,
    remote: optionalString(f.remote, `${where}.remote`),
    fields: f,
  };
}

/** DVC's CHECKSUM_SCHEMA: null or "" means none; a string or int of length >= 3, lower-cased. */
function checksum(value: unknown, where: string): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'bigint' && typeof value !== 'number') throw invalid(where, 'an md5 hash string', describe(value));
  const s = String(value).toLowerCase();
  if (!/^[0-9a-f]{32}(\.dir)?$/.test(s)) throw invalid(where, '32 hex digits, optionally followed by `.dir`', JSON.stringify(s));
  return s;
}

function optionalInt(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'bigint' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(where, 'a non-negative integer', describe(value));
  return n;
}

function optionalBool(value: unknown, where: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(where, 'true or false', describe(value));
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(where, 'a string', describe(value));
  return value;
}

/** What an output's hash fields become once computed: the order DVC's `Output.dumpd` writes them. */
export interface OutHash {
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
}

/** The text of a new `.dvc` file as `dvc add` writes it (§3.1): `outs: [{md5, size, [nfiles], [isexec], hash, path}]`. */
export function serializeNewDvcFile(outs: readonly (OutHash & { path: string })[]): string {
  return dumpYaml({ outs: outs.map((o) => ({ ...hashFields(o, false), path: o.path })) });
}

/**
 * Rewrites a parsed `.dvc` file with new hashes, following DVC's `apply_diff`: existing keys keep
 * their order, keys that disappear are deleted, new keys go to the end. A legacy entry whose hash did
 * not change stays legacy and byte-identical (§1.2 upgrade rule).
 */
export function serializeUpdatedDvcFile(file: DvcFile, hashes: readonly (OutHash | undefined)[]): string {
  const outs = file.outs.map((out, i) => {
    const h = hashes[i];
    if (!h || (out.md5 === h.md5 && out.size === h.size && out.nfiles === h.nfiles && out.isexec === Boolean(h.isexec))) return out.fields;
    return applyDiff(out.fields, { ...hashFields(h, out.legacy && out.md5 === h.md5), path: out.path }, HASH_KEYS);
  });
  return dumpYaml({ ...(file.fields as Record<string, YamlValue>), outs: outs as YamlValue[] });
}

const HASH_KEYS = ['md5', 'size', 'nfiles', 'isexec', 'hash'];

function hashFields(h: OutHash, legacy: boolean): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = { md5: h.md5, size: BigInt(h.size) };
  if (h.nfiles !== undefined) out.nfiles = BigInt(h.nfiles);
  if (h.isexec) out.isexec = true;
  if (!legacy) out.hash = 'md5';
  return out;
}

/** Keys in `managed` are replaced from `next` (or deleted); other keys are kept as they are. */
function applyDiff(old: Record<string, unknown>, next: Record<string, YamlValue>, managed: string[]): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = {};
  for (const [key, value] of Object.entries(old)) {
    if (key in next) out[key] = next[key]!;
    else if (!managed.includes(key)) out[key] = value as YamlValue;
  }
  for (const [key, value] of Object.entries(next)) if (!(key in out)) out[key] = value;
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`;
}

function invalid(where: string, expected: string, received: string, cause?: unknown): MlpipeError {
  return new MlpipeError('E_BAD_INPUT', `invalid ${where}`, {
    expected,
    received,
    hint: 'fix the file by hand, or restore it with `git checkout -- <file>`',
    cause,
  });
}
