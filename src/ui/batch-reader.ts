import { execFileSync } from 'node:child_process';
import { localIso } from '../pipeline/exp/show.js';
import { type TreeReader, revisionReader } from '../pipeline/revision.js';

/**
 * Readers for many revisions at once: the files every revision is asked for (dvc.yaml, dvc.lock,
 * params and metrics files) come from ONE `git cat-file --batch` run instead of one `git show` per
 * file and revision (1,000 experiments x ~8 files took ~90 s that way; see bench/README.md). A path
 * that was not prefetched falls back to `git show` for that revision.
 */
export function batchReaders(root: string, revs: string[], paths: string[]): (rev: string) => TreeReader {
  const unique = [...new Set(revs)];
  const files = [...new Set(paths)].filter((p) => !p.includes('\n'));
  const found = new Map<string, Map<string, string | undefined>>();
  if (unique.length > 0 && files.length > 0) {
    // `REV^{commit}` first: an unknown revision is left to revisionReader, which reports it
    // (`REV:./PATH`: relative to the project folder, which may be a sub-folder of the git repository)
    const queries = unique.flatMap((rev) => [{ rev, path: undefined }, ...files.map((path) => ({ rev, path }))]);
    const input = queries.map((q) => (q.path === undefined ? `${q.rev}^{commit}` : `${q.rev}:./${q.path}`)).join('\n');
    const out = execFileSync('git', ['cat-file', '--batch'], { cwd: root, input: `${input}\n`, maxBuffer: 1 << 30 });
    let at = 0;
    let known = false;
    for (const q of queries) {
      const eol = out.indexOf(10, at);
      const header = out.subarray(at, eol).toString('utf8');
      at = eol + 1;
      // `<sha> <type> <size>` then the bytes and a newline; `<query> missing` (or ambiguous) otherwise
      const m = header.match(/^[0-9a-f]+ (\w+) (\d+)$/);
      const size = m ? Number(m[2]) : 0;
      const body = m ? out.subarray(at, at + size) : undefined;
      if (m) at += size + 1;
      if (q.path === undefined) {
        known = m?.[1] === 'commit';
        if (known) found.set(q.rev, new Map());
      } else if (known) {
        found.get(q.rev)!.set(q.path, m?.[1] === 'blob' ? body!.toString('utf8') : undefined);
      }
    }
  }
  return (rev) => {
    const cached = found.get(rev);
    if (!cached) return revisionReader(root, rev);
    let fallback: TreeReader | undefined;
    return {
      label: rev,
      read(path) {
        if (cached.has(path)) return cached.get(path);
        fallback ??= revisionReader(root, rev);
        return fallback.read(path);
      },
    };
  };
}

/** Commit times of many revisions with one `git log --no-walk`, as exp show prints them. */
export function batchTimestamps(root: string, revs: string[]): (rev: string) => string | undefined {
  const times = new Map<string, string>();
  if (revs.length > 0) {
    const out = execFileSync('git', ['log', '--no-walk=unsorted', '--stdin', '--format=%H %ct'], { cwd: root, input: `${[...new Set(revs)].join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const line of out.split('\n')) {
      const [sha, ct] = line.split(' ');
      if (sha && ct) times.set(sha, localIso(Number(ct) * 1000));
    }
  }
  return (rev) => times.get(rev);
}
