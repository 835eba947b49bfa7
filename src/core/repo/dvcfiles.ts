import { type Dirent, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { type DvcFile, type DvcOut, parseDvcFile } from '../formats/dvcfile.js';
import { type LockFile, parseLock } from '../formats/dvclock.js';
import { readYaml } from '../formats/yaml-read.js';
import type { Repo } from './open.js';
import { resolveInRepo, toRepoPath } from './paths.js';

/**
 * Finds and loads the tracking files of a workspace: every `*.dvc` file and every `dvc.lock`
 * (with its `dvc.yaml`, read only for `cache: false` flags). The walk honours `.dvcignore`, skips
 * `.git`/`.dvc`, and never descends into a tracked output directory (DVC's `collect_files`), so a
 * 10,000-file dataset costs nothing here.
 */
export interface TrackedOutput {
  /** Repo-relative POSIX path of the output. */
  path: string;
  abs: string;
  out: DvcOut;
}

export interface TrackedFile {
  /** Repo-relative POSIX path of the `.dvc` file. */
  path: string;
  abs: string;
  file: DvcFile;
  text: string;
  outputs: TrackedOutput[];
}

export interface LockOutput {
  /** Repo-relative POSIX path of the `dvc.lock` file. */
  lockPath: string;
  stage: string;
  path: string;
  md5: string | undefined;
  legacy: boolean;
  /** False for outputs declared `cache: false` in dvc.yaml. */
  cache: boolean;
}

export interface Workspace {
  dvcFiles: TrackedFile[];
  lockOutputs: LockOutput[];
}

/** Parses one `.dvc` file and resolves its outputs (E_BAD_INPUT / E_OUTSIDE_REPO). */
export function loadDvcFile(repo: Repo, abs: string, text = readFileSync(abs, 'utf8')): TrackedFile {
  const path = toRepoPath(repo.root, abs);
  const file = parseDvcFile(text, path);
  const outputs = file.outs.map((out) => {
    const outAbs = resolveInRepo(repo.root, dirname(abs), out.path, `output path in ${path}`);
    return { path: toRepoPath(repo.root, outAbs), abs: outAbs, out };
  });
  return { path, abs, file, text, outputs };
}

/** `dvcFilesOnly`: skip dvc.lock files (for callers that need only what `.dvc` files track). */
export function collectWorkspace(repo: Repo, options: { dvcFilesOnly?: boolean } = {}): Workspace {
  const dvcFiles: TrackedFile[] = [];
  const lockOutputs: LockOutput[] = [];
  const stack: string[] = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    const absDir = rel ? join(repo.root, rel) : repo.root;
    let entries: Dirent[];
    try {
      entries = readdirSync(absDir, { withFileTypes: true });
    } catch {
      continue;
    }
    const outputsHere = new Set<string>();
    const subdirs: string[] = [];
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        subdirs.push(childRel);
        continue;
      }
      // The name test comes first: an untracked 10,000-file folder (`add` walks it) costs no pattern matching.
      const isDvcFile = e.name.endsWith('.dvc') && e.name !== '.dvc';
      if (!(isDvcFile || e.name === 'dvc.lock') || !e.isFile() || repo.ignore.ignores(childRel, false)) continue;
      if (isDvcFile) {
        const tracked = loadDvcFile(repo, join(absDir, e.name));
        dvcFiles.push(tracked);
        for (const o of tracked.outputs) outputsHere.add(o.path);
      } else if (e.name === 'dvc.lock' && !options.dvcFilesOnly) {
        lockOutputs.push(...loadLockOutputs(repo, childRel));
      }
    }
    for (const o of lockOutputs) outputsHere.add(o.path);
    for (const d of subdirs) if (!outputsHere.has(d) && !repo.ignore.ignores(d, true)) stack.push(d);
  }
  dvcFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { dvcFiles, lockOutputs };
}

function loadLockOutputs(repo: Repo, lockRel: string): LockOutput[] {
  const abs = join(repo.root, lockRel);
  const lock = parseLock(readFileSync(abs, 'utf8'), lockRel);
  let yamlText: string | undefined;
  try {
    yamlText = readFileSync(join(dirname(abs), 'dvc.yaml'), 'utf8');
  } catch {
    yamlText = undefined;
  }
  return lockOutputsOf(lock, lockRel, yamlText, (p) => toRepoPath(repo.root, resolveInRepo(repo.root, dirname(abs), p, `output path in ${lockRel}`)));
}

/**
 * The outputs recorded in a lock file. dvc.lock writes each path relative to its stage's `wdir`
 * (dvc.yaml's, default the lock's folder); `resolve` turns a path relative to the lock's folder into
 * a repo path (identity is fine for object sets).
 */
export function lockOutputsOf(lock: LockFile, lockPath: string, dvcYaml: string | undefined, resolve: (p: string) => string): LockOutput[] {
  const { uncached, wdirs } = outputFacts(dvcYaml);
  return [...lock.stages].flatMap(([stage, s]) =>
    s.outs.map((o) => ({
      lockPath,
      stage,
      path: resolve(posix.join(wdirs.get(stage) ?? '.', o.path)),
      md5: o.md5,
      legacy: o.hash === undefined,
      cache: !uncached.has(`${stage}\0${o.path}`),
    })),
  );
}

/**
 * What the lock's outputs need from dvc.yaml: `stage\0path` of every output declared with
 * `cache: false` (§3.2), and each stage's `wdir`.
 */
function outputFacts(text: string | undefined): { uncached: Set<string>; wdirs: Map<string, string> } {
  const uncached = new Set<string>();
  const wdirs = new Map<string, string>();
  if (text === undefined) return { uncached, wdirs };
  let doc: unknown;
  try {
    doc = readYaml(text, { allowDuplicateKeys: true });
  } catch {
    return { uncached, wdirs }; // an invalid dvc.yaml is reported by the pipeline commands; here outputs stay cached
  }
  const stages = (doc as { stages?: Record<string, unknown> } | null)?.stages;
  if (!stages || typeof stages !== 'object') return { uncached, wdirs };
  for (const [name, stage] of Object.entries(stages)) {
    const wdir = (stage as { wdir?: unknown } | null)?.wdir;
    if (typeof wdir === 'string' && wdir !== '') wdirs.set(name, wdir);
    for (const kind of ['outs', 'metrics', 'plots']) {
      const list = (stage as Record<string, unknown> | null)?.[kind];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (item && typeof item === 'object') {
          for (const [path, flags] of Object.entries(item as Record<string, unknown>)) {
            if ((flags as { cache?: unknown } | null)?.cache === false) uncached.add(`${name}\0${path}`);
          }
        }
      }
    }
  }
  return { uncached, wdirs };
}
