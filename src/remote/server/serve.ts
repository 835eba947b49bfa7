import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import type { ObjectStore } from '../stores/types.js';
import { checkExposure } from './exposure.js';
import { type RemoteServerOptions, createRemoteHandler } from './handler.js';
import { StoreBackend } from './store-backend.js';

export interface StartRemoteServerOptions extends RemoteServerOptions {
  /** Default 127.0.0.1: expose it on purpose, never by accident. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Without a token, a host other than loopback is refused unless this is set (E_USAGE). */
  allowAnonymousUploads?: boolean;
  /** Front this store (S3, GCS, Azure, ...); `dir` then only holds uploads while they are verified. */
  store?: ObjectStore;
}

export interface RunningRemoteServer {
  url: string;
  close(): Promise<void>;
}

/** The Node adapter of the remote server: listens and serves createRemoteHandler. */
export async function startRemoteServer(options: StartRemoteServerOptions): Promise<RunningRemoteServer> {
  checkExposure({ host: options.host ?? '127.0.0.1', token: options.token, allowAnonymousUploads: options.allowAnonymousUploads });
  await mkdir(options.dir, { recursive: true });
  const backend = options.store ? new StoreBackend(options.store, options.dir) : undefined;
  const handler = createRemoteHandler({ ...options, backend });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
