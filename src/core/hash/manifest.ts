import { MlpipeError } from '../../errors.js';
import { md5Bytes } from './md5.js';

/**
 * The `.dir` manifest of a directory output, byte-exact to DVC's
 * `json.dumps(sorted(entries, key=relpath), sort_keys=True)` (../shared/docs/dvc-format.md §1.3):
 * entries sorted by Unicode code point (not UTF-16 units), `", "` and `": "` separators, ASCII only
 * with lowercase `\uXXXX` escapes (astral characters as surrogate pairs), no trailing newline.
 */
export interface ManifestEntry {
  relpath: string;
  md5: string;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Python `json.dumps(str)` with `ensure_ascii=True`. */
export function pyJsonString(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** Python `str` ordering: by code point. Differs from JS `<` only around astral characters. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800-0xDFFF) stands for a code point >= 0x10000, above every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export function serializeDirManifest(entries: readonly ManifestEntry[]): string {
  // Without surrogates UTF-16 order is code-point order, and the native comparison is much faster.
  const astral = entries.some((e) => SURROGATE.test(e.relpath));
  const sorted = [...entries].sort(astral ? (x, y) => compareCodePoints(x.relpath, y.relpath) : (x, y) => (x.relpath < y.relpath ? -1 : 1));
  return `[${sorted.map((e) => `{"md5": ${pyJsonString(e.md5)}, "relpath": ${pyJsonString(e.relpath)}}`).join(', ')}]`;
}

/** The oid of a manifest: md5 of its bytes plus `.dir`. */
export function dirOid(manifest: string): string {
  return `${md5Bytes(Buffer.from(manifest, 'utf8'))}.dir`;
}

/** Reads a stored manifest (DVC 3 or legacy: both use the key `md5`). Throws E_CORRUPT when malformed. */
export function parseDirManifest(text: string, where = 'directory manifest'): ManifestEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(where, 'a JSON list', text.slice(0, 80), err);
  }
  if (!Array.isArray(data)) throw corrupt(where, 'a JSON list', typeof data);
  return data.map((item, i) => {
    const md5 = (item as { md5?: unknown })?.md5;
    const relpath = (item as { relpath?: unknown })?.relpath;
    if (typeof md5 !== 'string' || !/^[0-9a-f]{32}$/.test(md5) || typeof relpath !== 'string' || !isSafeRelpath(relpath)) {
      throw corrupt(where, 'entries {"md5": <32 hex>, "relpath": <relative path inside the directory>}', `entry ${i}: ${JSON.stringify(item)}`);
    }
    return { md5, relpath };
  });
}

/** A manifest path must stay inside its directory: relative, no empty, `.` or `..` segments. */
export function isSafeRelpath(relpath: string): boolean {
  return relpath !== '' && !relpath.startsWith('/') && relpath.split('/').every((p) => p !== '' && p !== '.' && p !== '..') && !relpath.includes('\0');
}

function corrupt(where: string, expected: string, received: string, cause?: unknown): MlpipeError {
  return new MlpipeError('E_CORRUPT', `${where} is corrupted`, {
    expected,
    received,
    hint: 'run `mlpipe fsck` to find damaged objects, then restore them with `mlpipe pull` or re-add the data',
    cause,
  });
}
