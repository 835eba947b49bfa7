import { MlpipeError } from '../errors.js';
import { findGitRootOf } from '../core/repo/open.js';
import { readAnnotatedTags, readCommits } from './git-tags.js';
import { parseTagName } from './names.js';
import { type RegistryState, buildState } from './state.js';

/** The git repository the registry lives in (the tags are the registry; no .dvc is needed). */
export function registryRoot(cwd: string): string {
  const root = findGitRootOf(cwd);
  if (!root) {
    throw new MlpipeError('E_NOT_A_GIT_REPO', 'the model registry needs a git repository (its versions and stages are git tags)', {
      received: cwd,
      hint: 'run `git init` first, or pass -C DIR',
    });
  }
  return root;
}

/** Reads every GTO tag and the commits they point to, and derives the registry state. */
export function loadState(gitRoot: string): RegistryState {
  const tags = readAnnotatedTags(gitRoot, (name) => parseTagName(name) !== undefined);
  const commits = readCommits(
    gitRoot,
    tags.map((t) => t.target),
  );
  return buildState(tags, commits);
}
