import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseDvcFile } from '../core/formats/dvcfile.js';
import { type RepoImport, importOf, serializeImportFile } from '../core/formats/import-file.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { LocalOdb } from '../core/odb/local.js';
import { checkoutOutput } from '../core/repo/checkout-output.js';
import { ignoreOutput } from '../core/repo/gitignore-file.js';
import type { Repo } from '../core/repo/open.js';
import { toRepoPath } from '../core/repo/paths.js';
import { MlpipeError } from '../errors.js';
import { type Located, type SourceRepo, fetchPath, openSource } from './external.js';

/**
 * `get`, `import` and `update`: DVC's verbs for data of another repository
 * (`dvc:dvc/repo/get.py`, `dvc:dvc/repo/imp.py`, `dvc:dvc/repo/update.py`). `get` copies PATH as
 * of a revision and records nothing; `import` also writes a frozen `.dvc` file that remembers the
 * source (`repo: {url, rev, rev_lock}`) so that `update` can move it to another revision.
 */
export interface SourceOptions {
  cwd: string;
  /** Local path or git URL, kept as typed in the `.dvc` file (as DVC keeps it). */
  url: string;
  path: string;
  rev?: string;
  out?: string;
  force?: boolean;
  signal?: AbortSignal;
}

function withSource<T>(url: string, base: string, fn: (src: SourceRepo) => Promise<T>): Promise<T> {
  const src = openSource(url, base);
  return fn(src).finally(() => src.close());
}

/** Where PATH lands: OUT, inside OUT when it is a folder, or the source's base name here. */
function outPath(cwd: string, path: string, out: string | undefined): string {
  const name = basename(path.replace(/\/+$/, ''));
  if (out === undefined) return resolve(cwd, name);
  const abs = resolve(cwd, out);
  return existsSync(abs) && statSync(abs).isDirectory() && !out.endsWith('.dvc') ? join(abs, name) : abs;
}

