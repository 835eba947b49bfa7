/**
 * Typed parsers for CLI flag values, used as commander `argParser`s on the option declarations
 * themselves (Vitest's cli-config.ts keeps flags and their types in one table the same way):
 *
 *   .option('-p, --port <port>', 'port to listen on', port, 8080)
 *   .option('--max-rows <n>', 'most rows per request', integer({ min: 1 }), 10000)
 *
 * Each parser turns the text into a value or throws MlpipeError E_USAGE (exit 2) saying what was
 * expected and what was received; `nameFlagInErrors` (called once by main.ts) prefixes the message
 * with the flag (`invalid value "x" for --port`), so the parsers need not repeat it. Defaults passed to commander are not parsed, so
 * they are given as typed values. This module is imported at the top of command files: keep it free
 * of heavy imports.
 */
import type { Command } from 'commander';
import { parseByteSize } from '../core/size.js';
import { MlpipeError, isMlpipeError } from '../errors.js';

export type FlagParser<T> = (value: string) => T;

function usage(value: string, expected: string): MlpipeError {
  return new MlpipeError('E_USAGE', `invalid value ${JSON.stringify(value)}`, { expected, received: JSON.stringify(value) });
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** A whole number written in decimal (no `1e3`, `0x10`, `12abc` or blanks), optionally bounded. */
export function integer(bounds: { min?: number; max?: number } = {}): FlagParser<number> {
  const expected = `a whole number${range(bounds.min, bounds.max)}`;
  return (value) => {
    const text = value.trim();
    const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw usage(value, expected);
    if ((bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      throw usage(value, expected);
    }
    return n;
  };
}

/** A finite decimal number (`0.5`, `-1`, `1e-3`), optionally bounded. */
export function float(bounds: { min?: number; max?: number } = {}): FlagParser<number> {
  const expected = `a number${range(bounds.min, bounds.max)}`;
  return (value) => {
    const text = value.trim();
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n)) throw usage(value, expected);
    if ((bounds.min !== undefined && n < bounds.min) || (bounds.max !== undefined && n > bounds.max)) {
      throw usage(value, expected);
    }
    return n;
  };
}

/** A TCP port; 0 asks the system for any free one. */
export const port: FlagParser<number> = (value) => {
  const expected = 'a port number from 0 to 65535 (0: any free port)';
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= 65535)) throw usage(value, expected);
  return n;
};

/** A byte count: `1048576`, `512KiB`, `90MiB`, `2GiB`, `1.5G` (binary units, as DVC's size options). */
export function size(bounds: { min?: number } = {}): FlagParser<number> {
  const expected = `a size in bytes such as 1048576, 512KiB, 90MiB or 2GiB${bounds.min === undefined ? '' : ` (at least ${bounds.min})`}`;
  return (value) => {
    const n = parseByteSize(value);
    if (n === undefined || (bounds.min !== undefined && n < bounds.min)) throw usage(value, expected);
    return n;
  };
}

/** A comma-separated list (`a,b,c`); empty items are dropped, and at least one item is required. */
export function list<T = string>(item: FlagParser<T> = (v) => v as T): FlagParser<T[]> {
  return (value) => {
    const items = value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (items.length === 0) throw usage(value, 'a comma-separated list such as a,b');
    return items.map(item);
  };
}

/** One of a fixed set of words (compared exactly). */
export function oneOf<const T extends string>(choices: readonly T[]): FlagParser<T> {
  const expected = `one of ${choices.join(', ')}`;
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw usage(value, expected);
  };
}

/** A repeatable flag: `-d a -d b` -> ['a', 'b'] (use with a default of []). */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Wraps every option parser of `program` and its sub-commands so that a usage error names the flag
 * (`--port: must be a port number ...`). main.ts calls it once after registering the commands; the
 * parsers stay plain functions that unit tests call directly.
 */
export function nameFlagInErrors(program: Command): void {
  for (const option of program.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    const flag = option.long ?? option.short ?? option.flags;
    option.parseArg = <T>(value: string, previous: T): T => {
      try {
        return parse(value, previous) as T;
      } catch (err) {
        if (isMlpipeError(err) && err.code === 'E_USAGE' && !err.message.endsWith(` for ${flag}`)) {
          throw new MlpipeError('E_USAGE', `${err.message} for ${flag}`, {
            expected: err.expected,
            received: err.received,
            hint: program.parent ? `run \`mlpipe help ${commandPath(program)}\` to see its options` : 'run `mlpipe --help` to see the options',
          });
        }
        throw err;
      }
    };
  }
  for (const sub of program.commands) nameFlagInErrors(sub);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
