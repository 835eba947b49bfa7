import { describe, expect, it } from 'vitest';
import { HttpError, bearerCheck } from '../../../src/core/http.js';
import { requireRepoRoot } from '../../../src/core/repo/find-root.js';
import { tempDir } from '../../helpers/tree.js';

describe('shared HTTP pieces of serve and remote serve', () => {
  it('bearerCheck accepts exactly "Bearer <token>"', () => {
    const ok = bearerCheck('s3cret');
    expect(['Bearer s3cret', 'Bearer s3cre', 'Bearer s3cretX', 'bearer s3cret', 's3cret', '', undefined, ['Bearer s3cret']].map((h) => ok(h))).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([bearerCheck(undefined)(undefined), bearerCheck('')('anything')]).toEqual([true, true]);
  });

  it('HttpError carries status, body code and headers', () => {
    const e = new HttpError(401, 'a token is required', 'E_REMOTE_AUTH', { 'www-authenticate': 'Bearer' });
    expect([e.status, e.message, e.errorCode, e.headers, e instanceof Error]).toEqual([401, 'a token is required', 'E_REMOTE_AUTH', { 'www-authenticate': 'Bearer' }, true]);
    expect(new HttpError(404, 'x').errorCode).toBe('BAD_REQUEST');
  });
});

describe('the one "not a repository" check', () => {
  it('is E_NOT_A_REPO naming the folder', () => {
    const dir = tempDir();
    expect(() => requireRepoRoot(dir)).toThrow(expect.objectContaining({ code: 'E_NOT_A_REPO', message: `not inside an mlpipe/DVC repository: ${dir}` }));
  });
});
