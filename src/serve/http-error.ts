/**
 * The protocol-level error of the serving app, shared with `remote serve` (core/http.ts). Bad
 * request *data* is an MlpipeError E_BAD_INPUT instead; both become responses in one place
 * (errorResponse in ./app.ts).
 */
export { HttpError } from '../core/http.js';
