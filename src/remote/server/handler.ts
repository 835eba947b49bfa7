import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError, bearerCheck } from '../../core/http.js';
import { LocalOdb } from '../../core/odb/local.js';
import { isErrnoException, isMlpipeError } from '../../errors.js';
import { STORE_DENIED, STORE_DENIED_STATUS, isPermissionDenied } from './permission.js';
import { type StoreBackend, storeErrorStatus } from './store-backend.js';

export interface RemoteServerOptions {
  /** Folder the objects are stored in, in DVC's remote layout (`files/md5/XX/...`). */
  dir: string;
  /** When set, uploads need `Authorization: Bearer <token>`. */
  token?: string;
  /** Also require the token for downloads and existence checks. */
  authReads?: boolean;
  /** Largest upload accepted, in bytes (default 5 GiB). */
  maxBodyBytes?: number;
  /** Serve another store (`remote serve --store`) instead of `dir`, which then only holds uploads in flight. */
  backend?: StoreBackend;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 2 ** 30;

/**
 * `/files/md5/XX/<30 hex>[.dir]` (DVC 3) or `/XX/<30 hex>` (DVC 2 legacy, dvc-format.md §4.1). Only
 * these exact shapes name an object, so `..`, `%2e`, absolute paths and every other trick fail the
 * match before any path is built.
 */
const OBJECT_PATH = /^\/(files\/md5\/)?([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/;

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The request handler of `mlpipe remote serve`: DVC's HTTP remote protocol (dvc-format.md §4.4)
 * over a folder. GET/HEAD read an object; POST or PUT store one, visible only once its md5 matches
 * its name. Errors are answered as `{"error": {code, message}}` with a matching status.
 */
export function createRemoteHandler(options: RemoteServerOptions): Handler {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // The folder is an object database like the cache: uploads are verified and renamed into place.
  const odb = new LocalOdb(options.dir);
  const tokenOk = bearerCheck(options.token);
  const authorized = (req: IncomingMessage): boolean => tokenOk(req.headers.authorization);

  return async (req, res) => {
    try {
      const method = req.method ?? 'GET';
      const isWrite = method === 'POST' || method === 'PUT';
      if (!isWrite && method !== 'GET' && method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD, POST, PUT');
        throw new HttpError(405, `method ${method} is not supported`, 'E_BAD_INPUT');
      }
      const pathname = (req.url ?? '/').split('?')[0] as string;
      if (pathname === '/' && !isWrite) return sendJson(res, 200, { server: 'mlpipe remote', layout: 'files/md5' });
      if ((isWrite || options.authReads) && !authorized(req)) {
        res.setHeader('www-authenticate', 'Bearer realm="mlpipe"');
        const status = req.headers.authorization ? 403 : 401;
        throw new HttpError(status, req.headers.authorization ? 'wrong token' : 'a token is required', 'E_REMOTE_AUTH');
      }
      const m = OBJECT_PATH.exec(pathname);
      if (!m) {
        throw new HttpError(400, `not an object path: ${pathname.slice(0, 200)}`, 'E_BAD_INPUT');
      }
      const oid = `${m[2]}${m[3]}`;
      const legacy = m[1] === undefined;
      const backend = options.backend;
      if (backend && legacy) throw new HttpError(400, 'a server in front of a store serves the files/md5/ layout only', 'E_BAD_INPUT');
      if (backend && isWrite) {
        const size = await backend.receive(oid, (scratch) => receive(req, scratch, oid, false, maxBody));
        sendJson(res, 201, { oid, size });
      } else if (backend) await backend.send(res, oid, method === 'HEAD');
      else if (isWrite) sendJson(res, 201, { oid, size: await receive(req, odb, oid, legacy, maxBody) });
      else await send(req, res, odb.path(oid, legacy), method === 'HEAD');
    } catch (err) {
      if (res.headersSent) res.destroy();
      else if (isPermissionDenied(err)) {
        if (!req.readableEnded) res.setHeader('connection', 'close');
        sendJson(res, STORE_DENIED_STATUS, { error: STORE_DENIED });
      } else sendError(req, res, err);
    }
  };
}

async function send(req: IncomingMessage, res: ServerResponse, file: string, headOnly: boolean): Promise<void> {
  const info = await stat(file).catch((err) => {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ENOTDIR')) {
      throw new HttpError(404, `no such object: ${req.url}`, 'E_NOT_FOUND');
    }
    throw err;
  });
  if (!info.isFile()) throw new HttpError(404, `no such object: ${req.url}`, 'E_NOT_FOUND');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
  if (headOnly) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file), res);
}

/** Reads an upload into `odb`, visible there only once verified; returns its size. */
async function receive(req: IncomingMessage, odb: LocalOdb, oid: string, legacy: boolean, maxBody: number): Promise<number> {
  const tooLarge = (size: number | string) =>
    new HttpError(413, `the object is ${size} bytes, above the limit of ${maxBody}`, 'E_REMOTE_TOO_LARGE');
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBody) throw tooLarge(declared);
  // Chunked bodies (DVC sends them) have no declared length: count while receiving.
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > maxBody ? tooLarge(`more than ${maxBody}`) : null, chunk);
    },
  });
  req.on('error', (err) => limiter.destroy(err));
  try {
    await odb.addStream(req.pipe(limiter), oid, legacy);
  } catch (err) {
    if (isMlpipeError(err) && err.code === 'E_CORRUPT') {
      throw new HttpError(400, `upload of ${oid} does not match its hash (received md5 ${err.received})`, err.code);
    }
    throw err;
  }
  return size;
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : (storeErrorStatus(err) ?? 500);
  const body =
    err instanceof HttpError
      ? { code: err.errorCode, message: err.message }
      : isMlpipeError(err)
        ? { code: err.code, message: err.message }
        : { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) };
  // An upload refused before its body was read: close the connection rather than read gigabytes.
  if (!req.readableEnded) res.setHeader('connection', 'close');
  sendJson(res, status, { error: body });
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const text = `${JSON.stringify(data)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
