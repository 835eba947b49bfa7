import { execFileSync, spawnSync } from 'node:child_process';
import { MlpipeError } from '../../errors.js';

/**
 * The few git reads versioning needs, through the real `git` binary: list a revision's tracking
 * files, read blobs in one `cat-file --batch` process, list all commits, check ignore/tracked state.
 */
export function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new MlpipeError('E_NOT_FOUND', `git ${args[0]} failed: ${stderr.split('\n')[0] ?? ''}`, {
      expected: 'a git revision that exists',
      received: args.join(' '),
      hint: 'check the revision with `git log --oneline`',
      cause: err,
    });
  }
}

export interface TreeFile {
  path: string;
  blob: string;
}

/** Files of `rev` whose names pass `keep` (paths relative to the git root). */
export function listTree(gitRoot: string, rev: string, keep: (path: string) => boolean): TreeFile[] {
  const out = git(gitRoot, ['ls-tree', '-r', '-z', '--full-tree', rev]);
  return out
    .split('\0')
    .filter(Boolean)
    .flatMap((line) => {
      const tab = line.indexOf('\t');
      const [, type, blob] = line.slice(0, tab).split(' ');
      const path = line.slice(tab + 1);
      return type === 'blob' && keep(path) ? [{ path, blob: blob! }] : [];
    });
}

/** Contents of many blobs with one git process. */
export function readBlobs(gitRoot: string, blobs: string[]): Map<string, string> {
  const unique = [...new Set(blobs)];
  const result = new Map<string, string>();
  if (unique.length === 0) return result;
  const r = spawnSync('git', ['cat-file', '--batch'], { cwd: gitRoot, input: `${unique.join('\n')}\n`, maxBuffer: 1 << 30 });
  const buf = r.stdout;
  let pos = 0;
  for (const blob of unique) {
    const nl = buf.indexOf(0x0a, pos);
    const header = buf.subarray(pos, nl).toString('utf8').split(' ');
    const size = Number(header[2]);
    result.set(blob, buf.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    pos = nl + 1 + size + 1;
  }
  return result;
}

export function allCommits(gitRoot: string): string[] {
  return git(gitRoot, ['rev-list', '--all']).split('\n').filter(Boolean);
}

/** True when git ignores `path` already (then DVC adds no .gitignore entry; §3.7). */
export function isGitIgnored(gitRoot: string, path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', '--no-index', '--', path], { cwd: gitRoot }).status === 0;
}

/** True when `path` (or a file under it) is tracked by git. */
export function isGitTracked(gitRoot: string, path: string): boolean {
  const r = spawnSync('git', ['ls-files', '-z', '--', path], { cwd: gitRoot, encoding: 'utf8' });
  return r.status === 0 && r.stdout.length > 0;
}
