import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AccessLog } from './access-log.js';
import type { ServeApp, ServeRequest, ServeResponse } from './app.js';

/**
 * The thin node:http adapter around ServeApp: reads the body (within a limit), calls `handle`,
 * writes the response, logs one JSON line per request, and closes gracefully.
 */
export interface NodeServerOptions {
  app: ServeApp;
  port: number;
  host: string;
  /** Largest request body accepted, in bytes; larger ones get 413 without being read. */
  bodyLimit: number;
  logger?: Logger;
  /** Where one JSON line per request goes; no access log when unset. */
  accessLog?: AccessLog;
  /** How long a graceful close waits for in-flight requests before cutting connections. */
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (at most shutdownTimeoutMs), then resolves. */
  close(): Promise<void>;
}

const TOO_LARGE = (limit: number): ServeResponse => ({
  status: 413,
  headers: { 'content-type': 'application/json', connection: 'close' },
  body: JSON.stringify({ error_code: 'BAD_REQUEST', message: `the request body exceeds the ${limit}-byte limit (--max-body)` }),
});

interface Queued {
  res: ServerResponse;
  out: ServeResponse;
  req: IncomingMessage;
  start: number;
}

export function listen(options: NodeServerOptions): Promise<RunningServer> {
  const { app, bodyLimit, logger, accessLog } = options;
  let closing = false;

  const send = (res: ServerResponse, out: ServeResponse, req: IncomingMessage, start: number) => {
    res.statusCode = out.status;
    for (const name in out.headers) res.setHeader(name, out.headers[name]!);
    // While draining, each finished response also closes its keep-alive connection.
    if (closing) res.setHeader('connection', 'close');
    res.end(req.method === 'HEAD' ? undefined : out.body);
    accessLog?.request(req.method ?? '', req.url ?? '', out.status, performance.now() - start);
  };

  const failed = (req: IncomingMessage, res: ServerResponse, start: number) => (err: unknown) => {
    logger?.error({ err }, 'unhandled error');
    send(res, { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error_code":"INTERNAL_ERROR","message":"internal error"}' }, req, start);
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, start: number) => {
    const request: ServeRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    let out: ServeResponse | Promise<ServeResponse>;
    try {
      out = app.respond(request, start);
    } catch (err) {
      failed(req, res, start)(err);
      return;
    }
    // Most answers are ready at once (see ServeApp.respond): written in this turn, no promise.
    if (out instanceof Promise) out.then((o) => send(res, o, req, start), failed(req, res, start));
    else later(res, out, req, start);
  };

  /**
   * Answers ready at once are written together at the end of the event-loop turn that produced
   * them, not one by one as each request is handled. Why: each write to a client that is asleep
   * wakes it (an inter-processor interrupt, ~3 us of kernel time on this VM); written back to back,
   * the first wakes the client and the rest arrive while it runs. Under `wrk -c50` (~50 requests per
   * turn) that took mlpipe from 29.5 to 25-26 us of CPU per request; the bare node:http server gets
   * the same effect for free by being faster than its client. A lone request waits one
   * `setImmediate` hop.
   */
  let queued: Queued[] = [];
  const writeQueued = () => {
    const batch = queued;
    queued = [];
    for (const q of batch) send(q.res, q.out, q.req, q.start);
  };
  const later = (res: ServerResponse, out: ServeResponse, req: IncomingMessage, start: number) => {
    if (queued.length === 0) setImmediate(writeQueued);
    queued.push({ res, out, req, start });
  };

  const server = createServer((req, res) => {
    const start = performance.now();
    if (req.method === 'GET' || req.method === 'HEAD') {
      req.resume();
      dispatch(req, res, undefined, start);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    // Too large: answer, then drop the connection once the answer is out rather than read the rest.
    const refuse = () => {
      res.once('finish', () => req.destroy());
      send(res, TOO_LARGE(bodyLimit), req, start);
    };
    if (declared > bodyLimit) {
      refuse();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyLimit) {
        if (!res.headersSent) refuse();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > bodyLimit) return;
      dispatch(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), start);
    });
  });
  server.keepAliveTimeout = 65_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      let closed: Promise<void> | undefined;
      resolve({
        server,
        port,
        url: `http://${host}:${port}`,
        close() {
          closed ??= new Promise<void>((done) => {
            closing = true;
            app.drain();
            const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs ?? 10_000);
            server.close(() => {
              clearTimeout(timer);
              // The last requests' lines go out before the server reports that it stopped.
              accessLog?.flush();
              void app.close().then(done);
            });
            server.closeIdleConnections();
          });
          return closed;
        },
      });
    });
  });
}
