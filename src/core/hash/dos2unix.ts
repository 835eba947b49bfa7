import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CHUNK_SIZE } from './md5.js';

/**
 * Legacy `md5-dos2unix` hashing of DVC <= 2.x entries (no `hash: md5` key), needed only to verify
 * legacy objects (../shared/docs/dvc-format.md §1.2). Text-ness is decided on the first 512 bytes;
 * a text chunk has every CRLF replaced by LF before hashing. Chunks are 1 MiB as in DVC, so a CRLF
 * split across a chunk boundary stays un-normalised exactly as DVC leaves it (issue #8374).
 *
 * `perChunk: false` is the DVC 2.x rule (decided once per file from the first chunk); `true` is the
 * DVC 3.x `Dos2UnixHashStreamFile` rule (decided for every chunk). They differ only for files over
 * 1 MiB whose later chunks differ in text-ness.
 */
const TEXT_CHARS = new Uint8Array(256);
for (let c = 32; c < 127; c++) TEXT_CHARS[c] = 1;
for (const c of [0x0a, 0x0d, 0x09, 0x0c, 0x08]) TEXT_CHARS[c] = 1;

export function isTextBlock(block: Uint8Array): boolean {
  if (block.length === 0) return true;
  let nontext = 0;
  for (const byte of block) {
    if (byte === 0) return false;
    if (!TEXT_CHARS[byte]) nontext++;
  }
  return nontext / block.length <= 0.3;
}

export function dos2unix(chunk: Buffer): Buffer {
  if (!chunk.includes(0x0d)) return chunk;
  const out = Buffer.allocUnsafe(chunk.length);
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const byte = chunk[i]!;
    if (byte === 0x0d && chunk[i + 1] === 0x0a) continue;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

export async function md5Dos2unixFile(path: string, options: { perChunk?: boolean } = {}): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('md5');
    const buf = Buffer.allocUnsafe(CHUNK_SIZE);
    let fileIsText: boolean | undefined;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK_SIZE, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (options.perChunk || fileIsText === undefined) fileIsText = isTextBlock(chunk.subarray(0, 512));
      const text = fileIsText;
      hash.update(text ? dos2unix(chunk) : chunk);
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}
