import type { Command, Option } from 'commander';

/**
 * Where argv leads before commander parses it. Commander acts on `--help` and `--version` wherever
 * they appear, even after a command that does not exist (`mlpipe models register --version v1`
 * printed the version and exited 0), and reports a group without its sub-command
 * (`mlpipe metrics`) as "(outputHelp)" with its help sent nowhere. main() asks here first:
 * - `unknown`: the command path names no command; main() parses argv without --help/--version so
 *   that commander reports "unknown command" (E_USAGE, exit 2) with its suggestion;
 * - `group`: the path ends at a command that only holds sub-commands (or at no command at all:
 *   `mlpipe --json`); main() prints its help;
 * - `ok`: commander takes it from here.
 */
export type Route = { kind: 'ok' } | { kind: 'unknown'; argv: string[] } | { kind: 'group'; command: Command };

const HELP_AND_VERSION = new Set(['-h', '--help', '-V', '--version']);

export function route(program: Command, argv: string[]): Route {
  const args = argv.slice(2);
  let command = program;
  let helpCommand = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-') && arg !== '-') {
      if (takesSeparateValue(command, arg)) i++;
      continue;
    }
    // An operand: below a group it must name a sub-command; a leaf command owns the rest.
    if (command.commands.length === 0) break;
    if (command === program && arg === 'help' && !helpCommand) {
      helpCommand = true;
      continue;
    }
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) {
      const rest = args.filter((a) => !HELP_AND_VERSION.has(a));
      // `mlpipe help nosuch` is `mlpipe nosuch`: the same error and suggestion.
      if (helpCommand) rest.splice(rest.indexOf('help'), 1);
      return { kind: 'unknown', argv: [...argv.slice(0, 2), ...rest] };
    }
    command = sub;
  }
  // `mlpipe --help`, `mlpipe --version` and `mlpipe help X` are commander's to answer.
  if (command === program && args.some((a) => HELP_AND_VERSION.has(a))) return { kind: 'ok' };
  if (command.commands.length > 0 && !helpCommand) return { kind: 'group', command };
  return { kind: 'ok' };
}

/** True when `arg` is an option of `command` (or an ancestor: the global options) whose value is the next argument. */
function takesSeparateValue(command: Command, arg: string): boolean {
  if (arg.includes('=')) return false;
  let option: Option | undefined;
  if (arg.startsWith('--')) {
    option = findOption(command, (o) => o.long === arg);
  } else {
    // `-C dir`, or a bundle of short flags `-qC dir` whose last letter takes the value.
    option = findOption(command, (o) => o.short === `-${arg.slice(-1)}`);
    if (arg.length > 2 && !findOption(command, (o) => o.short === `-${arg[1]}` && !o.required && !o.optional)) return false;
  }
  return Boolean(option?.required || option?.optional);
}

function findOption(command: Command, match: (o: Option) => boolean): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find(match);
    if (found) return found;
  }
  return undefined;
}
