import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/main.js';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { ERROR_CODES, MlpipeError } from '../../src/errors.js';

describe('errors', () => {
  it('every error code has an exit code, and none is 0 or 1', () => {
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      expect(EXIT_CODES[code]).toBeGreaterThan(1);
    }
  });

  it('toJSON carries code, message and the optional fields only when set', () => {
    const err = new MlpipeError('E_NOT_A_REPO', 'not a repository: /x', { hint: 'run `mlpipe init`' });
    expect(err.toJSON()).toEqual({ code: 'E_NOT_A_REPO', message: 'not a repository: /x', hint: 'run `mlpipe init`' });
  });

  it('a failing stage exits with the stage exit code; other errors with the table', () => {
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      const stage = new MlpipeError('E_STAGE_FAILED', 'stage train failed', { data: { exitCode: 3 } });
      expect(reportError(stage, { json: false, verbose: false })).toBe(3);
      expect(reportError(new MlpipeError('E_LOCKED', 'locked'), { json: false, verbose: false })).toBe(7);
      expect(reportError(new TypeError('boom'), { json: false, verbose: false })).toBe(70);
    } finally {
      process.stderr.write = write;
    }
  });
});
