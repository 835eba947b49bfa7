/**
 * The one error class of mlpipe. Problems are data: a stable string `code` that scripts and tests
 * can rely on, a message that says what failed, and optional `expected` / `received` / `hint`
 * fields that the CLI renders (what was expected, what was received, what to run next).
 *
 * The CLI maps codes to exit codes in one table (src/cli/exit-codes.ts); `--json` output carries the
 * code. Add a code here with a one-line meaning, then give it an exit code there (TypeScript checks
 * that every code has one).
 */
export const ERROR_CODES = {
  E_USAGE: 'the command line is wrong (unknown command, bad flag, missing argument)',
  E_BAD_INPUT: 'an argument or input file is malformed or out of range',
  E_NOT_FOUND: 'a file, path, stage, remote or revision does not exist',
  E_NOT_A_REPO: 'not inside an mlpipe/DVC repository (no .dvc folder found)',
  E_NOT_A_GIT_REPO: 'the operation needs git and there is no git repository',
  E_OUTSIDE_REPO: 'a path points outside the repository',
  E_CONFLICT: 'the operation would overwrite or contradict existing state',
  E_LOCKED: 'another process holds the repository lock',
  E_PERMISSION: 'the operating system refused access to a file or folder (read-only, not owned, or not a folder)',
  E_CORRUPT: 'stored data does not match its hash or cannot be parsed',
  E_MISSING_CACHE: 'an object needed is not in the cache',
  E_REMOTE: 'a remote failed (unreachable, refused, or returned an error)',
  E_REMOTE_AUTH: 'a remote refused the credentials',
  E_REMOTE_NOT_FOUND: 'a remote, bucket or branch does not exist',
  E_REMOTE_TOO_LARGE: 'a remote refused an object because of its size',
  E_PIPELINE: 'dvc.yaml describes an invalid pipeline (cycle, duplicate output, bad template)',
  E_STAGE_FAILED: 'a pipeline stage command exited non-zero',
  E_VALIDATION_FAILED: 'the data ran through validation and failed error-level checks',
  E_SCHEMA: 'a validation schema or model schema is invalid',
  E_TRAIN: 'training cannot proceed with this data or these parameters',
  E_MODEL: 'a model artifact is missing, invalid or incompatible',
  E_INTERRUPTED: 'the operation was interrupted (Ctrl-C or a signal)',
  E_INTERNAL: 'an unexpected failure inside mlpipe (a bug: please report it)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface MlpipeErrorOptions {
  /** What the operation expected, e.g. "a folder containing .dvc/". */
  expected?: string;
  /** What it received instead, e.g. the offending value or path. */
  received?: string;
  /** The command or action to try next, e.g. "run `mlpipe init` first". */
  hint?: string;
  /** Structured details for `--json` consumers (paths, counts, issues). */
  data?: Record<string, unknown>;
  cause?: unknown;
}

export class MlpipeError extends Error {
  override readonly name = 'MlpipeError';
  readonly code: ErrorCode;
  readonly expected: string | undefined;
  readonly received: string | undefined;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: MlpipeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.expected = options.expected;
    this.received = options.received;
    this.hint = options.hint;
    this.data = options.data;
  }

  /** The machine-readable form used by `--json` output and the HTTP servers. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.expected !== undefined) out.expected = this.expected;
    if (this.received !== undefined) out.received = this.received;
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.data !== undefined) out.data = this.data;
    return out;
  }
}

export function isMlpipeError(err: unknown): err is MlpipeError {
  return err instanceof MlpipeError;
}

/** Node's system errors (ENOENT, EACCES, ...) carry a string `code`. */
export function isErrnoException(err: unknown, code?: string): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    (code === undefined || (err as NodeJS.ErrnoException).code === code)
  );
}
