import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRemoteHandler } from '../../../src/remote/server/handler.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { LocalStore } from '../../../src/remote/stores/local.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { BAR, BIG, DIR, dirCache, FOO, listFiles, writeCache } from './fixtures.js';

/** The real remote handler behind a front that fails the first request for each path in its own way. */
async function flakyServer(dir: string, fault: 'status-503' | 'cut-body') {
  const handler = createRemoteHandler({ dir });
  const seen = new Set<string>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    log.push(key);
    if (!seen.has(key) && req.method !== 'HEAD') {
      seen.add(key);
      if (fault === 'status-503') {
        req.resume();
        res.writeHead(503).end('busy');
        return;
      }
      if (req.method === 'GET') {
        // Promise the whole object, send one byte, hang up: a connection lost mid-download.
        res.writeHead(200, { 'content-length': 1000 });
        res.write('x', () => res.destroy());
        return;
      }
    }
    void handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, log, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('transfer retries transient failures', () => {
  it('retries uploads and downloads answered 503, and counts each object once', async () => {
    const dir = tempDir('mlpipe-served-');
    const server = await flakyServer(dir, 'status-503');
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO, BAR]);
    const store = new HttpStore({ url: server.url });
    const pushed = await pushObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(cacheDir), store, attempts: 3 });
    expect(pushed).toEqual({ transferred: 2, skipped: 0, failed: [], missing: [], bytes: 6 });
    expect(server.log.filter((l) => l.startsWith('POST')).length).toBe(4);
    const fresh = join(tempDir('mlpipe-cache-'), 'cache');
    const fetched = await fetchObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(fresh), store, attempts: 3 });
    expect(fetched.transferred).toBe(2);
    await store.close();
    await server.close();
  });

  it('retries a download cut off mid-body, leaving no partial file', async () => {
    const dir = tempDir('mlpipe-served-');
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [BIG]);
    const plain = await flakyServer(dir, 'cut-body');
    const store = new HttpStore({ url: plain.url });
    await pushObjects({ files: [BIG], dirs: [] }, { cache: dirCache(cacheDir), store });
    const fresh = join(tempDir('mlpipe-cache-'), 'cache');
    const fetched = await fetchObjects({ files: [BIG], dirs: [] }, { cache: dirCache(fresh), store, attempts: 3 });
    expect(fetched).toEqual({ transferred: 1, skipped: 0, failed: [], missing: [], bytes: 3 * 2 ** 20 });
    expect(listFiles(fresh)).toEqual([`files/md5/${BIG.slice(0, 2)}/${BIG.slice(2)}`]);
    await store.close();
    await plain.close();
  });

  it('gives up after the last attempt and reports the failure', async () => {
    const dir = tempDir('mlpipe-served-');
    const server = await flakyServer(dir, 'status-503');
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO]);
    const store = new HttpStore({ url: server.url });
    const pushed = await pushObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store, attempts: 1 });
    expect(pushed.failed).toEqual([
      { oid: FOO, code: 'E_REMOTE', message: `remote ${server.url}: the server failed while uploading ${FOO}` },
    ]);
    await store.close();
    await server.close();
  });
});

describe('existence checks', () => {
  it('asks only about the manifest of a directory the remote already has', async () => {
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO, BAR, DIR, BIG]);
    const store = new LocalStore(tempDir('mlpipe-remote-'));
    const set = { files: [BIG], dirs: [{ oid: DIR, members: [BAR, FOO] }] };
    await pushObjects(set, { cache: dirCache(cacheDir), store });
    const asked: string[][] = [];
    const exists = store.exists.bind(store);
    store.exists = async (oids) => {
      asked.push([...oids]);
      return exists(oids);
    };
    const again = await pushObjects(set, { cache: dirCache(cacheDir), store });
    expect(again).toEqual({ transferred: 0, skipped: 4, failed: [], missing: [], bytes: 0 });
    expect(asked).toEqual([[DIR], [BIG]]);
  });
});
