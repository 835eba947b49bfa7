import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlpipeError } from '../errors.js';
import { assetsDir } from './assets.js';
import { createUiHandler } from './handler.js';

export interface UiServerOptions {
  root: string;
  port: number;
  host: string;
  token?: string;
}

export interface RunningUi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Loopback addresses: the only ones served without a token. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `mlpipe ui`: the handler behind node:http (the adapter converts, nothing more). */
export async function startUi(options: UiServerOptions): Promise<RunningUi> {
  if (!isLoopback(options.host) && !options.token) {
    throw new MlpipeError('E_USAGE', `serving the dashboard on ${options.host} needs a token`, {
      expected: 'a loopback host (127.0.0.1, localhost, ::1) or --token',
      received: options.host,
      hint: `mlpipe ui --host ${options.host} --token "$(openssl rand -hex 16)"`,
    });
  }
  const handle = createUiHandler({ root: options.root, assets: assetsDir(), token: options.token });
  const server: Server = createServer((req, res) => {
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers: Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]])),
    });
    handle(request).then(
      async (response) => {
        res.statusCode = response.status;
        response.headers.forEach((value, name) => {
          res.setHeader(name, value);
        });
        res.end(req.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer()));
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new MlpipeError('E_CONFLICT', `port ${options.port} is already in use`, { received: String(options.port), hint: 'pick another with --port (0 = any free port)' })
          : err,
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
