import type { PathHash } from './hash-path.js';
import { materialize } from './link.js';
import type { Repo } from './open.js';
import { toRepoPath } from './paths.js';
import type { StateRow } from './state.js';
import { join } from 'node:path';

/**
 * After an output was committed, links its workspace copy from the cache when `cache.type` starts
 * with hardlink or symlink (DVC relinks after add/commit; §2.3). With reflink/copy the workspace
 * already holds identical bytes, so it is left alone rather than rewritten.
 */
export async function relinkOutput(repo: Repo, abs: string, hash: PathHash): Promise<void> {
  const first = repo.linkTypes[0];
  if (first !== 'hardlink' && first !== 'symlink') return;
  const files = hash.isdir ? (hash.entries ?? []).map((e) => ({ abs: join(abs, e.relpath), md5: e.md5 })) : [{ abs, md5: hash.md5 }];
  const rows: StateRow[] = [];
  const madeDirs = new Set<string>();
  for (const f of files) {
    const stamp = await materialize(repo, f.md5, false, f.abs, { verified: true, madeDirs });
    rows.push({ path: toRepoPath(repo.root, f.abs), ...stamp, md5: f.md5 });
  }
  repo.state().putMany(rows);
}
