import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { MlpipeError } from '../errors.js';

/**
 * Runs one command line of a stage as DVC does (../shared/docs/dvc-format.md §5.4):
 * `[$SHELL, <no-rc flags>, -c, line]` (default /bin/sh) in the stage's wdir, with `DVC_ROOT` (unless
 * already set) and `DVC_STAGE` in the environment. Output streams live: the child inherits stderr,
 * and stdout unless `stdoutToStderr` (used with --json so stdout carries only the JSON document).
 */
export interface RunCommandOptions {
  line: string;
  cwd: string;
  root: string;
  stage: string;
  stdoutToStderr?: boolean;
  signal?: AbortSignal;
}

export function shellArgv(env: NodeJS.ProcessEnv = process.env): string[] {
  const shell = env.SHELL && env.SHELL !== '' ? env.SHELL : '/bin/sh';
  const name = basename(shell);
  const noRc = name === 'bash' ? ['--noprofile', '--norc'] : name === 'zsh' ? ['--no-rcs'] : name === 'fish' ? ['--no-config'] : [];
  return [shell, ...noRc];
}

/** Resolves with the exit code (signals map to 128 + signal number, as shells report them). */
export function runCommand(options: RunCommandOptions): Promise<number> {
  const [shell, ...flags] = shellArgv();
  const env: NodeJS.ProcessEnv = { ...process.env, DVC_STAGE: options.stage };
  if (env.DVC_ROOT === undefined) env.DVC_ROOT = options.root;
  return new Promise((resolve, reject) => {
    const child = spawn(shell as string, [...flags, '-c', options.line], {
      cwd: options.cwd,
      env,
      stdio: ['inherit', options.stdoutToStderr ? process.stderr : 'inherit', 'inherit'],
    });
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        new MlpipeError('E_STAGE_FAILED', `stage '${options.stage}': cannot start ${shell}: ${err.message}`, {
          expected: 'a working shell ($SHELL or /bin/sh)',
          received: String(shell),
          hint: 'set SHELL to an installed shell',
          data: { stage: options.stage },
        }),
      );
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && constants.signals[signal]) || 1;
}
