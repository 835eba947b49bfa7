import type { ErrorCode } from '../errors.js';

/**
 * The one table from error codes to process exit codes. 1 is left for "the command ran and reports
 * a negative result" conventions of individual commands (for example `status` in scripts), and 2 is
 * the conventional usage error. A failing pipeline stage exits with the stage's own exit code (see
 * the `exitCode` field in the error's data), like DVC.
 */
export const EXIT_CODES: Record<ErrorCode, number> = {
  E_USAGE: 2,
  E_BAD_INPUT: 3,
  E_NOT_FOUND: 4,
  E_NOT_A_REPO: 5,
  E_NOT_A_GIT_REPO: 5,
  E_OUTSIDE_REPO: 3,
  E_CONFLICT: 6,
  E_LOCKED: 7,
  E_PERMISSION: 15,
  E_CORRUPT: 8,
  E_MISSING_CACHE: 8,
  E_REMOTE: 9,
  E_REMOTE_AUTH: 9,
  E_REMOTE_NOT_FOUND: 9,
  E_REMOTE_TOO_LARGE: 9,
  E_PIPELINE: 11,
  E_STAGE_FAILED: 12,
  E_VALIDATION_FAILED: 10,
  E_SCHEMA: 3,
  E_TRAIN: 13,
  E_MODEL: 14,
  E_INTERRUPTED: 130,
  E_INTERNAL: 70,
};

/** Exit code for an exception that is not an MlpipeError (a bug). */
export const EXIT_UNEXPECTED = 70;
