import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { git } from './git.js';
import { findGitRootOf } from './open.js';

/**
 * `mlpipe init` (DVC's `dvc/repo/init.py`, ../shared/docs/dvc-format.md §3.5-3.7): creates `.dvc/`
 * with an empty `config` (or `[core] no_scm = True`), `.dvc/.gitignore` and `.dvcignore`, byte for
 * byte as DVC, then stages them in git. Without `subdir` the folder must be the git root; with it,
 * any folder inside a git work tree.
 */
export interface InitOptions {
  cwd: string;
  /** Initialise inside a sub-folder of a git repository (`dvc init --subdir`). */
  subdir?: boolean;
  /** No git at all (`dvc init --no-scm`). */
  noScm?: boolean;
  /** Re-initialise over an existing `.dvc/` (keeps the cache and config.local). */
  force?: boolean;
}

export interface InitResult {
  root: string;
  scm: boolean;
  files: string[];
}

export const DVCIGNORE_TEXT =
  '# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n# https://dvc.org/doc/user-guide/dvcignore\n';
export const DVC_GITIGNORE_TEXT = '/config.local\n/tmp\n/cache\n';

export function initRepo(options: InitOptions): InitResult {
  const root = resolve(options.cwd);
  const gitRoot = options.noScm ? undefined : findGitRootOf(root);
  if (!options.noScm) {
    if (!gitRoot || (gitRoot !== root && !options.subdir)) {
      throw new MlpipeError('E_NOT_A_GIT_REPO', `${root} is not tracked by git`, {
        expected: options.subdir ? 'a folder inside a git work tree' : 'the root folder of a git repository',
        received: gitRoot ? `a sub-folder of the git repository ${gitRoot}` : 'a folder outside any git repository',
        hint: gitRoot ? 'use `mlpipe init --subdir` to initialise inside a sub-folder' : 'run `git init` first, or use `mlpipe init --no-scm`',
      });
    }
  }
  const dvcDir = join(root, '.dvc');
  if (existsSync(dvcDir) && !options.force) {
    throw new MlpipeError('E_CONFLICT', `${dvcDir} already exists`, {
      expected: 'a folder without .dvc/',
      received: 'an existing repository',
      hint: 'use `mlpipe init --force` to re-initialise it (the cache is kept)',
    });
  }
  mkdirSync(dvcDir, { recursive: true });
  writeFileSync(join(dvcDir, 'config'), options.noScm ? '[core]\n    no_scm = True\n' : '');
  writeFileSync(join(dvcDir, '.gitignore'), DVC_GITIGNORE_TEXT);
  writeFileSync(join(root, '.dvcignore'), DVCIGNORE_TEXT);
  const files = ['.dvc/config', '.dvc/.gitignore', '.dvcignore'];
  if (gitRoot) git(root, ['add', '--', ...files]);
  return { root, scm: gitRoot !== undefined, files };
}
