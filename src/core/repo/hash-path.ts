import { rmSync } from 'node:fs';
import type { ProgressReporter } from '../progress.js';
import { silentProgress } from '../progress.js';
import { md5Dos2unixFile } from '../hash/dos2unix.js';
import { type HashJob, hashFiles } from '../hash/pool.js';
import { type ManifestEntry, dirOid, serializeDirManifest } from '../hash/manifest.js';
import { MlpipeError } from '../../errors.js';
import type { Repo } from './open.js';
import { type ScannedFile, scanPath } from './scan.js';
import type { FileStamp, StateRow } from './state.js';
import { toRepoPath } from './paths.js';
import { knownTreeOid, recordTreeOid, treeStamp } from './tree-stamp.js';

/**
 * The hash of a workspace output, as DVC records it: plain md5 for a file, `<md5>.dir` of the
 * manifest for a directory (§1.1, §1.3). Files whose (inode, mtime, size) match the state DB are not
 * read; the rest are hashed in parallel (hash/pool.ts) and recorded.
 */
export interface PathHash {
  md5: string;
  size: number;
  /** Directories only. */
  nfiles?: number;
  isdir: boolean;
  isexec: boolean;
  /** Directories only: the manifest entries. */
  entries?: ManifestEntry[];
}

export interface HashPathOptions {
  progress?: ProgressReporter;
  /** Hash as DVC 2.x did (md5-dos2unix, §1.2), to compare with a legacy entry. */
  legacy?: boolean;
  /**
   * Whether a directory's result must carry its manifest entries (default true). Without them an
   * unchanged directory's oid comes from the state DB's tree entry (tree-stamp.ts), skipping the
   * per-file state rows and the manifest: what `status` needs, not `checkout` or `diff`.
   */
  entries?: boolean;
}

/** Hashes `abs` (a file or directory in the workspace); undefined when it does not exist. */
export async function hashPath(repo: Repo, abs: string, options: HashPathOptions = {}): Promise<PathHash | undefined> {
  return hashOrCommit(repo, abs, false, options.progress ?? silentProgress, options.legacy ?? false, options.entries ?? true);
}

/**
 * Stores a workspace file or directory in the cache (objects and, for a directory, its `.dir`
 * manifest) and returns its hash. Every byte stored is hashed on the way in (hash-while-copy), so an
 * object's name always matches its content. The workspace is then linked from the cache as
 * `cache.type` asks (see linkWorkspace).
 */
export async function commitPath(repo: Repo, abs: string, options: HashPathOptions = {}): Promise<PathHash> {
  const result = await hashOrCommit(repo, abs, true, options.progress ?? silentProgress, false, true);
  if (!result) {
    throw new MlpipeError('E_NOT_FOUND', `${abs} does not exist`, {
      expected: 'an existing file or directory',
      received: 'nothing at that path',
    });
  }
  return result;
}

async function hashOrCommit(
  repo: Repo,
  abs: string,
  commit: boolean,
  progress: ProgressReporter,
  legacy: boolean,
  withEntries: boolean,
): Promise<PathHash | undefined> {
  const scan = scanPath(repo, abs);
  if (scan.kind === 'missing') return undefined;
  const files = scan.kind === 'file' ? [scan.file] : scan.files;
  const dirRepoPath = scan.kind === 'dir' ? toRepoPath(repo.root, abs) : undefined;
  // Legacy hashes are another function of the same files: they keep to the per-file rows.
  const stamp = dirRepoPath !== undefined && !legacy ? treeStamp(files) : undefined;
  if (stamp !== undefined && !withEntries && !commit) {
    const oid = knownTreeOid(repo.state(), dirRepoPath!, stamp);
    if (oid !== undefined) return dirResult(oid, files);
  }
  const md5s = legacy ? await legacyHashes(repo, files, dirRepoPath) : await fileHashes(repo, files, dirRepoPath, commit, progress);
  if (scan.kind === 'file') {
    return { md5: md5s[0]!, size: scan.file.size, isdir: false, isexec: scan.file.isexec };
  }
  const entries = files.map((f, i) => ({ relpath: f.rel, md5: md5s[i]! }));
  const manifest = serializeDirManifest(entries);
  const oid = dirOid(manifest);
  if (commit) repo.cache.addBytes(manifest, oid);
  if (stamp !== undefined) recordTreeOid(repo.state(), dirRepoPath!, stamp, oid);
  return { ...dirResult(oid, files), entries };
}

function dirResult(oid: string, files: readonly ScannedFile[]): PathHash {
  let size = 0;
  for (const f of files) size += f.size;
  return { md5: oid, size, nfiles: files.length, isdir: true, isexec: false };
}

/** md5 per file: from the state DB when the stamp matches (and, when committing, the object exists). */
async function fileHashes(repo: Repo, files: ScannedFile[], dirRepoPath: string | undefined, commit: boolean, progress: ProgressReporter): Promise<string[]> {
  const state = repo.state();
  const lookup = dirRepoPath !== undefined ? state.lookupUnder(dirRepoPath) : (path: string, stamp: FileStamp) => state.lookup(path, stamp);
  const md5s: string[] = new Array(files.length);
  const todo: number[] = [];
  files.forEach((f, i) => {
    const md5 = lookup(f.repoPath, f.stamp);
    if (md5 !== undefined && (!commit || repo.cache.has(md5))) md5s[i] = md5;
    else todo.push(i);
  });
  if (todo.length === 0) return md5s;
  const jobs: HashJob[] = todo.map((i) => ({ path: files[i]!.abs, size: files[i]!.size, tmp: commit ? repo.cache.tmpPath() : undefined }));
  const task = progress.task(commit ? 'adding to cache' : 'hashing', {
    total: jobs.length,
    totalBytes: jobs.reduce((s, j) => s + (j.size ?? 0), 0),
    unit: 'files',
  });
  let adopted = 0;
  try {
    const results = await hashFiles(jobs, { onFile: (bytes) => task.tick(1, bytes) });
    const rows: StateRow[] = [];
    todo.forEach((fileIndex, k) => {
      const f = files[fileIndex]!;
      const md5 = results[k]!.md5;
      md5s[fileIndex] = md5;
      if (commit) repo.cache.adopt(jobs[k]!.tmp!, md5);
      adopted = k + 1;
      rows.push({ path: f.repoPath, ...f.stamp, md5 });
    });
    state.putMany(rows);
  } finally {
    task.done();
    // After a failure half-way, the temp files not yet adopted are removed.
    for (const j of jobs.slice(adopted)) if (j.tmp) rmSync(j.tmp, { force: true });
  }
  return md5s;
}

/** Legacy md5-dos2unix hashes, cached in the same state table under a `legacy:` key prefix. */
async function legacyHashes(repo: Repo, files: ScannedFile[], dirRepoPath: string | undefined): Promise<string[]> {
  const state = repo.state();
  const lookup = dirRepoPath !== undefined ? state.lookupUnder(`${LEGACY_KEY}${dirRepoPath}`) : (path: string, stamp: FileStamp) => state.lookup(path, stamp);
  const rows: StateRow[] = [];
  const md5s: string[] = [];
  for (const f of files) {
    const key = `${LEGACY_KEY}${f.repoPath}`;
    let md5 = lookup(key, f.stamp);
    if (md5 === undefined) {
      md5 = await md5Dos2unixFile(f.abs);
      rows.push({ path: key, ...f.stamp, md5 });
    }
    md5s.push(md5);
  }
  state.putMany(rows);
  return md5s;
}

const LEGACY_KEY = 'legacy:';
