import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MLPIPE_BIN = fileURLToPath(new URL('../../bin/mlpipe.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (bin/mlpipe.js -> dist/) as a user would, in `cwd`, and collects its output.
 * `npm test` builds first, so dist/ is current.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runProcess(process.execPath, [MLPIPE_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

/**
 * Runs any program with exactly `env` (default: this process's) and collects its output, without
 * blocking this worker (a synchronous spawn of minutes starves vitest's worker RPC). `timeoutMs`:
 * SIGKILL after that long; none by default.
 */
export function runProcess(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
