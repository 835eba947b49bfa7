import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Output } from './output.js';

/** The options every command accepts (declared once on the program, see main.ts). */
export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  cwd: string;
}

/** What a command's action receives: where to work, how to print, and a Ctrl-C signal. */
export interface CommandContext {
  /** Absolute working directory (from -C/--cwd, default process.cwd()). */
  cwd: string;
  out: Output;
  global: GlobalOptions;
  /** Aborted on the first Ctrl-C / SIGTERM; long operations should stop cleanly when it fires. */
  signal: AbortSignal;
}

/**
 * A command module registers itself on the program. Keep command files light: import only types
 * and commander at the top, and import the library code inside the action (`await import(...)`) so
 * that `mlpipe --version` and `--help` stay fast.
 */
export type RegisterCommand = (program: Command) => void;

/**
 * Wraps a command action: builds the context from the global options, then calls `fn` with the
 * positional arguments and the command's own options. Errors propagate to main(), which renders
 * them and picks the exit code.
 */
export function action<Args extends unknown[], Opts extends object>(
  fn: (ctx: CommandContext, opts: Opts, ...args: Args) => Promise<void>,
): (...commanderArgs: unknown[]) => Promise<void> {
  return async (...commanderArgs: unknown[]) => {
    const command = commanderArgs[commanderArgs.length - 1] as Command;
    const opts = commanderArgs[commanderArgs.length - 2] as Opts;
    const positional = commanderArgs.slice(0, -2) as Args;
    const ctx = contextFrom(command);
    try {
      await fn(ctx, opts, ...positional);
    } catch (err) {
      throw await asPermissionError(err, ctx.cwd);
    }
  };
}

/** A refusal by the operating system becomes E_PERMISSION naming the folder (core/fs/permission.ts). */
async function asPermissionError(err: unknown, cwd: string): Promise<unknown> {
  // MlpipeErrors are already coded; only system errors (errno, SQLite) are looked at.
  if (!(err instanceof Error) || err.name === 'MlpipeError' || typeof (err as { code?: unknown }).code !== 'string') return err;
  const [{ permissionError }, { findRepoRoot }] = await Promise.all([import('../core/fs/permission.js'), import('../core/repo/find-root.js')]);
  return permissionError(err, findRepoRoot(cwd) ?? cwd) ?? err;
}

export function globalOptionsOf(command: Command): GlobalOptions {
  const all = command.optsWithGlobals() as Partial<GlobalOptions> & { cwd?: string };
  return {
    json: Boolean(all.json),
    quiet: Boolean(all.quiet),
    verbose: Boolean(all.verbose),
    cwd: resolve(all.cwd ?? process.cwd()),
  };
}

function contextFrom(command: Command): CommandContext {
  const global = globalOptionsOf(command);
  const out = new Output({ json: global.json, quiet: global.quiet, verbose: global.verbose });
  return { cwd: global.cwd, out, global, signal: interruptSignal() };
}

let controller: AbortController | undefined;

/**
 * One AbortController for the process: the first SIGINT/SIGTERM aborts it so that operations can
 * finish their atomic step and clean up; a second one exits at once with 130.
 */
function interruptSignal(): AbortSignal {
  if (controller) return controller.signal;
  const ctl = new AbortController();
  controller = ctl;
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(130);
    ctl.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}

/** Adds an "Examples:" section to a command's --help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}
