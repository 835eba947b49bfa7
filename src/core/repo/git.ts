import { execFileSync, spawnSync } from 'node:child_process';
import { type ErrorCode, MlpipeError } from '../../errors.js';

/**
 * The one way mlpipe runs local git commands, through the real `git` binary (versioning, pipeline
 * revisions, experiments): run a command, read a file at a revision, list a revision's tracking
 * files, read blobs in one `cat-file --batch` process, list all commits, check ignore/tracked state.
 * (The git *remote* drives long-running transfers with its own async runner, remote/stores/git/run.ts.)
 */
export interface GitOptions {
  input?: string;
  /** Added to the environment (e.g. GIT_INDEX_FILE). */
  env?: NodeJS.ProcessEnv;
  /** The error a failure becomes; by default E_NOT_FOUND about a revision. */
  failure?: { code: ErrorCode; expected: string; hint: string };
}

const REVISION_FAILURE = { code: 'E_NOT_FOUND', expected: 'a git revision that exists', hint: 'check the revision with `git log --oneline`' } as const;

/** Runs `git args` in `cwd` and returns its stdout; a non-zero exit becomes `options.failure`. */
export function git(cwd: string, args: string[], options: GitOptions = {}): string {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      input: options.input,
      env: options.env ? { ...process.env, ...options.env } : undefined,
      maxBuffer: 1 << 30,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    const failure = options.failure ?? REVISION_FAILURE;
    throw new MlpipeError(failure.code, `git ${args[0]} failed: ${stderr.split('\n')[0] ?? ''}`, {
      expected: failure.expected,
      received: args.join(' '),
      hint: failure.hint,
      cause: err,
    });
  }
}

/** True when `rev` names a commit of the repository at `cwd`. */
export function isCommit(cwd: string, rev: string): boolean {
  return spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd, stdio: 'ignore' }).status === 0;
}

/** The text of `path` (relative to `cwd`) at `rev`, or undefined when it does not exist there. */
export function showFile(cwd: string, rev: string, path: string): string | undefined {
  const r = spawnSync('git', ['show', `${rev}:./${path}`], { cwd, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout : undefined;
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
