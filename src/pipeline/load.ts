import { readFileSync } from 'node:fs';
import { openRepo } from '../core/repo/open.js';
import { parseDvcYaml } from './dvcyaml.js';
import { type LockFile, emptyLock, parseLock } from './lockfile.js';
import type { TreeReader } from './revision.js';
import type { Pipeline } from './stage.js';

export const DVC_YAML = 'dvc.yaml';
export const DVC_LOCK = 'dvc.lock';

/** The pipeline of the repository's root dvc.yaml as `reader` sees it (empty when there is none). */
export function loadPipeline(reader: TreeReader): Pipeline {
  const text = reader.read(DVC_YAML);
  if (text === undefined) return { dvcfile: DVC_YAML, stages: [], params: [], metrics: [], plots: [], vars: {} };
  return parseDvcYaml({ text, file: DVC_YAML, readFile: (p) => reader.read(p) });
}

export function loadLock(reader: TreeReader): LockFile {
  const text = reader.read(DVC_LOCK);
  return text === undefined ? emptyLock() : parseLock(text, DVC_LOCK);
}

/**
 * Reads an output file as it was at a revision: from git when it was committed there, otherwise
 * from the local cache by the hash dvc.lock recorded (cached outputs are git-ignored), as DVC reads
 * them through its DVCFileSystem.
 */
export function readOutput(root: string, reader: TreeReader, lock: LockFile, path: string): string | undefined {
  const direct = reader.read(path);
  if (direct !== undefined || reader.label === 'workspace') return direct;
  for (const stage of lock.stages.values()) {
    const item = stage.outs.find((o) => o.path === path);
    if (item?.md5 && !item.md5.endsWith('.dir')) {
      try {
        // the cache folder honours `cache.dir` of .dvc/config
        return readFileSync(openRepo(root).cache.path(item.md5, item.hash === undefined), 'utf8');
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
