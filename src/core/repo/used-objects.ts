import { posix } from 'node:path';
import { relative } from 'node:path';
import { parseDvcFile } from '../formats/dvcfile.js';
import { parseLock } from '../formats/dvclock.js';
import type { ObjectRef } from '../odb/local.js';
import { collectWorkspace, lockOutputsOf } from './dvcfiles.js';
import { allCommits, listTree, readBlobs } from './git.js';
import type { Repo } from './open.js';
import { MlpipeError } from '../../errors.js';

/**
 * The objects referenced by the tracking files (`.dvc` and `dvc.lock` outputs with `cache` on) of
 * the workspace and/or git revisions, including every member of each `.dir` manifest (§4.5 step 1).
 * This is the set push/fetch/pull transfer and gc keeps. Manifests are read from the local cache;
 * a manifest that is not there is reported in `missingManifests` (its members are unknown).
 */
export interface UsedObject extends ObjectRef {
  /** Repo-relative output path (a dir member: `dir/relpath`), for messages. */
  path: string;
  /** The output's `remote:` (per-output remote), if any. */
  remote?: string;
  /** False when the output says `push: false`. */
  push: boolean;
  /** For `.dir` members: the manifest oid. */
  dir?: string;
}

export interface UsedObjects {
  /** Keyed by `legacy ? 'legacy:' : ''` + oid. */
  objects: Map<string, UsedObject>;
  missingManifests: UsedObject[];
}

export interface CollectOptions {
  /** Only outputs at or under these repo-relative paths (or the outputs of these `.dvc` files). */
  targets?: string[];
  /** Git revisions to include (branch, tag, sha). */
  revs?: string[];
  /** Every commit (`git rev-list --all`). */
  allCommits?: boolean;
  /** Include the workspace (default: true unless revs or allCommits are given). */
  workspace?: boolean;
}

export interface Output {
  path: string;
  md5: string | undefined;
  legacy: boolean;
  cache: boolean;
  push: boolean;
  remote?: string;
  dvcFile?: string;
}

export function objectKey(ref: ObjectRef): string {
  return ref.legacy ? `legacy:${ref.oid}` : ref.oid;
}

export async function collectUsedObjects(repo: Repo, options: CollectOptions = {}): Promise<UsedObjects> {
  const outputs: Output[] = [];
  const workspace = options.workspace ?? (!options.revs?.length && !options.allCommits);
  if (workspace) {
    const ws = collectWorkspace(repo);
    for (const f of ws.dvcFiles)
      for (const o of f.outputs) outputs.push({ path: o.path, md5: o.out.md5, legacy: o.out.legacy, cache: o.out.cache, push: o.out.push, remote: o.out.remote, dvcFile: f.path });
    for (const o of ws.lockOutputs) outputs.push({ ...o, push: true });
  }
  const revs = [...(options.revs ?? []), ...(options.allCommits ? allCommitsOf(repo) : [])];
  if (revs.length) outputs.push(...revisionOutputs(repo, revs));

  const selected = outputs.filter((o) => o.cache && o.md5 !== undefined && matchesTargets(o, options.targets));
  const result: UsedObjects = { objects: new Map(), missingManifests: [] };
  const add = (obj: UsedObject) => {
    const key = objectKey(obj);
    if (!result.objects.has(key)) result.objects.set(key, obj);
  };
  for (const o of selected) {
    const obj: UsedObject = { oid: o.md5!, legacy: o.legacy, path: o.path, push: o.push, ...(o.remote ? { remote: o.remote } : {}) };
    add(obj);
    if (!o.md5!.endsWith('.dir')) continue;
    if (!repo.cache.has(o.md5!, o.legacy)) {
      result.missingManifests.push(obj);
      continue;
    }
    for (const e of repo.cache.readManifest(o.md5!, o.legacy)) {
      add({ oid: e.md5, legacy: o.legacy, path: `${o.path}/${e.relpath}`, push: o.push, dir: o.md5!, ...(o.remote ? { remote: o.remote } : {}) });
    }
  }
  return result;
}

