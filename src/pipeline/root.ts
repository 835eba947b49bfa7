import { MlpipeError } from '../errors.js';
import { findRepoRoot } from '../core/repo/find-root.js';

/** The repository root for pipeline commands (the folder holding `.dvc/`). */
export function requireRoot(cwd: string): string {
  const root = findRepoRoot(cwd);
  if (root === undefined) {
    throw new MlpipeError('E_NOT_A_REPO', `not inside an mlpipe/DVC repository: ${cwd}`, {
      expected: 'a folder (or sub-folder) that contains .dvc/',
      received: cwd,
      hint: 'run `mlpipe init` in your git repository first',
    });
  }
  return root;
}
