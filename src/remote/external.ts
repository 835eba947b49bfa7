import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dirOid, serializeDirManifest } from '../core/hash/manifest.js';
import type { LocalOdb } from '../core/odb/local.js';
import { type Repo, findGitRootOf, openRepo } from '../core/repo/open.js';
import { revisionOutputs } from '../core/repo/used-objects.js';
import { MlpipeError } from '../errors.js';
import { resolveRemote } from './config.js';
import { openStore } from './stores/open.js';
import { fetchObjects } from './transfer.js';

/**
 * Another DVC repository, read at a revision (DVC's "external repo", `dvc:dvc/dependency/repo.py`):
 * a local path is read in place (its git history, its cache, its remotes; nothing is written
 * there); a git URL is cloned into a temp folder. Data comes from the source's cache when it is a
 * local repository, otherwise from its default remote (any kind mlpipe reads: folder, S3, HTTP,
 * the git-branch remote).
 */
export interface SourceRepo {
  url: string;
  gitRoot: string;
  /** The commit a revision names (the default branch's head when `rev` is undefined). */
  resolveRev(rev?: string): string;
  /** The repository as of `commit` (a clone is checked out there first). */
  repoAt(commit: string): Repo;
  close(): void;
}

const isUrl = (u: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(u) || /^[\w.-]+@[\w.-]+:/.test(u);

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

export function openSource(url: string, cwd: string): SourceRepo {
  const local = !isUrl(url) ? resolve(cwd, url) : undefined;
  let gitRoot: string;
  let clone: string | undefined;
  if (local !== undefined) {
    const root = existsSync(local) ? findGitRootOf(local) : undefined;
    if (!root) throw new MlpipeError('E_NOT_FOUND', `'${url}' is not a git repository`, { expected: 'a local path or a git URL of a DVC repository', received: url });
    gitRoot = local;
  } else {
    clone = mkdtempSync(join(tmpdir(), 'mlpipe-src-'));
    const r = git(tmpdir(), ['clone', '-q', '--no-checkout', url, clone]);
    if (!r.ok) {
      rmSync(clone, { recursive: true, force: true });
      throw new MlpipeError('E_REMOTE', `git clone of '${url}' failed: ${r.err.split('\n').pop() ?? ''}`, { hint: 'check the URL and your git credentials' });
    }
    gitRoot = clone;
  }
  const opened: Repo[] = [];
  return {
    url,
    gitRoot,
    resolveRev(rev) {
      const tries = rev === undefined ? ['HEAD'] : [rev, `origin/${rev}`];
      for (const t of tries) {
        const r = git(gitRoot, ['rev-parse', '--verify', '-q', `${t}^{commit}`]);
        if (r.ok) return r.out;
      }
      throw new MlpipeError('E_NOT_FOUND', `unknown revision '${rev}' in ${url}`, { hint: `list them: git ls-remote ${url}` });
    },
    repoAt(commit) {
      if (clone) {
        const r = git(clone, ['checkout', '-q', '--detach', '-f', commit]);
        if (!r.ok) throw new MlpipeError('E_NOT_FOUND', `cannot check out ${commit} of ${url}: ${r.err}`);
      }
      const repo = openRepo(gitRoot);
      opened.push(repo);
      return repo;
    },
    close() {
      for (const r of opened) r.close();
      if (clone) rmSync(clone, { recursive: true, force: true });
    },
  };
}

/** What PATH is at a commit of the source: a DVC-tracked file or folder (or part of one), or a git file. */
export type Located =
  | { kind: 'file'; md5: string; size: number }
  | { kind: 'dir'; md5: string; size: number; nfiles: number; entries: { relpath: string; md5: string }[] }
  | { kind: 'git'; bytes: Buffer };

/**
 * Finds PATH at `commit` and brings every object it needs into `dest` (the caller's cache or a
 * temp one): from the source's own cache when it has them, otherwise from its default remote.
 */
export async function fetchPath(src: SourceRepo, commit: string, path: string, dest: LocalOdb, signal?: AbortSignal): Promise<Located> {
  const repo = src.repoAt(commit);
  const clean = path.replace(/^\.\//, '').replace(/\/+$/, '');
  const outs = revisionOutputs(repo, [commit]).filter((o) => o.md5 !== undefined);
  const out = outs.filter((o) => o.path === clean || clean.startsWith(`${o.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
  if (!out) {
    if (outs.some((o) => o.path.startsWith(`${clean}/`))) {
      throw new MlpipeError('E_BAD_INPUT', `'${clean}' holds several tracked outputs in ${src.url}`, { hint: 'get or import them one by one' });
    }
    const blob = spawnSync('git', ['cat-file', 'blob', `${commit}:${clean}`], { cwd: src.gitRoot, maxBuffer: 1 << 30 });
    if (blob.status === 0) return { kind: 'git', bytes: blob.stdout };
    throw new MlpipeError('E_NOT_FOUND', `'${clean}' is not tracked in ${src.url} at ${commit.slice(0, 7)}`, { hint: `list it: git -C ${src.url} ls-tree -r ${commit}` });
  }
  const get = (oids: string[]) => obtain(repo, dest, oids, signal);
  const md5 = out.md5 as string;
  if (!md5.endsWith('.dir')) {
    await get([md5]);
    return { kind: 'file', md5, size: statSync(dest.path(md5)).size };
  }
  await get([md5]);
  let entries = dest.readManifest(md5);
  let oid = md5;
  if (clean !== out.path) {
    const sub = clean.slice(out.path.length + 1);
    const file = entries.find((e) => e.relpath === sub);
    if (file) {
      await get([file.md5]);
      return { kind: 'file', md5: file.md5, size: statSync(dest.path(file.md5)).size };
    }
    entries = entries.filter((e) => e.relpath.startsWith(`${sub}/`)).map((e) => ({ relpath: e.relpath.slice(sub.length + 1), md5: e.md5 }));
    if (entries.length === 0) throw new MlpipeError('E_NOT_FOUND', `'${clean}' is not in ${out.path} at ${commit.slice(0, 7)}`);
    // a part of a tracked folder is a folder of its own: its manifest is made as DVC makes it
    const text = serializeDirManifest(entries);
    oid = dirOid(text);
    dest.addBytes(text, oid);
  }
  await get([...new Set(entries.map((e) => e.md5))]);
  const size = entries.reduce((n, e) => n + statSync(dest.path(e.md5)).size, 0);
  return { kind: 'dir', md5: oid, size, nfiles: entries.length, entries };
}

async function obtain(repo: Repo, dest: LocalOdb, oids: string[], signal?: AbortSignal): Promise<void> {
  const fromRemote: string[] = [];
  for (const oid of oids) {
    if (dest.has(oid)) continue;
    if (repo.cache.has(oid)) {
      if (oid.endsWith('.dir')) dest.addBytes(readFileSync(repo.cache.path(oid)), oid);
      else dest.addFile(repo.cache.path(oid), oid);
    } else fromRemote.push(oid);
  }
  if (fromRemote.length === 0) return;
  const { spec } = resolveRemote(repo.root);
  const scratch = mkdtempSync(join(tmpdir(), 'mlpipe-remote-'));
  const store = await openStore(spec, { configDir: repo.dvcDir, repoRoot: repo.root, tmpDir: scratch });
  try {
    const files = fromRemote.filter((o) => !o.endsWith('.dir'));
    const dirs = fromRemote.filter((o) => o.endsWith('.dir')).map((oid) => ({ oid, members: [] }));
    const summary = await fetchObjects({ files, dirs }, { cache: dest, store, signal });
    const lost = [...summary.missing, ...summary.failed.map((f) => f.oid)];
    if (lost.length > 0) {
      throw new MlpipeError('E_MISSING_CACHE', `${lost.length} object(s) are neither in the source's cache nor on its remote '${spec.name}' (${spec.url})`, {
        data: { missing: lost },
        hint: 'the source repository has to `push` its data first',
      });
    }
  } finally {
    await store.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
