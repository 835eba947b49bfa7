import { isErrnoException, isMlpipeError } from '../../errors.js';

/**
 * A store the server may not read or write (a read-only folder, files owned by another user): the
 * server's problem, not the client's, so 503 with E_PERMISSION, never a 500 (issue 12.16). The
 * body names no server path: clients learn that the store refused, the operator's log has the rest.
 */
export function isPermissionDenied(err: unknown): boolean {
  if (isMlpipeError(err)) return err.code === 'E_PERMISSION' || isPermissionDenied(err.cause);
  return isErrnoException(err, 'EACCES') || isErrnoException(err, 'EPERM') || isErrnoException(err, 'EROFS');
}

export const STORE_DENIED_STATUS = 503;

export const STORE_DENIED = {
  code: 'E_PERMISSION',
  message: "the server's store refused access (permission denied or read-only); its operator must make the folder writable by the user running `mlpipe remote serve`",
} as const;
