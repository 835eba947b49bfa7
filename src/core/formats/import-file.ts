import { createHash } from 'node:crypto';
import { MlpipeError } from '../../errors.js';
import type { DvcFile } from './dvcfile.js';
import type { PyDict } from './py-value.js';
import { dumpYaml } from './yaml-write.js';

/**
 * The `.dvc` file of a repository import, as `dvc import` writes it (fixture `import-get`):
 *
 *   md5: <stage md5>
 *   frozen: true
 *   deps:
 *   - path: data/labels.csv
 *     repo: {url, rev (only when pinned), rev_lock}
 *   outs:
 *   - {md5, size, nfiles (folders), hash: md5, path}
 *
 * The stage md5 is DVC's `compute_md5` (dvc-format.md §1.5): md5 of `json.dumps(d, sort_keys=True)`
 * of the file's data without `md5`, `frozen`, `size`, `nfiles`.
 */
export interface RepoImport {
  /** The source path inside the source repository. */
  path: string;
  url: string;
  rev?: string;
  revLock: string;
  out: { path: string; md5: string; size: number; nfiles?: number };
}

/** Python's `json.dumps(value, sort_keys=True)` for strings, lists and objects (ASCII escapes). */
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${pyJson(k)}: ${pyJson((v as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(v);
}

function repoField(i: RepoImport): Record<string, string> {
  return { url: i.url, ...(i.rev !== undefined ? { rev: i.rev } : {}), rev_lock: i.revLock };
}

export function importStageMd5(i: RepoImport): string {
  const d = { deps: [{ path: i.path, repo: repoField(i) }], outs: [{ md5: i.out.md5, hash: 'md5', path: i.out.path }] };
  return createHash('md5').update(pyJson(d)).digest('hex');
}

export function serializeImportFile(i: RepoImport): string {
  const out: PyDict = { md5: i.out.md5, size: i.out.size };
  if (i.out.nfiles !== undefined) out.nfiles = i.out.nfiles;
  out.hash = 'md5';
  out.path = i.out.path;
  // sizes are whole numbers: written as integers, not Python floats
  return dumpYaml({ md5: importStageMd5(i), frozen: true, deps: [{ path: i.path, repo: repoField(i) }], outs: [out] }, { numbers: 'auto' });
}

/** The import recorded in a parsed `.dvc` file, or undefined for a plain `dvc add` file. */
export function importOf(file: DvcFile, where: string): RepoImport | undefined {
  const deps = file.fields.deps;
  if (!Array.isArray(deps) || deps.length === 0) return undefined;
  const dep = deps[0] as { path?: unknown; repo?: { url?: unknown; rev?: unknown; rev_lock?: unknown } };
  if (!dep?.repo) return undefined;
  const { url, rev, rev_lock: revLock } = dep.repo;
  const out = file.outs[0];
  if (typeof dep.path !== 'string' || typeof url !== 'string' || typeof revLock !== 'string' || !out || out.md5 === undefined) {
    throw new MlpipeError('E_BAD_INPUT', `${where} is not a valid repository import`, {
      expected: 'deps: [{path, repo: {url, rev?, rev_lock}}] and one output with md5',
      hint: 'recreate it with `mlpipe import REPO PATH`',
    });
  }
  return {
    path: dep.path,
    url,
    ...(typeof rev === 'string' ? { rev } : {}),
    revLock,
    out: { path: out.path, md5: out.md5, size: out.size ?? 0, ...(out.nfiles !== undefined ? { nfiles: out.nfiles } : {}) },
  };
}
