import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * DVC 3 file hash: plain md5 of the bytes, lowercase hex, the value `md5sum` prints
 * (../shared/docs/dvc-format.md §1.1). Reads through one reused buffer so that hashing a large
 * file allocates nothing per chunk.
 */
export const CHUNK_SIZE = 1 << 20;

export async function md5File(path: string, onBytes?: (n: number) => void): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('md5');
    const buf = Buffer.allocUnsafe(CHUNK_SIZE * 4);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      onBytes?.(bytesRead);
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

export function md5Bytes(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}
