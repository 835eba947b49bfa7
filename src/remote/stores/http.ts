import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { objectRelPath } from '../../core/odb/layout.js';
import { MlpipeError } from '../../errors.js';
import { networkError, remoteError } from '../errors.js';
import { forEachLimit } from '../pool.js';
import { verifiedObjectStream } from '../verify.js';
import type { ObjectStore, StoreCallOptions } from './types.js';

export interface HttpStoreOptions {
  /** `http(s)://host[:port]/path`; objects live at `<url>/files/md5/XX/...`. */
  url: string;
  /** DVC's `method`: the upload verb, POST by default. */
  method?: 'POST' | 'PUT';
  /** DVC's `auth`: `basic` (user + password) or `custom` (`custom_auth_header: password`). */
  auth?: 'basic' | 'custom';
  user?: string;
  password?: string;
  customAuthHeader?: string;
  sslVerify?: boolean;
  /** Seconds, as DVC's `read_timeout` (default 60). */
  readTimeout?: number;
}

/**
 * DVC's http remote (dvc-format.md §4.4): GET downloads, HEAD checks existence, POST (or PUT) of the
 * raw bytes uploads. There is no listing, so existence checks are parallel HEADs on keep-alive
 * connections. Works against `mlpipe remote serve` and any server that speaks the same protocol.
 */
export class HttpStore implements ObjectStore {
  readonly location: string;
  readonly maxObjectBytes = undefined;
  readonly defaultJobs = 16;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpStoreOptions) {
    this.location = options.url;
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    const isHttps = this.base.protocol === 'https:';
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: options.sslVerify !== false })
      : new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.headers = authHeaders(options);
  }

  private objectUrl(oid: string): URL {
    return new URL(objectRelPath(oid), this.base);
  }

  async exists(oids: readonly string[], options: StoreCallOptions = {}): Promise<Set<string>> {
    const found = new Set<string>();
    await forEachLimit(oids, this.defaultJobs, async (oid) => {
      const res = await this.request('HEAD', oid, options.signal);
      res.resume();
      if (res.statusCode === 404) return;
      if ((res.statusCode ?? 500) >= 400) throw this.statusError(res, `checking ${oid}`);
      found.add(oid);
    });
    return found;
  }

  async upload(oid: string, sourcePath: string, size: number, options: StoreCallOptions = {}): Promise<void> {
    const method = this.options.method ?? 'POST';
    const res = await this.request(method, oid, options.signal, {
      body: () => verifiedObjectStream(sourcePath, oid),
      length: size,
    });
    const text = await readSmallBody(res);
    if ((res.statusCode ?? 500) >= 400) throw this.statusError(res, `uploading ${oid}`, text);
  }

  async download(oid: string, options: StoreCallOptions = {}): Promise<Readable> {
    const res = await this.request('GET', oid, options.signal);
    if (res.statusCode === 200) return res;
    const text = await readSmallBody(res);
    if (res.statusCode === 404) {
      throw remoteError('E_NOT_FOUND', this.location, `object ${oid} is not on the remote`);
    }
    throw this.statusError(res, `downloading ${oid}`, text);
  }

  async commit(): Promise<void> {}

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private request(
    method: string,
    oid: string,
    signal: AbortSignal | undefined,
    upload?: { body: () => Readable; length: number },
  ): Promise<IncomingMessage> {
    const url = this.objectUrl(oid);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(url, {
        method,
        agent: this.agent,
        signal,
        timeout: (this.options.readTimeout ?? 60) * 1000,
        headers: {
          ...this.headers,
          ...(upload ? { 'content-length': String(upload.length), 'content-type': 'application/octet-stream' } : {}),
        },
      });
      req.on('response', resolve);
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(networkError(this.location, err)));
      if (upload) {
        const body = upload.body();
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      } else {
        req.end();
      }
    });
  }

  private statusError(res: IncomingMessage, what: string, body = ''): MlpipeError {
    const status = res.statusCode ?? 0;
    const detail = serverMessage(body);
    const received = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
    if (status === 401 || status === 403) {
      return remoteError('E_REMOTE_AUTH', this.location, `the server refused the credentials while ${what}`, {
        received,
        hint: 'for `mlpipe remote serve`, set `auth custom`, `custom_auth_header Authorization` and `password "Bearer TOKEN"` with `mlpipe remote modify --local NAME KEY VALUE`',
      });
    }
    if (status === 413) {
      return remoteError('E_REMOTE_TOO_LARGE', this.location, `the server refused the object size while ${what}`, {
        received,
        hint: 'raise the server limit (`mlpipe remote serve --max-size`) or use an S3 remote for large objects',
      });
    }
    if (status === 503 && serverCode(body) === 'E_PERMISSION') {
      // `mlpipe remote serve` in front of a folder it may not write: retrying will not help.
      return remoteError('E_PERMISSION', this.location, `the server's store refused access while ${what}`, {
        received,
        hint: 'the folder behind `mlpipe remote serve` must be writable by the user running it',
      });
    }
    if (status === 404) {
      return remoteError('E_REMOTE_NOT_FOUND', this.location, `the server has no such location while ${what}`, {
        received,
        hint: 'check the URL with `mlpipe remote list`',
      });
    }
    return remoteError('E_REMOTE', this.location, `the server failed while ${what}`, {
      received,
      transient: status >= 500 || status === 429,
    });
  }
}

function authHeaders(options: HttpStoreOptions): Record<string, string> {
  if (options.auth === 'basic') {
    const token = Buffer.from(`${options.user ?? ''}:${options.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${token}` };
  }
  if (options.auth === 'custom') {
    if (!options.customAuthHeader || options.password === undefined) {
      throw new MlpipeError('E_BAD_INPUT', `remote ${options.url}: auth = custom needs custom_auth_header and password`, {
        expected: 'custom_auth_header (e.g. Authorization) and password (e.g. "Bearer TOKEN")',
        received: `custom_auth_header=${options.customAuthHeader ?? '(unset)'}, password=${options.password === undefined ? '(unset)' : '(set)'}`,
        hint: 'mlpipe remote modify --local NAME custom_auth_header Authorization',
      });
    }
    return { [options.customAuthHeader.toLowerCase()]: options.password };
  }
  return {};
}

/** Reads an error body (bounded) so the message can quote what the server said. */
async function readSmallBody(res: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) {
    if (text.length < 4096) text += chunk.toString();
  }
  return text.slice(0, 4096);
}

/** `mlpipe remote serve` answers errors as `{"error": {"message": ...}}`; other servers as text. */
/** The `error.code` of an mlpipe server's JSON error body, if any. */
function serverCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: quote the text as is
  }
  return body.trim().slice(0, 300);
}
