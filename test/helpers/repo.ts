import { execFileSync } from 'node:child_process';
import { initRepo } from '../../src/core/repo/init.js';
import { type Repo, openRepo } from '../../src/core/repo/open.js';
import { type TempRepo, tempRepo } from './tree.js';

/**
 * A temp git repo with `mlpipe init` done and opened, `prepare` run on it first (to copy input in).
 * `cleanup` closes the state DB and removes the folder, read-only cache objects included.
 */
export function openedTempRepo(prepare?: (t: TempRepo) => void): { t: TempRepo; repo: Repo; cleanup: () => void } {
  const t = tempRepo();
  prepare?.(t);
  initRepo({ cwd: t.dir });
  const repo = openRepo(t.dir);
  const cleanup = () => {
    repo.close();
    execFileSync('chmod', ['-R', 'u+w', t.dir]);
    t.cleanup();
  };
  return { t, repo, cleanup };
}
