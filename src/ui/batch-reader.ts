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
    const queries = unique.flatMap((rev) => [`${rev}^{commit}`, ...files.map((p) => `${rev}:${p}`)]);
    const out = execFileSync('git', ['cat-file', '--batch'], { cwd: root, input: `${queries.join('\n')}\n`, maxBuffer: 1 << 30 });
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
      if (q.endsWith('^{commit}')) {
        known = m?.[1] === 'commit';
        if (known) found.set(q.slice(0, -'^{commit}'.length), new Map());
        continue;
      }
      if (!known) continue;
      const sep = q.indexOf(':');
      found.get(q.slice(0, sep))!.set(q.slice(sep + 1), m?.[1] === 'blob' ? body!.toString('utf8') : undefined);
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
