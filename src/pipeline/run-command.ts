import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { MlpipeError } from '../errors.js';

/**
 * Runs one command line of a stage as DVC does (../shared/docs/dvc-format.md §5.4):
 * `[$SHELL, <no-rc flags>, -c, line]` (default /bin/sh) in the stage's wdir, with `DVC_ROOT` (unless
 * already set) and `DVC_STAGE` in the environment. Output streams live: the child inherits stderr,
 * and stdout unless `stdoutToStderr` (used with --json so stdout carries only the JSON document).
 *
 * The command runs in its own process group (`detached`: setsid), so that an interrupt reaches
 * everything it started, not just the shell: `sh -c 'sleep 100 & wait'` would otherwise leave the
 * sleep running after mlpipe exits (a non-interactive shell even starts background jobs with SIGINT
 * ignored). On abort the group gets the signal mlpipe received (SIGINT stays SIGINT, so a Python
 * stage still sees KeyboardInterrupt); once the shell is gone, what is left of the group gets SIGTERM
 * and, after KILL_AFTER_MS, SIGKILL. If mlpipe itself exits meanwhile (a second Ctrl-C), the group is
 * killed on the way out. The price of setsid: a stage has no controlling terminal (/dev/tty), which
 * pipeline commands should not need.
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

const KILL_AFTER_MS = 3000;

/** Sends `signal` to a process group; false when the group has no process left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Ends what remains of a group: SIGTERM, then SIGKILL for whatever is still there after a grace time. */
async function endGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + KILL_AFTER_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

/** The signal named in the abort reason ("interrupted by SIGINT"), SIGTERM otherwise. */
function abortSignalName(signal: AbortSignal | undefined): NodeJS.Signals {
  const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? '');
  return /\bSIGINT\b/.test(reason) ? 'SIGINT' : 'SIGTERM';
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
      detached: true,
    });
    const pgid = child.pid;
    const onAbort = () => {
      if (pgid !== undefined) signalGroup(pgid, abortSignalName(options.signal));
    };
    const onExit = () => {
      if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
    };
    const cleanup = () => {
      options.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    process.on('exit', onExit);
    if (options.signal?.aborted) onAbort();
    child.on('error', (err) => {
      cleanup();
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
      const status = code ?? 128 + signalNumber(signal);
      // Interrupted: the shell is gone, but jobs it started in the background may not be.
      const rest = options.signal?.aborted && pgid !== undefined ? endGroup(pgid) : Promise.resolve();
      void rest.finally(() => {
        cleanup();
        resolve(status);
      });
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && constants.signals[signal]) || 1;
}
