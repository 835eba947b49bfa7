import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic as coreWriteFileAtomic } from '../../core/fs/atomic.js';
import { MlpipeError } from '../../errors.js';
import { interrupted } from '../threads.js';

/**
 * Writes a folder of files atomically: everything goes into a temporary sibling folder, which is
 * renamed over the destination only when complete. An interrupted run leaves the old folder (or
 * nothing) in place, never a half-written model.
 */
export function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>, signal?: AbortSignal): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      throw new MlpipeError('E_CONFLICT', `${dir} exists and is not a folder`, {
        expected: 'a new or existing model folder',
        received: 'a file',
        hint: 'choose another --out path',
      });
    }
    const foreign = readdirSync(dir).filter((f) => !(f in files));
    if (foreign.length > 0) {
      throw new MlpipeError('E_CONFLICT', `${dir} holds files that are not part of a model; refusing to replace it`, {
        expected: 'an empty folder or a previous model folder',
        received: foreign.slice(0, 5).join(', '),
        hint: 'choose another --out path, or remove the folder first',
      });
    }
  }
  mkdirSync(dirname(dir), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${tag}`);
  const old = join(dirname(dir), `.${basename(dir)}.old-${tag}`);
  try {
    mkdirSync(tmp);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tmp, name), content);
    if (signal?.aborted) throw interrupted();
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** Writes one file atomically (core/fs/atomic.ts: temp file + fsync + rename), creating its folder. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  coreWriteFileAtomic(path, content);
}
