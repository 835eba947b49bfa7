import { serializeUpdatedDvcFile, type OutHash } from '../formats/dvcfile.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { ProgressReporter } from '../progress.js';
import { collectWorkspace } from './dvcfiles.js';
import { commitPath } from './hash-path.js';
import type { Repo } from './open.js';
import { toRepoTargets } from './paths.js';
import { relinkOutput } from './relink.js';
import { outputStatus, selectDvcFiles } from './status.js';

/**
 * `mlpipe commit [TARGET...]`: records the current workspace content of tracked outputs that changed
 * (or are not in the cache) into the cache and their `.dvc` files. Unchanged legacy entries keep their
 * bytes; changed ones become DVC 3 entries (§1.2 upgrade rule).
 */
export interface CommitOptions {
  /** Relative to `cwd` (default: the repo root). */
  targets?: string[];
  cwd?: string;
  progress?: ProgressReporter;
}

export interface CommittedFile {
  dvcFile: string;
  outputs: string[];
}

export async function commit(repo: Repo, options: CommitOptions = {}): Promise<CommittedFile[]> {
  return repo.withLock(async () => {
    const files = selectDvcFiles(collectWorkspace(repo).dvcFiles, toRepoTargets(repo.root, options.cwd ?? repo.root, options.targets));
    const done: CommittedFile[] = [];
    for (const f of files) {
      const hashes: (OutHash | undefined)[] = [];
      const changed: string[] = [];
      for (const o of f.outputs) {
        const status = await outputStatus(repo, o.abs, o.out.md5, o.out.legacy, o.out.cache, options.progress);
        if (!status || status === 'deleted' || !o.out.cache) {
          hashes.push(undefined);
          continue;
        }
        const h = await commitPath(repo, o.abs, { progress: options.progress });
        await relinkOutput(repo, o.abs, h);
        hashes.push({ md5: h.md5, size: h.size, ...(h.isdir ? { nfiles: h.nfiles } : {}), ...(h.isexec ? { isexec: true } : {}) });
        changed.push(o.path);
      }
      if (!changed.length) continue;
      const legacyUpgraded = { ...f.file, outs: f.file.outs.map((o, i) => (hashes[i] && hashes[i]!.md5 !== o.md5 ? { ...o, legacy: false } : o)) };
      const text = serializeUpdatedDvcFile(legacyUpgraded, hashes);
      if (text !== f.text) writeFileAtomic(f.abs, text);
      done.push({ dvcFile: f.path, outputs: changed });
    }
    return done;
  });
}
