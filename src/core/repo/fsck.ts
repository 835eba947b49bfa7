import { isMlpipeError } from '../../errors.js';
import { hashFiles } from '../hash/pool.js';
import type { ObjectRef } from '../odb/local.js';
import type { ProgressReporter } from '../progress.js';
import { silentProgress } from '../progress.js';
import type { Repo } from './open.js';
import { collectUsedObjects } from './used-objects.js';

/**
 * `mlpipe fsck`: re-hashes every cache object (in parallel) and reports those whose content does not
 * match their name, plus objects the workspace references that are missing. `repair` deletes corrupt
 * objects: they must never be used, and `pull` or `add` restores them.
 */
export interface FsckResult {
  checked: number;
  corrupt: ObjectRef[];
  missing: { oid: string; legacy: boolean; path: string }[];
  repaired: boolean;
}

export async function fsck(repo: Repo, options: { repair?: boolean; progress?: ProgressReporter } = {}): Promise<FsckResult> {
  const progress = options.progress ?? silentProgress;
  return repo.withLock(async () => {
    const objects = repo.cache.list();
    // Legacy file objects are named by md5-dos2unix (§1.2); everything else by plain md5 of its bytes.
    const dos2unix = objects.filter((o) => o.legacy && !o.oid.endsWith('.dir'));
    const plain = objects.filter((o) => !(o.legacy && !o.oid.endsWith('.dir')));
    const task = progress.task('checking objects', { total: objects.length, unit: 'objects' });
    const corrupt: ObjectRef[] = [];
    try {
      const results = await hashFiles(
        plain.map((o) => ({ path: repo.cache.path(o.oid, o.legacy) })),
        { onFile: (bytes) => task.tick(1, bytes) },
      );
      plain.forEach((o, i) => {
        const actual = results[i]!.md5 + (o.oid.endsWith('.dir') ? '.dir' : '');
        if (actual !== o.oid) corrupt.push(o);
      });
      for (const o of dos2unix) {
        if (!(await repo.cache.verify(o.oid, true))) corrupt.push(o);
        task.tick();
      }
    } finally {
      task.done();
    }
    if (options.repair) for (const o of corrupt) repo.cache.remove(o.oid, o.legacy);
    return { checked: objects.length, corrupt, missing: await missingObjects(repo), repaired: Boolean(options.repair) };
  });
}

/** Referenced objects that are absent (members of a corrupt manifest cannot be listed). */
async function missingObjects(repo: Repo): Promise<FsckResult['missing']> {
  try {
    const used = await collectUsedObjects(repo);
    return [...used.objects.values()].filter((u) => !repo.cache.has(u.oid, u.legacy)).map((u) => ({ oid: u.oid, legacy: u.legacy, path: u.path }));
  } catch (err) {
    if (isMlpipeError(err) && err.code === 'E_CORRUPT') return [];
    throw err;
  }
}
