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
      hint: 'pick another name with -n, or remove it with `git update-ref -d` on the ref',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-exp-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    git(root, ['read-tree', 'HEAD'], env);
    git(root, ['add', '-A', '.'], env);
    const tree = git(root, ['write-tree'], env).trim();
    const commit = git(root, ['commit-tree', tree, '-p', baseline, '-m', message], env).trim();
    git(root, ['update-ref', ref, commit]);
    return { ref, name, baseline, commit, created: commitTime(root, commit) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

/** Sends (`push`) or fetches (`pull`) every experiment ref to or from a git remote. */
export function syncExperiments(root: string, remote: string, direction: 'push' | 'pull'): ExpRef[] {
  const spec = `+${EXPS_NAMESPACE}/*:${EXPS_NAMESPACE}/*`;
  if (direction === 'push') git(root, ['push', remote, spec]);
  else git(root, ['fetch', remote, spec]);
  return listExperiments(root);
}
