/**
 * A protocol-level failure with its HTTP status (as Hono's HTTPException): wrong route, method,
 * content type, credentials or body size. Bad request *data* is an MlpipeError E_BAD_INPUT instead;
 * both become responses in one place (errorResponse in ./app.ts).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** MLflow `error_code` for this status (KServe bodies carry only the message). */
    readonly errorCode = 'BAD_REQUEST',
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
