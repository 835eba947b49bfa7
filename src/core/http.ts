import { timingSafeEqual } from 'node:crypto';

/**
 * What the two HTTP servers (`mlpipe serve`, `mlpipe remote serve`) share, with no server code:
 * the protocol-level error and the bearer-token check.
 */

/**
 * A protocol-level failure with its HTTP status (as Hono's HTTPException): wrong route, method,
 * content type, credentials or body size. Each server renders it in its own body format: `errorCode`
 * is the machine-readable code of that format (an MLflow `error_code` such as `BAD_REQUEST` for
 * `serve`, an mlpipe code such as `E_REMOTE_AUTH` for `remote serve`).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode = 'BAD_REQUEST',
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * A checker for `Authorization: Bearer <token>`, comparing in constant time (the length of the
 * expected header is not secret, its bytes are). Without a token every request passes.
 */
export function bearerCheck(token: string | undefined): (authorization: string | string[] | undefined) => boolean {
  if (!token) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (authorization) => {
    if (typeof authorization !== 'string') return false;
    const given = Buffer.from(authorization);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
