import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { ERROR_CODES, MlpipeError, isMlpipeError } from '../errors.js';
import { version } from '../version.js';
import type { RegisterCommand } from './command.js';
import { loadCommands } from './commands/index.js';
import { EXIT_CODES, EXIT_UNEXPECTED } from './exit-codes.js';
import { nameFlagInErrors } from './options.js';
import { Output } from './output.js';
import { route } from './route.js';

/**
 * `--version` is the program's flag only when no command follows: commander would otherwise take
 * it from a command's own `--version V` (as in `mlpipe models register NAME --version v1.0.0`).
 * `commands`: the register functions (commands/index.ts `loadCommands`), all of them or the one run.
 */
export function buildProgram(options: { versionFlag?: boolean; commands: readonly RegisterCommand[] }): Command {
  const program = new Command('mlpipe')
    .description(
      'Validate data, train models, version data and models with DVC-compatible files, run pipelines and serve predictions.',
    )
    .version(version(), options.versionFlag === false ? '-V' : '-V, --version', 'print the mlpipe version')
    .addOption(new Option('--json', 'print one machine-readable JSON document on stdout'))
    .addOption(new Option('-q, --quiet', 'print only errors (and the JSON document with --json)'))
    .addOption(new Option('-v, --verbose', 'print details, and stack traces on errors'))
    .addOption(new Option('-C, --cwd <dir>', 'run as if mlpipe was started in <dir>'))
    .showSuggestionAfterError(true)
    .helpCommand(true)
    .exitOverride()
    .configureOutput({
      // main() renders usage errors itself (one format for every error); help goes to stdout.
      writeErr: () => {},
      outputError: () => {},
    });
  program.addHelpText(
    'after',
    `
Examples:
  $ mlpipe init                      start versioning in a git repository
  $ mlpipe add data/train.csv        track a data file (writes data/train.csv.dvc)
  $ mlpipe --json status             machine-readable status
  $ mlpipe help add                  help for one command

Exit codes: 0 success, 2 usage error, other non-zero codes per error code (see README).`,
  );
  for (const register of options.commands) register(program);
  nameFlagInErrors(program);
  return program;
}

/** Entry point used by bin/mlpipe.js. Never throws; sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  // `mlpipe ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const wantsJson = argv.includes('--json');
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const operand = firstOperand(argv.slice(2));
  // Only the command being run is loaded (help and unknown names load every command).
  const commands = await loadCommands(argv.includes('-h') || argv.includes('--help') ? undefined : operand);
  const program = buildProgram({ versionFlag: operand === undefined, commands });
  if (argv.length <= 2) {
    process.stdout.write(program.helpInformation());
    return;
  }
  try {
    const where = route(program, argv);
    if (where.kind === 'group') {
      // `mlpipe metrics` alone: its help, as `mlpipe` alone prints the program's.
      if (!wantsJson) {
        process.stdout.write(where.command.helpInformation());
        return;
      }
      const path: string[] = [];
      for (let c: Command | null = where.command; c; c = c.parent) path.unshift(c.name());
      const name = path.join(' ');
      throw new MlpipeError('E_USAGE', `${name} needs a ${where.command === program ? 'command' : 'sub-command'}`, {
        expected: where.command.commands.map((c) => c.name()).join(', '),
        hint: `run \`${name} --help\` to see them`,
      });
    }
    await program.parseAsync(where.kind === 'unknown' ? where.argv : argv);
  } catch (err) {
    process.exitCode = reportError(err, { json: wantsJson, verbose });
  }
}

/** The command name in the arguments, skipping global flags and the value of -C/--cwd. */
function firstOperand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-C' || a === '--cwd') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** Renders an error (human on stderr, JSON on stdout with --json) and returns the exit code. */
export function reportError(err: unknown, opts: { json: boolean; verbose: boolean }): number {
  if (err instanceof CommanderError) {
    // --help and --version end by "throwing" with exit code 0.
    if (err.exitCode === 0) return 0;
    err = new MlpipeError('E_USAGE', err.message.replace(/^error: /, ''), {
      hint: 'run `mlpipe --help` (or `mlpipe help COMMAND`) to see the commands and their options',
    });
  }
  const out = new Output({ json: opts.json, quiet: false, verbose: opts.verbose });
  const c = pc.createColors(Boolean(process.stderr.isTTY) && !process.env.NO_COLOR);
  if (isMlpipeError(err)) {
    const lines = [`${c.red('error')} ${c.dim(`[${err.code}]`)}: ${err.message}`];
    if (err.expected !== undefined) lines.push(`  expected: ${err.expected}`);
    if (err.received !== undefined) lines.push(`  received: ${err.received}`);
    if (err.hint !== undefined) lines.push(`  ${c.cyan('hint')}: ${err.hint}`);
    if (opts.verbose && err.stack) lines.push(c.dim(err.stack));
    out.stderr(`${lines.join('\n')}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify({ error: err.toJSON() }, null, 2)}\n`);
    const stageExit = err.data?.exitCode;
    if (err.code === 'E_STAGE_FAILED' && typeof stageExit === 'number' && stageExit > 0) return stageExit;
    return EXIT_CODES[err.code];
  }
  // Anything else is a bug: a short message by default, the stack with -v.
  const message = err instanceof Error ? err.message : String(err);
  const lines = [`${c.red('error')} ${c.dim('[E_INTERNAL]')}: unexpected failure: ${message}`];
  if (opts.verbose && err instanceof Error && err.stack) lines.push(c.dim(err.stack));
  else lines.push(`  ${c.cyan('hint')}: run again with -v for the stack trace, and report it as a bug`);
  out.stderr(`${lines.join('\n')}\n`);
  if (opts.json) {
    const error = { code: 'E_INTERNAL', message: `unexpected failure: ${message}`, hint: ERROR_CODES.E_INTERNAL };
    process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  }
  return EXIT_UNEXPECTED;
}
