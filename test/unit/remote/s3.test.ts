import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { S3Store } from '../../../src/remote/stores/s3.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { describeIf } from '../../helpers/require.js';
import { conformance } from './conformance.js';
import { FOO, dirCache, objectPath } from './fixtures.js';

const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const accessKeyId = process.env.MLPIPE_TEST_S3_KEY ?? '';
const secretAccessKey = process.env.MLPIPE_TEST_S3_SECRET ?? '';
const BUCKET = `mlpipe-test-${process.pid}`;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function admin(): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

let bucketReady: Promise<unknown> | undefined;
let run = 0;

describeIf(Boolean(endpoint), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'S3 remote (Ceph radosgw)', () => {
  conformance(async () => {
    bucketReady ??= admin().send(new CreateBucketCommand({ Bucket: BUCKET }));
    await bucketReady;
    const prefix = `run-${run++}`;
    const url = `s3://${BUCKET}/${prefix}`;
    return {
      open: async () =>
        new S3Store({ url, endpointUrl: endpoint, accessKeyId, secretAccessKey, multipartThreshold: 2 ** 20 * 2 }),
      corrupt: async (oid, bytes) => {
        const client = admin();
        const Key = `${prefix}/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`;
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: bytes }));
        client.destroy();
      },
      cleanup: async () => {},
    };
  });

  it('uploads a large object in parts and reads it back intact', async () => {
    bucketReady ??= admin().send(new CreateBucketCommand({ Bucket: BUCKET }));
    await bucketReady;
    const cacheDir = tempDir('mlpipe-cache-');
    const bytes = Buffer.alloc(11 * 2 ** 20);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    const oid = createHash('md5').update(bytes).digest('hex');
    mkdirSync(dirname(objectPath(cacheDir, oid)), { recursive: true });
    writeFileSync(objectPath(cacheDir, oid), bytes);
    const url = `s3://${BUCKET}/multipart`;
    const store = new S3Store({ url, endpointUrl: endpoint, accessKeyId, secretAccessKey, multipartThreshold: 5 * 2 ** 20, partSize: 5 * 2 ** 20 });
    expect((await pushObjects({ files: [oid], dirs: [] }, { cache: dirCache(cacheDir), store })).transferred).toBe(1);
    const client = admin();
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `multipart/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}` }));
    client.destroy();
    expect(head.ContentLength).toBe(bytes.length);
    expect(head.ETag).toMatch(/-3"?$/); // an S3 multipart ETag ends with the number of parts
    const fresh = tempDir('mlpipe-cache-');
    expect((await fetchObjects({ files: [oid], dirs: [] }, { cache: dirCache(fresh), store })).transferred).toBe(1);
    expect(readFileSync(objectPath(fresh, oid)).equals(bytes)).toBe(true);
    await store.close();
  });

  it('names a missing bucket as E_REMOTE_NOT_FOUND', async () => {
    const store = new S3Store({ url: 's3://mlpipe-no-such-bucket/x', endpointUrl: endpoint, accessKeyId, secretAccessKey });
    await expect(store.exists([FOO])).rejects.toMatchObject({
      code: 'E_REMOTE_NOT_FOUND',
      message: 'remote s3://mlpipe-no-such-bucket/x: bucket mlpipe-no-such-bucket does not exist',
    });
    await store.close();
  });

  it('names wrong credentials as E_REMOTE_AUTH', async () => {
    bucketReady ??= admin().send(new CreateBucketCommand({ Bucket: BUCKET }));
    await bucketReady;
    const store = new S3Store({ url: `s3://${BUCKET}/x`, endpointUrl: endpoint, accessKeyId, secretAccessKey: 'wrong' });
    await expect(store.exists([FOO])).rejects.toMatchObject({ code: 'E_REMOTE_AUTH' });
    await store.close();
  });
});
