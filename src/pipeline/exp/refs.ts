import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git as runGit } from '../../core/repo/git.js';
import { MlpipeError } from '../../errors.js';

/**
 * Experiments are git commits kept under DVC's ref layout
 * `refs/exps/<baseline[0:2]>/<baseline[2:]>/<name>` (`dvc:dvc/repo/experiments/refs.py`): the
 * workspace (git-tracked and untracked, not ignored files: params, dvc.lock, small metrics) is
 * committed on top of the baseline without touching HEAD, the index or the branch. They travel with
 * `git push origin 'refs/exps/*:refs/exps/*'` (`mlpipe exp push`) and `mlpipe exp pull`.
 */
export const EXPS_NAMESPACE = 'refs/exps';

export interface ExpRef {
  ref: string;
  name: string;
  baseline: string;
  commit: string;
  /** Commit time, ISO 8601. */
  created: string;
}

const EXP_FAILURE = {
  code: 'E_NOT_A_GIT_REPO',
  expected: 'a git repository with at least one commit',
  hint: 'experiments need git: run `git init && git add -A && git commit -m init` first',
} as const;

/** A git command for experiments: a failure means there is no usable git repository. */
export function git(cwd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return runGit(cwd, args, { env, failure: EXP_FAILURE });
}

export function headCommit(root: string): string {
  return git(root, ['rev-parse', 'HEAD']).trim();
}

export function expRefName(baseline: string, name: string): string {
  return `${EXPS_NAMESPACE}/${baseline.slice(0, 2)}/${baseline.slice(2)}/${name}`;
}

/** Commits the workspace as a child of HEAD with a private index, and points the exp ref at it. */
export function saveExperiment(root: string, name: string, message: string): ExpRef {
  const baseline = headCommit(root);
  const ref = expRefName(baseline, name);
  if (git(root, ['for-each-ref', '--format=%(refname)', ref]).trim() !== '') {
    throw new MlpipeError('E_CONFLICT', `an experiment named '${name}' already exists for this commit`, {
      expected: 'a new experiment name',
      received: name,
      hint: `pick another name with -n, or remove it with \`mlpipe exp remove ${name}\``,
    });
  }
  const commit = commitWorkspace(root, baseline, message);
  git(root, ['update-ref', ref, commit]);
  return { ref, name, baseline, commit, created: commitTime(root, commit) };
}

/**
 * A commit of the workspace (git-tracked and untracked, not ignored files) on top of `parent`,
 * written through a private index so that HEAD, the index and the branch stay as they are.
 * `replace` puts other contents at repo-relative paths (queued overrides) without touching the files.
 */
export function commitWorkspace(root: string, parent: string, message: string, replace: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-exp-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    git(root, ['read-tree', parent], env);
    git(root, ['add', '-A', '.'], env);
    for (const [path, text] of Object.entries(replace)) {
      const blob = runGit(root, ['hash-object', '-w', '--stdin'], { input: text, failure: EXP_FAILURE }).trim();
      git(root, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], env);
    }
    const tree = git(root, ['write-tree'], env).trim();
    return git(root, ['commit-tree', tree, '-p', parent, '-m', message], { ...env, ...fallbackIdentity(root) }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deletes experiment refs (the commits go with the next `git gc`). */
export function removeExperiments(root: string, exps: ExpRef[]): void {
  for (const e of exps) git(root, ['update-ref', '-d', e.ref, e.commit]);
}

/**
 * A fresh CI runner (GitHub's included) has no `user.name`/`user.email`, and `git commit-tree` then
 * refuses to commit. The user's identity wins wherever git finds one (config or GIT_* variables);
 * only when it finds none do experiment commits get a neutral one.
 */
function fallbackIdentity(root: string): NodeJS.ProcessEnv {
  const known = (v: 'GIT_AUTHOR_IDENT' | 'GIT_COMMITTER_IDENT') => {
    try {
      runGit(root, ['var', v]);
      return true;
    } catch {
      return false;
    }
  };
  const env: NodeJS.ProcessEnv = {};
  if (!known('GIT_AUTHOR_IDENT')) Object.assign(env, { GIT_AUTHOR_NAME: 'mlpipe', GIT_AUTHOR_EMAIL: 'mlpipe@localhost' });
  if (!known('GIT_COMMITTER_IDENT')) Object.assign(env, { GIT_COMMITTER_NAME: 'mlpipe', GIT_COMMITTER_EMAIL: 'mlpipe@localhost' });
  return env;
}

function commitTime(root: string, commit: string): string {
  return git(root, ['show', '-s', '--format=%cI', commit]).trim();
}

/** Experiments of one baseline (default HEAD), or of every baseline. */
export function listExperiments(root: string, baseline?: string): ExpRef[] {
  const prefix = baseline ? `${EXPS_NAMESPACE}/${baseline.slice(0, 2)}/${baseline.slice(2)}/` : `${EXPS_NAMESPACE}/`;
  const out = git(root, ['for-each-ref', '--format=%(refname) %(objectname) %(committerdate:iso-strict)', prefix]).trim();
  if (out === '') return [];
  return out.split('\n').map((line) => {
    const [ref = '', commit = '', created = ''] = line.split(' ');
    const parts = ref.split('/');
    return { ref, name: parts.slice(4).join('/'), baseline: `${parts[2]}${parts[3]}`, commit, created };
  });
}

export function findExperiment(root: string, name: string): ExpRef {
  const matches = listExperiments(root).filter((e) => e.name === name || e.commit.startsWith(name));
  if (matches.length === 1) return matches[0] as ExpRef;
  throw new MlpipeError(matches.length === 0 ? 'E_NOT_FOUND' : 'E_CONFLICT', matches.length === 0 ? `no experiment named '${name}'` : `'${name}' names ${matches.length} experiments`, {
    expected: 'the name (or commit prefix) of one experiment',
    received: name,
    hint: 'list experiments with `mlpipe exp show --all`',
  });
}
