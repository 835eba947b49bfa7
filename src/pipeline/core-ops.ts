import { join } from 'node:path';
import { checkoutOutput } from '../core/repo/checkout-output.js';
import { collectWorkspace } from '../core/repo/dvcfiles.js';
import { ignoreOutput } from '../core/repo/gitignore-file.js';
import { commitPath, hashPath } from '../core/repo/hash-path.js';
import { type Repo, openRepo } from '../core/repo/open.js';
import { relinkOutput } from '../core/repo/relink.js';
import { inCache } from '../core/repo/status.js';
import type { DataOps, HashInfo } from './data-ops.js';
import { loadLock, loadPipeline } from './load.js';
import { workspaceReader } from './revision.js';

/** DataOps backed by the versioning core (state-cached hashing, the local cache, .gitignore). */
export function openDataOps(cwd: string): DataOps {
  return dataOpsFor(openRepo(cwd));
}

/** DataOps over an already opened repository (for commands that also use it directly, like status). */
export function dataOpsFor(repo: Repo): DataOps {
  const abs = (path: string) => join(repo.root, path);
  return {
    root: repo.root,
    async hash(path, legacy) {
      const h = await hashPath(repo, abs(path), { legacy, entries: false });
      return h && info(h);
    },
    async commit(path) {
      const h = await commitPath(repo, abs(path));
      await relinkOutput(repo, abs(path), h);
      return info(h);
    },
    async inCache(item) {
      return item.md5 !== undefined && inCache(repo, item.md5, item.hash === undefined);
    },
    ignore(path) {
      ignoreOutput(repo, abs(path));
    },
    trackedOutputs() {
      return collectWorkspace(repo, { dvcFilesOnly: true }).dvcFiles.flatMap((f) => f.outputs.map((o) => ({ path: o.path, dvcFile: f.path })));
    },
    runCache: {
      dir: join(repo.cache.root, 'runs'),
      async store(path) {
        return info(await commitPath(repo, abs(path)));
      },
      async restore(path, item) {
        if (item.md5 === undefined) return;
        await checkoutOutput(repo, { abs: abs(path), md5: item.md5, legacy: item.hash === undefined, isexec: item.isexec }, { force: true });
      },
    },
    async checkout() {
      const reader = workspaceReader(repo.root);
      const pipeline = loadPipeline(reader);
      const lock = loadLock(reader);
      for (const stage of pipeline.stages) {
        for (const out of stage.outs) {
          const item = lock.stages.get(stage.name)?.outs.find((o) => o.path === out.defPath);
          if (!out.cache || item?.md5 === undefined) continue;
          await checkoutOutput(repo, { abs: abs(out.path), md5: item.md5, legacy: item.hash === undefined, isexec: item.isexec });
        }
      }
    },
    lock: () => repo.lock.acquire(),
    unlock: () => repo.lock.release(),
    close: () => repo.close(),
  };
}

function info(h: { md5: string; size: number; nfiles?: number; isdir: boolean; isexec: boolean }): HashInfo {
  const out: HashInfo = { md5: h.md5, size: h.size };
  if (h.isdir) out.nfiles = h.nfiles ?? 0;
  if (h.isexec) out.isexec = true;
  return out;
}