/** Writes a located file or folder from `odb` to `abs` through a temp sibling and one rename. */
function writeCopy(odb: LocalOdb, found: Located, abs: string): void {
  const tmp = join(dirname(abs), `.${basename(abs)}.mlpipe-get.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(abs), { recursive: true });
  try {
    if (found.kind === 'git') writeFileAtomic(tmp, found.bytes);
    else if (found.kind === 'file') copyFileSync(odb.path(found.md5), tmp);
    else {
      for (const e of found.entries) {
        const to = join(tmp, ...e.relpath.split('/'));
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(odb.path(e.md5), to);
        chmodSync(to, 0o644);
      }
      mkdirSync(tmp, { recursive: true });
    }
    if (found.kind !== 'dir') chmodSync(tmp, 0o644);
    rmSync(abs, { recursive: true, force: true });
    renameSync(tmp, abs);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface GetResult {
  url: string;
  path: string;
  rev: string;
  out: string;
  kind: 'file' | 'dir' | 'git';
}

export function getPath(o: SourceOptions): Promise<GetResult> {
  return withSource(o.url, o.cwd, (src) => getFromSource(src, src.resolveRev(o.rev), o));
}

/** `get` from a source already open, at a commit (a registry lookup resolves it first). */
export async function getFromSource(src: SourceRepo, commit: string, o: Omit<SourceOptions, 'url' | 'rev'>): Promise<GetResult> {
  const abs = outPath(o.cwd, o.path, o.out);
  if (existsSync(abs) && !o.force) throw new MlpipeError('E_CONFLICT', `'${relative(o.cwd, abs) || abs}' already exists`, { hint: 'remove it, pick another -o, or pass --force' });
  const scratch = mkdtempSync(join(tmpdir(), 'mlpipe-get-'));
  try {
    const odb = new LocalOdb(scratch);
    const found = await fetchPath(src, commit, o.path, odb, o.signal);
    writeCopy(odb, found, abs);
    return { url: src.url, path: o.path, rev: commit, out: abs, kind: found.kind };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface ImportResult {
  dvcFile: string;
  out: string;
  gitignore?: string;
  changed: boolean;
  import: RepoImport;
}

/** Fetches into the repository's cache, checks the output out and writes the frozen `.dvc` file. */
async function importInto(repo: Repo, src: SourceRepo, spec: { url: string; path: string; rev?: string }, outAbs: string, force: boolean, signal?: AbortSignal): Promise<ImportResult> {
  const commit = src.resolveRev(spec.rev);
  const found = await fetchPath(src, commit, spec.path, repo.cache, signal);
  if (found.kind === 'git') {
    throw new MlpipeError('E_BAD_INPUT', `'${spec.path}' is stored in git in ${spec.url}, not tracked by DVC`, { hint: `copy it instead: mlpipe get ${spec.url} ${spec.path}` });
  }
  await checkoutOutput(repo, { abs: outAbs, md5: found.md5, legacy: false }, { force });
  const imp: RepoImport = {
    path: spec.path,
    url: spec.url,
    ...(spec.rev !== undefined ? { rev: spec.rev } : {}),
    revLock: commit,
    out: { path: basename(outAbs), md5: found.md5, size: found.size, ...(found.kind === 'dir' ? { nfiles: found.nfiles } : {}) },
  };
  const dvcFile = `${outAbs}.dvc`;
  const text = serializeImportFile(imp);
  const before = existsSync(dvcFile) ? readFileSync(dvcFile, 'utf8') : undefined;
  if (before !== text) writeFileAtomic(dvcFile, text);
  const gitignore = ignoreOutput(repo, outAbs);
  return { dvcFile: toRepoPath(repo.root, dvcFile), out: toRepoPath(repo.root, outAbs), ...(gitignore ? { gitignore } : {}), changed: before !== text, import: imp };
}

export async function importPath(repo: Repo, o: SourceOptions): Promise<ImportResult> {
  const outAbs = outPath(o.cwd, o.path, o.out);
  toRepoPath(repo.root, outAbs); // E_OUTSIDE_REPO before anything is fetched
  if (existsSync(`${outAbs}.dvc`) && !o.force) {
    throw new MlpipeError('E_CONFLICT', `'${toRepoPath(repo.root, `${outAbs}.dvc`)}' already exists`, { hint: 'update it with `mlpipe update`, or pass --force to replace it' });
  }
  return repo.withLock(() => withSource(o.url, o.cwd, (src) => importInto(repo, src, { url: o.url, path: o.path, rev: o.rev }, outAbs, Boolean(o.force), o.signal)));
}

/**
 * Moves an import to `rev` (or, without it, to the newest commit of the revision it follows:
 * its `rev`, else the source's default branch). Reads `.dvc` files written by DVC as well.
 */
export async function updateImport(repo: Repo, o: { cwd: string; target: string; rev?: string; signal?: AbortSignal }): Promise<ImportResult> {
  const dvcFile = resolve(o.cwd, o.target.endsWith('.dvc') ? o.target : `${o.target}.dvc`);
  const where = toRepoPath(repo.root, dvcFile);
  if (!existsSync(dvcFile)) throw new MlpipeError('E_NOT_FOUND', `'${where}' does not exist`, { hint: 'pass the .dvc file of an import' });
  const current = importOf(parseDvcFile(readFileSync(dvcFile, 'utf8'), where), where);
  if (!current) throw new MlpipeError('E_BAD_INPUT', `'${where}' is not a repository import`, { hint: 'only files written by `mlpipe import` or `dvc import` can be updated' });
  const rev = o.rev ?? current.rev;
  const outAbs = join(dirname(dvcFile), current.out.path);
  // A relative local URL is kept as typed; it is read from the folder of the .dvc file's project.
  return repo.withLock(() =>
    withSource(current.url, repo.root, async (src) => {
      if (src.resolveRev(rev) === current.revLock && rev === current.rev) {
        return { dvcFile: where, out: toRepoPath(repo.root, outAbs), changed: false, import: current };
      }
      return importInto(repo, src, { url: current.url, path: current.path, rev }, outAbs, false, o.signal);
    }),
  );
}
