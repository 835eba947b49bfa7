import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCommit, showFile } from '../core/repo/git.js';
import { MlpipeError } from '../errors.js';

/**
 * Reads repository files either from the workspace or as they were at a git revision
 * (`git show REV:./path`, run in the repository root so sub-folder repos work).
 */
export interface TreeReader {
  /** 'workspace' or the revision as the user named it. */
  label: string;
  read(path: string): string | undefined;
}

export function workspaceReader(root: string): TreeReader {
  return {
    label: 'workspace',
    read(path) {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export function revisionReader(root: string, rev: string): TreeReader {
  if (!isCommit(root, rev)) {
    throw new MlpipeError('E_NOT_FOUND', `unknown git revision '${rev}'`, {
      expected: 'a commit, branch or tag of this git repository',
      received: rev,
      hint: 'list revisions with `git log --oneline`',
    });
  }
  return {
    label: rev,
    read: (path) => showFile(root, rev, path),
  };
}

export function readerFor(root: string, rev: string | undefined): TreeReader {
  return rev === undefined || rev === 'workspace' ? workspaceReader(root) : revisionReader(root, rev);
}
