import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../pipeline/exp/refs.js';
import { loadPipeline } from '../pipeline/load.js';
import { workspaceReader } from '../pipeline/revision.js';

/**
 * A cheap fingerprint of everything the dashboard shows: HEAD, every ref (branches, tags, exp refs)
 * and the size and mtime of the files the pipeline names (dvc.yaml, dvc.lock, params, deps, outs,
 * metrics, plots). The page polls `/api/version` and reloads its data when it changes; the server
 * recomputes a view only then. One `git for-each-ref` plus a few stat calls.
 */
export function repoVersion(root: string): string {
  const h = createHash('sha256');
  h.update(git(root, ['rev-parse', 'HEAD']));
  h.update(git(root, ['for-each-ref', '--format=%(objectname) %(refname)']));
  const files = new Set(['dvc.yaml', 'dvc.lock', 'params.yaml']);
  try {
    const pipeline = loadPipeline(workspaceReader(root));
    for (const s of pipeline.stages) {
      for (const d of s.deps) files.add(d.path);
      for (const p of s.params) files.add(p.path);
      for (const o of s.outs) {
        files.add(o.path);
        // a model folder's metadata changes without its folder's mtime changing
        files.add(`${o.path}/model.json`);
      }
    }
  } catch {
    // an invalid dvc.yaml while it is being edited: its mtime alone marks the change
  }
  for (const f of [...files].sort()) {
    try {
      const st = statSync(join(root, f));
      h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
    } catch {
      h.update(`${f}\0-\n`);
    }
  }
  return h.digest('hex').slice(0, 16);
}
