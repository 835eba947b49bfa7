import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { LocalOdb } from '../../core/odb/local.js';
import { MlpipeError, isMlpipeError } from '../../errors.js';
import type { ObjectStore } from '../stores/types.js';

/**
 * `remote serve --store URL`: the server fronts another object store (S3, GCS, Azure, SSH, a folder)
 * instead of a folder of its own. An upload is first received into a scratch object database,
 * where it is size-limited and verified against its name like any upload, and only then sent on,
 * so a client with the token can never put a corrupt or oversized object into the bucket.
 */
export class StoreBackend {
  constructor(
    readonly store: ObjectStore,
    /** Scratch folder for uploads in flight (each gets a folder of its own, removed afterwards). */
    private readonly scratchDir: string,
  ) {}

  /** Receives into a fresh scratch ODB (verified there), then uploads to the store. */
  async receive(oid: string, verifyInto: (odb: LocalOdb) => Promise<number>): Promise<number> {
    const dir = join(this.scratchDir, randomUUID());
    try {
      const odb = new LocalOdb(dir);
      const size = await verifyInto(odb);
      await this.store.upload(oid, odb.path(oid), size);
      return size;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async send(res: ServerResponse, oid: string, headOnly: boolean): Promise<void> {
    if (headOnly) {
      const found = await this.store.exists([oid]);
      if (!found.has(oid)) throw new MlpipeError('E_NOT_FOUND', `no such object: ${oid}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end();
      return;
    }
    const body = await this.store.download(oid);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    await pipeline(body, res);
  }
}

/** The HTTP status for a failure of the store behind the server (the client's request was fine). */
export function storeErrorStatus(err: unknown): number | undefined {
  if (!isMlpipeError(err)) return undefined;
  if (err.code === 'E_NOT_FOUND') return 404;
  if (err.code === 'E_REMOTE_TOO_LARGE') return 413;
  if (err.code === 'E_REMOTE' || err.code === 'E_REMOTE_AUTH' || err.code === 'E_REMOTE_NOT_FOUND') return 502;
  return undefined;
}
