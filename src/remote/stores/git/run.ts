import { spawn } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Storage commits need an identity even on a CI machine without `user.name`; the user's env wins. */
export const GIT_IDENTITY_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? 'mlpipe',
  GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? 'mlpipe@localhost',
  GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? 'mlpipe',
  GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? 'mlpipe@localhost',
  // Never prompt for a password in the middle of a push: fail and say so instead.
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs the system git and collects its output; never throws for a non-zero exit (callers decide). */
export function runGit(
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { ...process.env, ...GIT_IDENTITY_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {}); // git may exit before reading all input; the exit code tells
    child.stdin.end(options.input ?? '');
  });
}
