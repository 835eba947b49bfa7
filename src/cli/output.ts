import { createRequire } from 'node:module';
import type Table from 'cli-table3';
import pc from 'picocolors';
import type { ProgressReporter } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';
import { createProgress } from './progress.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

export interface Column {
  key: string;
  header: string;
  align?: 'left' | 'right';
}

/**
 * Everything a command prints goes through here, so that the rules hold everywhere:
 * - with --json, stdout carries exactly one JSON document and nothing else;
 * - with --quiet, only errors (stderr) and the JSON document are printed;
 * - colours only on a TTY, never with NO_COLOR;
 * - progress bars only on a TTY stderr, never with --quiet or --json.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: Colors;
  readonly progress: ProgressReporter;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.verbose = options.verbose;
    this.out = options.stdout ?? process.stdout;
    this.err = options.stderr ?? process.stderr;
    const env = options.env ?? process.env;
    const outIsTty = Boolean((this.out as NodeJS.WriteStream).isTTY);
    const errIsTty = Boolean((this.err as NodeJS.WriteStream).isTTY);
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    this.color = pc.createColors(!noColor && (outIsTty || env.FORCE_COLOR !== undefined));
    this.progress = createProgress(errIsTty && !this.quiet && !this.json) ?? silentProgress;
  }

  /** The command's result: JSON on stdout with --json, otherwise the human rendering. */
  result(data: unknown, human: () => void): void {
    if (this.json) this.out.write(`${JSON.stringify(data, null, 2)}\n`);
    else human();
  }

  /** A line of human output on stdout (suppressed by --json and --quiet). */
  line(text = ''): void {
    if (!this.json && !this.quiet) this.out.write(`${text}\n`);
  }

  /** A warning on stderr (suppressed by --quiet). */
  warn(text: string): void {
    if (!this.quiet) this.err.write(`${this.colorErr().yellow('warning')}: ${text}\n`);
  }

  /** Detail shown only with --verbose, on stderr. */
  debug(text: string): void {
    if (this.verbose) this.err.write(`${this.colorErr().dim(text)}\n`);
  }

  /** Raw write to stderr, for error rendering. */
  stderr(text: string): void {
    this.err.write(text);
  }

  /** A readable table of rows on stdout (human mode). */
  table(rows: Record<string, unknown>[], columns: Column[]): void {
    if (this.json || this.quiet) return;
    this.out.write(`${renderTable(rows, columns, this.color)}\n`);
  }

  private colorErr(): Colors {
    return pc.createColors(this.color.isColorSupported && Boolean((this.err as NodeJS.WriteStream).isTTY));
  }
}

const require = createRequire(import.meta.url);

/** A borderless, aligned table: readable on a terminal and when piped into a file or a CI log. */
export function renderTable(rows: Record<string, unknown>[], columns: Column[], color: Colors): string {
  // Loaded on first use: most commands never print a table, and the module costs start-up time.
  const CliTable = require('cli-table3') as typeof Table;
  const table = new CliTable({
    head: columns.map((c) => color.bold(c.header)),
    colAligns: columns.map((c) => c.align ?? 'left'),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => cell(row[c.key])));
  return table.toString().replace(/[ \t]+$/gm, '');
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
