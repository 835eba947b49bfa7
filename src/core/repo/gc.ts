import { statSync } from 'node:fs';
import { MlpipeError } from '../../errors.js';
import type { ObjectRef } from '../odb/local.js';
import type { Repo } from './open.js';
import { collectUsedObjects, objectKey } from './used-objects.js';

/**
 * `mlpipe gc` (§6.3): deletes cache objects that none of the chosen scopes reference, and temp files
 * left by interrupted writes. A scope is mandatory as in DVC. Runs under the repo lock, so no writer
 * is adding objects meanwhile. `dryRun` only plans (the CLI shows the plan before asking).
 */
export interface GcOptions {
  workspace?: boolean;
  allCommits?: boolean;
  revs?: string[];
  dryRun?: boolean;
}

export interface GcResult {
  removed: (ObjectRef & { size: number })[];
  kept: number;
  bytes: number;
  tmpFiles: number;
  /** `.dir` objects referenced but absent: their members could not be protected by name. */
  missingManifests: string[];
}

export async function gc(repo: Repo, options: GcOptions): Promise<GcResult> {
  if (!options.workspace && !options.allCommits && !options.revs?.length) {
    throw new MlpipeError('E_USAGE', 'gc needs a scope: which revisions keep their data', {
      expected: 'one of --workspace, --all-commits or --rev REV',
      received: 'no scope',
      hint: 'run `mlpipe gc --workspace` to keep only what the current workspace uses',
    });
  }
  return repo.withLock(async () => {
    const used = await collectUsedObjects(repo, { workspace: options.workspace ?? false, allCommits: options.allCommits, revs: options.revs });
    const removed: GcResult['removed'] = [];
    let kept = 0;
    for (const ref of repo.cache.list()) {
      if (used.objects.has(objectKey(ref))) {
        kept++;
        continue;
      }
      const size = statSync(repo.cache.path(ref.oid, ref.legacy)).size;
      removed.push({ ...ref, size });
      if (!options.dryRun) repo.cache.remove(ref.oid, ref.legacy);
    }
    // Only stale temp files: a writer of another clone sharing this cache may still be running.
    const tmp = options.dryRun ? repo.cache.staleTmp() : repo.cache.sweepTmp();
    return {
      removed,
      kept,
      bytes: removed.reduce((s, r) => s + r.size, 0),
      tmpFiles: tmp.length,
      missingManifests: used.missingManifests.map((m) => m.oid),
    };
  });
}
