import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { hashOne } from '../core/hash/pool.js';
import { MlpipeError } from '../errors.js';

/**
 * Pushing verifies what it sends: a cache object whose bytes no longer match its name (bit rot, an
 * edited hardlink, a bad disk) must not reach a remote that others pull from, where it would pass for
 * good data. Each store checks the md5 on the bytes it actually sends, while sending them (one read
 * of the file), and refuses the object with E_CORRUPT before it becomes visible on the remote.
 */

/** The md5 an object's bytes must have: its name, without the `.dir` suffix of manifests. */
export function expectedMd5(oid: string): string {
  return oid.endsWith('.dir') ? oid.slice(0, -4) : oid;
}

export function corruptSource(oid: string, actual: string, path: string): MlpipeError {
  return new MlpipeError('E_CORRUPT', `cache object ${oid} is corrupted (its content hashes to ${actual}): not uploaded`, {
    expected: `content hashing to ${expectedMd5(oid)}`,
    received: `different bytes in ${path}`,
    hint: 'run `mlpipe fsck --repair` to drop damaged objects, restore them (`mlpipe commit` from a good workspace copy, or `mlpipe pull` from another remote), then push again',
    data: { oid, actual },
  });
}

/**
 * A read stream of a cache object that hashes as it goes and holds back its last chunk until the
 * md5 is known: a corrupt object ends in an error instead of its final bytes, so the receiver never
 * gets a complete body (HTTP and S3 then store nothing, a multipart upload is aborted). `onCorrupt`
 * is for consumers that do not watch their body stream for errors (the AWS SDK): abort the request.
 */
export function verifiedObjectStream(path: string, oid: string, onCorrupt?: () => void): Transform & { corrupt?: MlpipeError } {
  const hash = createHash('md5');
  let held: Buffer | undefined;
  const verifier: Transform & { corrupt?: MlpipeError } = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      hash.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done: TransformCallback) {
      const actual = hash.digest('hex');
      if (actual !== expectedMd5(oid)) {
        verifier.corrupt = corruptSource(oid, actual, path);
        onCorrupt?.();
        done(verifier.corrupt);
        return;
      }
      if (held) verifier.push(held);
      done();
    },
  });
  // The error is reported through `corrupt` (and the consumer's own listener, if any); a consumer
  // that has already let go of the stream (an aborted SDK request) must not turn it into a crash.
  verifier.on('error', () => {});
  const source = createReadStream(path);
  source.on('error', (err) => verifier.destroy(err));
  return source.pipe(verifier);
}

/**
 * Objects below this size are read whole, checked, and sent as one buffer: for the many small
 * objects of a typical push, a read stream and a hashing transform per object cost more client CPU
 * than the request itself, and a buffer body goes out in a single write with a known length.
 */
export const SMALL_OBJECT_BYTES = 1 << 20;

/** Reads a (small) cache object whole and checks its md5 before anything is sent; E_CORRUPT otherwise. */
export async function readVerified(path: string, oid: string): Promise<Buffer> {
  const bytes = await readFile(path);
  const actual = createHash('md5').update(bytes).digest('hex');
  if (actual !== expectedMd5(oid)) throw corruptSource(oid, actual, path);
  return bytes;
}

/** Copies a cache object to `tmp` while hashing it (the core's pool code); E_CORRUPT on a mismatch. */
export function copyVerified(path: string, tmp: string, oid: string): void {
  const { md5 } = hashOne({ path, tmp });
  if (md5 !== expectedMd5(oid)) throw corruptSource(oid, md5, path);
}

/** Hashes a cache object before it is handed to a store that reads the file itself (git). */
export function checkVerified(path: string, oid: string): void {
  const { md5 } = hashOne({ path });
  if (md5 !== expectedMd5(oid)) throw corruptSource(oid, md5, path);
}
