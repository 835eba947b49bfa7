import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningRemoteServer, startRemoteServer } from '../../../src/remote/server/serve.js';
import { tempDir } from '../../helpers/tree.js';
import { BAR, FOO, listFiles } from './fixtures.js';

const TOKEN = 'tok';

interface Reply {
  status: number;
  body: string;
}

function call(base: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    // path is sent verbatim (no URL normalisation), as an attacker would.
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };
const FOO_PATH = `/files/md5/ac/${FOO.slice(2)}`;
const BAR_PATH = `/files/md5/37/${BAR.slice(2)}`;

describe('mlpipe remote serve (request handler)', () => {
  let dir: string;
  let server: RunningRemoteServer;
  beforeAll(async () => {
    dir = tempDir('mlpipe-served-');
    server = await startRemoteServer({ dir, token: TOKEN, maxBodyBytes: 16 });
  });
  afterAll(() => server.close());

  it('stores an upload whose md5 matches its name, and serves it back', async () => {
    expect(await call(server.url, 'POST', FOO_PATH, 'foo', auth)).toEqual({ status: 201, body: `{"oid":"${FOO}","size":3}\n` });
    expect(await call(server.url, 'GET', FOO_PATH)).toEqual({ status: 200, body: 'foo' });
    expect((await call(server.url, 'HEAD', FOO_PATH)).status).toBe(200);
  });

  it('accepts a chunked upload without Content-Length, as DVC sends it', async () => {
    const url = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: BAR_PATH, headers: auth }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('b');
      setTimeout(() => req.end('ar'), 20);
    });
    expect(status).toBe(201);
    expect(await call(server.url, 'GET', BAR_PATH)).toEqual({ status: 200, body: 'bar' });
  });

  it('refuses an upload whose bytes do not match the name, and keeps nothing', async () => {
    const path = '/files/md5/f9/7c5d29941bfb1b2fdab0874906ab82'; // md5("one")
    const reply = await call(server.url, 'PUT', path, 'two', auth);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error.code).toBe('E_CORRUPT');
    expect((await call(server.url, 'GET', path)).status).toBe(404);
    expect(listFiles(dir).filter((f) => f.startsWith('files/md5/f9'))).toEqual([]);
  });

  it('requires the token for writes: 401 without, 403 when wrong', async () => {
    expect((await call(server.url, 'POST', FOO_PATH, 'foo')).status).toBe(401);
    const wrong = await call(server.url, 'POST', FOO_PATH, 'foo', { authorization: 'Bearer nope' });
    expect(wrong).toEqual({ status: 403, body: '{"error":{"code":"E_REMOTE_AUTH","message":"wrong token"}}\n' });
  });

  it.each([
    '/files/md5/../../../etc/passwd',
    '/files/md5/%2e%2e/%2e%2e/etc/passwd',
    '/files/md5/ac/..%2f..%2f..%2fetc%2fpasswd',
    '//etc/passwd',
    '/files/md5/ac/BD18DB4CC2F85CEDEF654FCCC4A4D8',
    '/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8.tmp',
  ])('rejects the non-object path %s', async (path) => {
    const reply = await call(server.url, 'POST', path, 'x', auth);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error.code).toBe('E_BAD_INPUT');
    expect((await call(server.url, 'GET', path)).status).toBe(400);
  });

  it('refuses a body above the size limit with 413', async () => {
    const reply = await call(server.url, 'POST', `/files/md5/00/${'0'.repeat(30)}`, 'x'.repeat(17), auth);
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).error.code).toBe('E_REMOTE_TOO_LARGE');
  });

  it('answers other methods with 405', async () => {
    expect((await call(server.url, 'DELETE', FOO_PATH, undefined, auth)).status).toBe(405);
  });

  it('protects reads too when asked', async () => {
    const priv = await startRemoteServer({ dir, token: TOKEN, authReads: true });
    expect((await call(priv.url, 'GET', FOO_PATH)).status).toBe(401);
    expect(await call(priv.url, 'GET', FOO_PATH, undefined, auth)).toEqual({ status: 200, body: 'foo' });
    await priv.close();
  });
});
