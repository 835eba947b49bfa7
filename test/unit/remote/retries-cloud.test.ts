import { request, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AzureStore } from '../../../src/remote/stores/azure.js';
import { GcsStore } from '../../../src/remote/stores/gcs.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { BAR, FOO, dirCache, writeCache } from './fixtures.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, GCS_BUCKET, GCS_ENDPOINT, azureContainer, ensureAzurite, stopServers } from './servers.js';

/**
 * A reverse proxy in front of a real server that answers 503 to the first upload and the first
 * download of each object (what a throttled or restarting cloud endpoint does); everything else,
 * and every second try, reaches the server.
 */
async function flakyProxy(target: string, isObject: (method: string, url: string) => boolean) {
  const upstream = new URL(target);
  const seen = new Set<string>();
  const refused: string[] = [];
  const server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    if (isObject(req.method ?? '', req.url ?? '') && !seen.has(key)) {
      seen.add(key);
      refused.push(key);
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return;
    }
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function pushAndFetchThroughFaults(store: ObjectStore): Promise<void> {
  const cacheDir = tempDir('mlpipe-cache-');
  writeCache(cacheDir, [FOO, BAR]);
  const pushed = await pushObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(cacheDir), store, attempts: 3 });
  expect(pushed).toEqual({ transferred: 2, skipped: 0, failed: [], missing: [], bytes: 6 });
  const fresh = join(tempDir('mlpipe-cache-'), 'cache');
  const fetched = await fetchObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(fresh), store, attempts: 3 });
  expect(fetched).toEqual({ transferred: 2, skipped: 0, failed: [], missing: [], bytes: 6 });
  await store.close();
}

const objectKey = (url: string) => /files%2Fmd5%2F|files\/md5\//.test(url);

describe('Azure remote retries answers of 503 (Azurite behind a flaky proxy)', () => {
  afterAll(stopServers);
  it('uploads and downloads every object once the server answers', async () => {
    const { blobEndpoint } = await ensureAzurite();
    await azureContainer('flaky');
    const proxy = await flakyProxy(blobEndpoint, (m, url) => (m === 'PUT' || m === 'GET') && objectKey(url));
    const store = new AzureStore({
      url: `azure://flaky/run-${process.pid}`,
      accountName: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      blobEndpoint: `${proxy.url}/${AZURITE_ACCOUNT}`,
    });
    await pushAndFetchThroughFaults(store);
    expect(proxy.refused.map((r) => r.split(' ')[0]).sort()).toEqual(['GET', 'GET', 'PUT', 'PUT']);
    await proxy.close();
  }, 120_000);
});

describeIf(Boolean(GCS_ENDPOINT), 'a GCS server (MLPIPE_TEST_GCS_ENDPOINT)', 'GCS remote retries answers of 503 (emulator behind a flaky proxy)', () => {
  it('uploads and downloads every object once the server answers', async () => {
    const proxy = await flakyProxy(GCS_ENDPOINT as string, (m, url) => (m === 'POST' && url.startsWith('/upload/')) || (m === 'GET' && url.includes('alt=media')));
    const store = new GcsStore({ url: `gs://${GCS_BUCKET}/flaky-${process.pid}`, endpointUrl: proxy.url, projectId: 'test' });
    await pushAndFetchThroughFaults(store);
    expect(proxy.refused.map((r) => r.split(' ')[0]).sort()).toEqual(['GET', 'GET', 'POST', 'POST']);
    await proxy.close();
  }, 120_000);
});
