import { importOf } from '../formats/import-file.js';
import { type TrackedFile, collectWorkspace } from './dvcfiles.js';
import type { Repo } from './open.js';

/**
 * The workspace's `.dvc` files that are frozen repository imports (`dvc import`, `mlpipe import`).
 * `dvcFiles`: the workspace's `.dvc` files when the caller has collected them already (status).
 */
export function frozenImports(
  repo: Repo,
  dvcFiles: readonly TrackedFile[] = collectWorkspace(repo).dvcFiles,
): { dvcFile: string; path: string; url: string; rev?: string; revLock: string }[] {
  return dvcFiles.flatMap((f) => {
    const imp = f.file.fields.frozen === true ? importOf(f.file, f.path) : undefined;
    return imp ? [{ dvcFile: f.path, path: imp.path, url: imp.url, ...(imp.rev !== undefined ? { rev: imp.rev } : {}), revLock: imp.revLock }] : [];
  });
}