function matchesTargets(o: Output, targets: string[] | undefined): boolean {
  if (!targets?.length) return true;
  return targets.some((t) => {
    const n = t.replace(/\/+$/, '');
    if (n === '' || n === '.') return true;
    return o.path === n || o.path.startsWith(`${n}/`) || n.startsWith(`${o.path}/`) || o.dvcFile === n;
  });
}

function allCommitsOf(repo: Repo): string[] {
  if (!repo.gitRoot) throw noGit();
  return allCommits(repo.gitRoot);
}

/** Outputs of the `.dvc` and `dvc.lock` files committed in each revision (blobs read once). */
export function revisionOutputs(repo: Repo, revs: string[]): Output[] {
  if (!repo.gitRoot) throw noGit();
  const gitRoot = repo.gitRoot;
  // The repo may sit in a sub-folder of the git work tree (`init --subdir`).
  const prefix = posix.normalize(relative(gitRoot, repo.root).split('\\').join('/'));
  const inRepo = (p: string) => (prefix === '.' ? p : p.startsWith(`${prefix}/`) ? p.slice(prefix.length + 1) : undefined);
  const wanted = (p: string) => {
    const r = inRepo(p);
    if (r === undefined || r.startsWith('.dvc/')) return false;
    const base = posix.basename(r);
    return (base.endsWith('.dvc') && base !== '.dvc') || base === 'dvc.lock' || base === 'dvc.yaml';
  };
  const trees = revs.map((rev) => ({ rev, files: listTree(gitRoot, rev, wanted) }));
  const blobs = readBlobs(gitRoot, trees.flatMap((t) => t.files.map((f) => f.blob)));
  const seen = new Set<string>();
  const outputs: Output[] = [];
  for (const { rev, files } of trees) {
    const byPath = new Map(files.map((f) => [inRepo(f.path)!, f.blob]));
    for (const [path, blob] of byPath) {
      const base = posix.basename(path);
      if (base === 'dvc.yaml') continue;
      const dir = posix.dirname(path);
      const key = `${path}\0${blob}${base === 'dvc.lock' ? `\0${byPath.get(posix.join(dir, 'dvc.yaml')) ?? ''}` : ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const text = blobs.get(blob) ?? '';
      const where = `${path} at ${rev}`;
      const resolve = (p: string) => repoPath(dir, p, where);
      if (base === 'dvc.lock') {
        const yaml = byPath.get(posix.join(dir, 'dvc.yaml'));
        const lockOuts = lockOutputsOf(parseLock(text, where), path, yaml ? blobs.get(yaml) : undefined, resolve);
        outputs.push(...lockOuts.map((o) => ({ ...o, push: true })));
      } else {
        for (const o of parseDvcFile(text, where).outs) {
          outputs.push({ path: resolve(o.path), md5: o.md5, legacy: o.legacy, cache: o.cache, push: o.push, remote: o.remote, dvcFile: path });
        }
      }
    }
  }
  return outputs;
}

/** A path from a committed tracking file, kept inside the repo (E_OUTSIDE_REPO otherwise). */
function repoPath(dir: string, p: string, where: string): string {
  const joined = posix.normalize(posix.join(dir, p));
  if (posix.isAbsolute(p) || joined === '..' || joined.startsWith('../') || joined === '.' || joined.split('/')[0] === '.dvc' || joined.split('/')[0] === '.git') {
    throw new MlpipeError('E_OUTSIDE_REPO', `output path ${JSON.stringify(p)} in ${where} is outside the repository's workspace`, {
      expected: 'a relative path inside the repository',
      received: p,
      hint: 'fix the tracking file in that revision, or leave the revision out',
    });
  }
  return joined;
}

function noGit(): MlpipeError {
  return new MlpipeError('E_NOT_A_GIT_REPO', 'git revisions need a git repository', {
    expected: 'a repository inside a git work tree',
    received: 'no git (or core.no_scm = true)',
    hint: 'use --workspace, or run `git init` and commit your .dvc files',
  });
}
