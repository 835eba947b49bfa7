import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { addGitignoreEntry, gitignoreEntry, removeGitignoreEntry } from '../formats/gitignore.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { isGitIgnored } from './git.js';
import type { Repo } from './open.js';
import { toRepoPath } from './paths.js';
import { assertConfined, assertIgnorableName } from './safe-path.js';

/**
 * Adds `/<basename>` (escaped) to the `.gitignore` next to an output unless git already ignores it
 * (§3.7). Returns the repo-relative `.gitignore` path when it changed. Nothing happens without git.
 */
export function ignoreOutput(repo: Repo, outAbs: string): string | undefined {
  assertConfined(repo, outAbs, 'replace');
  assertIgnorableName(repo, outAbs);
  if (!repo.gitRoot || isGitIgnored(repo.gitRoot, outAbs)) return undefined;
  const file = join(dirname(outAbs), '.gitignore');
  const before = readText(file);
  const after = addGitignoreEntry(before, gitignoreEntry(basename(outAbs)));
  if (after === before) return undefined;
  writeFileAtomic(file, after);
  return toRepoPath(repo.root, file);
}

/** Removes the output's entry; deletes the `.gitignore` when nothing else is left in it (as DVC). */
export function unignoreOutput(repo: Repo, outAbs: string): string | undefined {
  if (!repo.gitRoot) return undefined;
  assertConfined(repo, outAbs, 'replace');
  const file = join(dirname(outAbs), '.gitignore');
  const before = readText(file);
  const after = removeGitignoreEntry(before, gitignoreEntry(basename(outAbs)));
  if (after === before) return undefined;
  if (after === '') rmSync(file, { force: true });
  else writeFileAtomic(file, after);
  return toRepoPath(repo.root, file);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
