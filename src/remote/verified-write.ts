import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlpipeError } from '../errors.js';

/** Objects are read-only once stored: DVC trusts a 0o444 object without re-hashing it (dvc-format.md §2.2). */
export const OBJECT_MODE = 0o444;

/** `.<random>.tmp` in the destination folder, as DVC's `tmp_fname` (dvc-format.md §2.2). */
export function tempNameFor(finalPath: string): string {
  return join(dirname(finalPath), `.${randomBytes(12).toString('base64url')}.tmp`);
}

/** The md5 an object's bytes must have: its name without the `.dir` suffix. */
export function expectedMd5(oid: string): string {
  return oid.endsWith('.dir') ? oid.slice(0, -4) : oid;
}

export interface VerifiedWriteOptions {
  /** Refuse (E_REMOTE_TOO_LARGE) once more than this many bytes arrive. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * Streams `source` into `finalPath` so that the object only becomes visible when its bytes hash to
 * its name: write a temp file in the same folder while hashing, compare, rename, chmod 0o444. On a
 * mismatch, an abort or a crash, only a `.tmp` file can be left behind, which no reader trusts.
 * Returns the number of bytes written.
 */
export async function writeVerifiedObject(
  source: Readable,
  finalPath: string,
  oid: string,
  options: VerifiedWriteOptions = {},
): Promise<number> {
  await mkdir(dirname(finalPath), { recursive: true });
  const tmp = tempNameFor(finalPath);
  const hash = createHash('md5');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (options.maxBytes !== undefined && size > options.maxBytes) {
        done(
          new MlpipeError('E_REMOTE_TOO_LARGE', `object ${oid} is larger than the limit of ${options.maxBytes} bytes`, {
            expected: `at most ${options.maxBytes} bytes`,
            received: `more than ${options.maxBytes} bytes`,
          }),
        );
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx' }), { signal: options.signal });
    const actual = hash.digest('hex');
    if (actual !== expectedMd5(oid)) {
      throw new MlpipeError('E_CORRUPT', `object ${oid} does not match its hash (${size} bytes received)`, {
        expected: `bytes whose md5 is ${expectedMd5(oid)}`,
        received: `bytes whose md5 is ${actual}`,
        data: { oid, md5: actual, size },
      });
    }
    await chmod(tmp, OBJECT_MODE);
    await rename(tmp, finalPath);
    return size;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** True for names a writer may leave behind mid-write (never objects). */
export function isTempName(path: string): boolean {
  return basename(path).endsWith('.tmp');
}
