import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Starts reading `source` and resolves with a stream of its bytes once the server has answered
 * with success, or rejects with the first error. SDK download streams only send their request when
 * read and report a missing object as a stream error; a store's download() must instead reject
 * up front (E_NOT_FOUND) so the transfer never creates a temp file for an object that is absent.
 * `answered(response)` says whether a response event means success (a 404 response is followed
 * by the SDK's error).
 */
export function whenAnswered(source: Readable, answered: (response: unknown) => boolean, mapError: (err: unknown) => Error): Promise<Readable> {
  const out = new PassThrough();
  return new Promise((resolve, reject) => {
    let settled = false;
    source.once('response', (response: unknown) => {
      if (!settled && answered(response)) {
        settled = true;
        resolve(out);
      }
    });
    pipeline(source, out).catch((err: unknown) => {
      const mapped = mapError(err);
      if (settled) out.destroy(mapped);
      else {
        settled = true;
        reject(mapped);
      }
    });
  });
}
