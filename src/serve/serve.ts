import { basename, resolve } from 'node:path';
import { type Logger, symbols } from 'pino';
import { AccessLog, type LogSink, fileFd } from './access-log.js';
import { MlpipeError } from '../errors.js';
import { ServeApp } from './app.js';
import { loadModel } from '../model/load.js';
import { type RunningServer, listen } from './node-server.js';

export interface ServeOptions {
  /** The model folder (model.json + model.onnx) or a .onnx file. */
  model: string;
  port?: number;
  host?: string;
  /** The model's name in V2 routes; default: the model folder's name. */
  name?: string;
  token?: string;
  maxRows?: number;
  bodyLimit?: number;
  corsOrigin?: string;
  serverVersion: string;
  logger?: Logger;
  /** Log one line per request (default true when a logger is given). */
  accessLog?: boolean;
  /** Aborting it (SIGTERM, Ctrl-C) closes the server gracefully. */
  signal?: AbortSignal;
  /** Reload the model on SIGHUP (the CLI sets it; tests in-process leave it off). */
  reloadOnSighup?: boolean;
}

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
/** Request bodies are buffered whole, so the limit must be a size memory can hold: 1 GiB at most. */
export const MAX_BODY_LIMIT = 1024 ** 3;

/** `bodyLimit` (--max-body) is a whole number of bytes from 1 to MAX_BODY_LIMIT; 1e99 is not. */
function checkBodyLimit(limit: number): number {
  if (Number.isSafeInteger(limit) && limit >= 1 && limit <= MAX_BODY_LIMIT) return limit;
  throw new MlpipeError('E_USAGE', `--max-body must be a whole number of bytes from 1 to ${MAX_BODY_LIMIT} (1 GiB), got ${limit}`, {
    expected: `1 to ${MAX_BODY_LIMIT}`,
    received: String(limit),
    hint: `the default is ${DEFAULT_BODY_LIMIT} (10 MiB)`,
  });
}

/**
 * The access log writes to the logger's own destination (so its lines and the lifecycle lines share
 * one stream), at the logger's `info` level: none when the logger is quieter (`--quiet`).
 */
function accessLogOf(logger: Logger | undefined, enabled: boolean): AccessLog | undefined {
  if (!logger || !enabled || !logger.isLevelEnabled('info')) return undefined;
  const internals = logger as unknown as Record<symbol, unknown>;
  const sink = internals[symbols.streamSym] as LogSink | undefined;
  const bindings = internals[symbols.chindingsSym];
  return sink ? new AccessLog(sink, typeof bindings === 'string' ? bindings : '', fileFd(sink)) : undefined;
}

/**
 * Runs the model server until `signal` aborts: listens first (liveness answers at once), loads the
 * model (readiness turns 200), reloads on SIGHUP, and on abort drains in-flight requests and exits.
 * Resolves with the server once listening; `closed` settles when it has shut down.
 */
export async function serve(options: ServeOptions): Promise<{ server: RunningServer; app: ServeApp; closed: Promise<void> }> {
  const bodyLimit = checkBodyLimit(options.bodyLimit ?? DEFAULT_BODY_LIMIT);
  const modelPath = resolve(options.model);
  const name = options.name ?? basename(modelPath).replace(/\.onnx$/, '');
  const log = options.logger;
  const app = new ServeApp({
    load: () => loadModel(modelPath, { onWarning: (message) => log?.warn({ model: modelPath }, message) }),
    name,
    modelPath,
    serverVersion: options.serverVersion,
    token: options.token,
    maxRows: options.maxRows,
    corsOrigin: options.corsOrigin,
    onError: (err, req) => log?.error({ err, method: req.method, url: req.url }, 'internal error'),
  });
  const server = await listen({ app, port: options.port ?? 8080, host: options.host ?? '127.0.0.1', bodyLimit, logger: log, accessLog: accessLogOf(log, options.accessLog ?? true) }).catch(
    (err: NodeJS.ErrnoException) => {
      throw new MlpipeError('E_USAGE', `cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8080}: ${err.code ?? err.message}`, {
        hint: err.code === 'EADDRINUSE' ? 'pick another port with --port, or stop the process using it' : undefined,
        cause: err,
      });
    },
  );
  log?.info({ url: server.url, port: server.port, model: modelPath, name }, 'listening');
  try {
    const model = await app.start();
    // Says whether small requests get the TypeScript scorer, or why onnxruntime scores everything.
    log?.info({ name, version: model.meta.version, algorithm: model.meta.algorithm, tsScorer: model.tsScorer }, 'model loaded, ready');
  } catch (err) {
    await server.close();
    throw err;
  }
  const onHup = () => {
    log?.info('SIGHUP: reloading the model');
    app.reload().then(
      (m) => log?.info({ version: m.meta.version }, 'model reloaded'),
      (err: unknown) => log?.error({ err }, 'reload failed; still serving the previous model'),
    );
  };
  if (options.reloadOnSighup) process.on('SIGHUP', onHup);
  const closed = new Promise<void>((done) => {
    const stop = () => {
      log?.info('shutting down: finishing in-flight requests');
      process.off('SIGHUP', onHup);
      void server.close().then(() => {
        log?.info('stopped');
        done();
      });
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
  return { server, app, closed };
}
