import { importOf } from '../formats/import-file.js';
import { collectWorkspace } from './dvcfiles.js';
import type { Repo } from './open.js';

/** The workspace's `.dvc` files that are frozen repository imports (`dvc import`, `mlpipe import`). */
export function frozenImports(repo: Repo): { dvcFile: string; path: string; url: string; rev?: string; revLock: string }[] {
  return collectWorkspace(repo).dvcFiles.flatMap((f) => {
    const imp = f.file.fields.frozen === true ? importOf(f.file, f.path) : undefined;
    return imp ? [{ dvcFile: f.path, path: imp.path, url: imp.url, ...(imp.rev !== undefined ? { rev: imp.rev } : {}), revLock: imp.revLock }] : [];
  });
}
