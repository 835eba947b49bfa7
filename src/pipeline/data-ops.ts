import type { LockItem } from './lockfile.js';

/**
 * What pipelines need from the versioning core: hashing workspace paths (with its state cache),
 * committing outputs to the cache, cache presence, and .gitignore entries. Paths are repo-relative.
 */
export interface HashInfo {
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
}

export interface DataOps {
  root: string;
  /**
   * Current hash of a path; undefined when it does not exist. `legacy` hashes as DVC 2 did
   * (md5-dos2unix), to compare with a lock entry written without `hash: md5` (§1.2).
   */
  hash(path: string, legacy?: boolean): Promise<HashInfo | undefined>;
  /** Stores an output in the cache (and links the workspace copy back); returns its hash. */
  commit(path: string): Promise<HashInfo>;
  /** Whether a locked output's object (and every member of a `.dir`) is in the cache. */
  inCache(item: LockItem): Promise<boolean>;
  /** Adds the output's entry to the .gitignore of its folder, as DVC does for cached outputs. */
  ignore(path: string): void;
  /** Outputs tracked by `.dvc` files (not by stages), to refuse stage outputs overlapping them. */
  trackedOutputs(): { path: string; dvcFile: string }[];
  /**
   * The run-cache (./run-cache.ts) and what it needs: storing an output's object without linking
   * the workspace copy (for `cache: false` outputs, which DVC stores when it records a run), and
   * materialising one output from the cache. Optional: without them repro records and restores nothing.
   */
  runCache?: {
    dir: string;
    store(path: string): Promise<HashInfo>;
    restore(path: string, item: LockItem): Promise<void>;
  };
  /** Materialises every output recorded in dvc.lock from the cache (as `mlpipe checkout`). */
  checkout(): Promise<void>;
  /** Takes the repository lock (re-entrant; E_LOCKED when another process holds it). */
  lock(): void;
  unlock(): void;
  close(): void;
}

/**
 * Remembers hashes for one repro/status run: an output of one stage is a dependency of the next,
 * and hashing a 10,000-file folder twice costs twice. `forget` drops paths a stage just rewrote.
 */
export function memoizeHashes(ops: DataOps): DataOps & { forget(paths: string[]): void } {
  const memo = new Map<string, Promise<HashInfo | undefined>>();
  return {
    ...ops,
    hash(path, legacy = false) {
      const key = `${legacy ? 'legacy:' : ''}${path}`;
      let h = memo.get(key);
      if (h === undefined) {
        h = ops.hash(path, legacy);
        memo.set(key, h);
      }
      return h;
    },
    forget(paths) {
      for (const p of paths) {
        memo.delete(p);
        memo.delete(`legacy:${p}`);
      }
    },
  };
}
