import { readFileSync } from 'node:fs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startRemoteServer } from '../../../src/remote/server/serve.js';
import { AzureStore } from '../../../src/remote/stores/azure.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { S3Store } from '../../../src/remote/stores/s3.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { type RemoteFixture, conformance } from './conformance.js';
import { BIG, FOO, dirCache, objectPath, writeCache } from './fixtures.js';
import { cloudRemote, ensureAzurite, stopServers } from './servers.js';

const TOKEN = 'fronted-t0ken';
const S3_ENDPOINT = process.env.MLPIPE_TEST_S3_ENDPOINT;
const S3_KEYS = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** `mlpipe remote serve --store` in front of `backing`, with DVC's custom-auth client in front of it. */
async function fronted(backing: ObjectStore, corrupt: RemoteFixture['corrupt'], maxBodyBytes?: number): Promise<RemoteFixture & { url: string }> {
  const server = await startRemoteServer({ dir: tempDir('mlpipe-scratch-'), token: TOKEN, store: backing, maxBodyBytes });
  return {
    url: server.url,
    open: async () => new HttpStore({ url: server.url, auth: 'custom', customAuthHeader: 'Authorization', password: `Bearer ${TOKEN}` }),
    corrupt,
    cleanup: async () => {
      await server.close();
      await backing.close();
    },
  };
}

let run = 0;

describe('remote serve --store in front of Azure (Azurite)', () => {
  afterAll(stopServers);

  conformance(async () => {
    const remote = await cloudRemote('azure', `fronted-${run++}`);
    const { connectionString } = await ensureAzurite();
    return fronted(new AzureStore({ url: remote.url, connectionString }), (oid, bytes) =>
      remote.put(`files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, bytes),
    );
  });

  it('verifies an upload before it reaches the bucket, refuses a wrong token and an upload over the size limit', async () => {
    const remote = await cloudRemote('azure', `fronted-checks-${process.pid}`);
    const { connectionString } = await ensureAzurite();
    const backing = new AzureStore({ url: remote.url, connectionString });
    const check = new AzureStore({ url: remote.url, connectionString });
    const server = await fronted(backing, remote.put, 1024);
    const put = (path: string, body: Buffer, token = TOKEN) =>
      fetch(`${server.url}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${token}` } });
    // bytes that are not FOO's: refused, and nothing is stored under FOO's name
    const wrong = await put(`/files/md5/${FOO.slice(0, 2)}/${FOO.slice(2)}`, Buffer.from('fox'));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('E_CORRUPT');
    expect([...(await check.exists([FOO]))]).toEqual([]);
    const denied = await put(`/files/md5/${FOO.slice(0, 2)}/${FOO.slice(2)}`, Buffer.from('foo'), 'nope');
    expect(denied.status).toBe(403);
    expect([...(await check.exists([FOO]))]).toEqual([]);
    // BIG is above the 1 KiB limit of this server
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO, BIG]);
    const big = await put(`/files/md5/${BIG.slice(0, 2)}/${BIG.slice(2)}`, readFileSync(objectPath(cacheDir, BIG)));
    expect(big.status).toBe(413);
    const summary = await pushObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store: await server.open() });
    expect(summary.transferred).toBe(1);
    expect([...(await check.exists([FOO, BIG]))]).toEqual([FOO]);
    await check.close();
    await server.cleanup();
  });
});

describeIf(Boolean(S3_ENDPOINT), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'remote serve --store in front of S3 (Ceph radosgw)', () => {
  const bucket = `mlpipe-fronted-${process.pid}`;
  const admin = () => new S3Client({ region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, credentials: S3_KEYS });
  let ready: Promise<unknown> | undefined;

  conformance(async () => {
    ready ??= admin().send(new CreateBucketCommand({ Bucket: bucket }));
    await ready;
    const prefix = `run-${run++}`;
    return fronted(new S3Store({ url: `s3://${bucket}/${prefix}`, endpointUrl: S3_ENDPOINT, ...S3_KEYS }), async (oid, bytes) => {
      const client = admin();
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, Body: bytes }));
      client.destroy();
    });
  });
});
