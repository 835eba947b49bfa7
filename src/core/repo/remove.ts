import { rmSync } from 'node:fs';
import { MlpipeError } from '../../errors.js';
import { collectWorkspace } from './dvcfiles.js';
import { unignoreOutput } from './gitignore-file.js';
import type { Repo } from './open.js';
import { toRepoTargets } from './paths.js';
import { assertConfined } from './safe-path.js';

/**
 * `mlpipe remove TARGET...` (DVC's `dvc remove`): stops tracking — deletes the `.dvc` file and its
 * `.gitignore` entries. The data stays in the workspace and the cache unless `outs` is set, in which
 * case the workspace copy is deleted too (the cache keeps it until `gc`).
 */
export interface RemoveOptions {
  /** `.dvc` files or tracked output paths, relative to `cwd` (default: the repo root). */
  targets: string[];
  cwd?: string;
  outs?: boolean;
}

export async function remove(repo: Repo, options: RemoveOptions): Promise<{ removed: string[] }> {
  return repo.withLock(() => {
    const files = collectWorkspace(repo).dvcFiles;
    const targets = toRepoTargets(repo.root, options.cwd ?? repo.root, options.targets) ?? [];
    const chosen = targets.map((t) => {
      const n = t.replace(/\/+$/, '');
      const f = files.find((x) => x.path === n || x.outputs.some((o) => o.path === n));
      if (!f) {
        throw new MlpipeError('E_NOT_FOUND', `${t} is not tracked by a .dvc file`, {
          expected: 'a .dvc file or a tracked output',
          received: t,
          hint: 'run `mlpipe ls` to see what is tracked',
        });
      }
      return f;
    });
    // Every path is checked before the first deletion.
    for (const f of chosen) for (const o of f.outputs) assertConfined(repo, o.abs, 'replace');
    for (const f of chosen) {
      for (const o of f.outputs) {
        unignoreOutput(repo, o.abs);
        if (options.outs) rmSync(o.abs, { recursive: true, force: true });
      }
      rmSync(f.abs, { force: true });
    }
    return { removed: chosen.map((f) => f.path) };
  });
}
