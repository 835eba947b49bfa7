import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { isMlpipeError } from '../errors.js';
import { dataReports, experimentsData, modelsData, pipelineData, plotsData } from './collect.js';
import { repoVersion } from './version.js';

/**
 * The dashboard's server core, Hono-style: a `(Request) => Promise<Response>` over the library's
 * own collectors, read-only, tested in-process. The node:http adapter (./server.ts) only converts.
 * JSON endpoints are listed in the README ("Dashboard"); every other path serves the bundled front
 * end from `assets` (dist/ui).
 */
export interface UiHandlerOptions {
  root: string;
  /** Folder of the built front end (index.html, assets/); undefined: API only. */
  assets?: string;
  /** Required on /api/* as `Authorization: Bearer T` or `?token=T` when set. */
  token?: string;
}

export type UiHandler = (req: Request) => Promise<Response>;

const MAX_REVS = 20;
/** A revision as the page sends it: 'workspace', a sha or a ref name; never an option (`-...`). */
const REV = /^[A-Za-z0-9_.][A-Za-z0-9_./-]{0,200}$/;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};
// vega compiles its expressions with Function(): hence 'unsafe-eval'; nothing loads from elsewhere.
const CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });

function sameToken(given: string | null, want: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createUiHandler(options: UiHandlerOptions): UiHandler {
  const { root } = options;
  // Views are recomputed only when the repository's fingerprint changes (1,000 experiments take seconds).
  let cachedVersion = '';
  const cache = new Map<string, Promise<unknown>>();
  const cached = (version: string, key: string, compute: () => Promise<unknown> | unknown): Promise<unknown> => {
    if (version !== cachedVersion) {
      cache.clear();
      cachedVersion = version;
    }
    let hit = cache.get(key);
    if (!hit) {
      hit = Promise.resolve().then(compute);
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };

  const api = async (path: string, url: URL): Promise<unknown> => {
    const version = repoVersion(root);
    switch (path) {
      case '/api/version':
        return { version };
      case '/api/experiments':
        return cached(version, path, () => experimentsData(root));
      case '/api/pipeline':
        return cached(version, path, () => pipelineData(root));
      case '/api/data':
        return cached(version, path, () => dataReports(root));
      case '/api/models':
        return cached(version, path, () => modelsData(root));
      case '/api/plots': {
        const revs = (url.searchParams.get('revs') ?? 'workspace').split(',').filter(Boolean);
        const bad = revs.find((r) => !REV.test(r));
        if (bad !== undefined) throw new HttpProblem(400, 'E_USAGE', `'${bad}' is not a revision (expected 'workspace', a commit sha or a ref name)`);
        if (revs.length === 0 || revs.length > MAX_REVS) throw new HttpProblem(400, 'E_USAGE', `revs must name 1 to ${MAX_REVS} revisions, got ${revs.length}`);
        return cached(version, `${path}?${revs.join(',')}`, () => plotsData(root, revs));
      }
      default:
        throw new HttpProblem(404, 'E_NOT_FOUND', `no endpoint ${path}`);
    }
  };

  const asset = (path: string): Response => {
    // data.js is what `ui --export` fills in; served empty, the page asks the API instead.
    if (path === '/data.js') return new Response('', { headers: { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' } });
    if (!options.assets) throw new HttpProblem(404, 'E_NOT_FOUND', 'this server has no front end (dist/ui is missing: run `npm run build`)');
    const rel = normalize(decodeURIComponent(path === '/' ? '/index.html' : path)).replace(/^[/\\]+/, '');
    if (rel.startsWith('..') || rel.split(sep).includes('..')) throw new HttpProblem(404, 'E_NOT_FOUND', `no file ${path}`);
    let body: Buffer;
    try {
      body = readFileSync(join(options.assets, rel));
    } catch {
      throw new HttpProblem(404, 'E_NOT_FOUND', `no file ${path}`);
    }
    const type = TYPES[extname(rel)] ?? 'application/octet-stream';
    return new Response(new Uint8Array(body), {
      headers: { 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': rel === 'index.html' ? 'no-store' : 'max-age=3600' },
    });
  };

  return async (req) => {
    const url = new URL(req.url);
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpProblem(405, 'E_USAGE', `${req.method} is not allowed: the dashboard is read-only`);
      if (!url.pathname.startsWith('/api/')) return asset(url.pathname);
      if (options.token !== undefined) {
        const bearer = req.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1] ?? null;
        if (!sameToken(bearer, options.token) && !sameToken(url.searchParams.get('token'), options.token)) {
          throw new HttpProblem(401, 'E_UNAUTHORIZED', 'a token is required: send "Authorization: Bearer <token>" or add ?token=<token>');
        }
      }
      return json(200, await api(url.pathname, url));
    } catch (err) {
      if (err instanceof HttpProblem) return json(err.status, { code: err.code, message: err.message });
      if (isMlpipeError(err)) return json(err.code === 'E_NOT_FOUND' ? 404 : err.code === 'E_USAGE' || err.code === 'E_BAD_INPUT' ? 400 : 500, { code: err.code, message: err.message });
      return json(500, { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) });
    }
  };
}
