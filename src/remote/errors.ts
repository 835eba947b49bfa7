import { type ErrorCode, MlpipeError, type MlpipeErrorOptions, isErrnoException } from '../errors.js';

/**
 * Errors raised by object stores. Each names the remote (its location) so that a message read in a
 * CI log says which remote failed. `transient: true` in `data` marks a failure worth retrying
 * (a 5xx answer, a reset connection); the transfer loop retries those with backoff.
 */
export function remoteError(
  code: ErrorCode,
  location: string,
  message: string,
  options: MlpipeErrorOptions & { transient?: boolean } = {},
): MlpipeError {
  const { transient, ...rest } = options;
  return new MlpipeError(code, `remote ${location}: ${message}`, {
    ...rest,
    data: { ...rest.data, remote: location, ...(transient ? { transient: true } : {}) },
  });
}

/** Network errors that usually go away on a second try. */
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export function isTransient(err: unknown): boolean {
  if (err instanceof MlpipeError) return err.data?.transient === true;
  if (isErrnoException(err)) return TRANSIENT_ERRNO.has(err.code ?? '');
  return false;
}

/** Maps a network-level failure (no HTTP answer at all) to a clear E_REMOTE error. */
export function networkError(location: string, err: unknown): MlpipeError {
  if (err instanceof MlpipeError) return err;
  const code = isErrnoException(err) ? err.code : undefined;
  const reason = err instanceof Error ? err.message : String(err);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return remoteError('E_REMOTE', location, `cannot reach the remote (${code})`, {
      expected: 'a server answering at the remote URL',
      received: reason,
      hint: 'check the URL with `mlpipe remote list` and that the server is running',
      cause: err,
    });
  }
  return remoteError('E_REMOTE', location, `network failure: ${reason}`, {
    transient: code !== undefined && TRANSIENT_ERRNO.has(code),
    cause: err,
  });
}
