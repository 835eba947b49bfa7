import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { S3Store } from '../../../src/remote/stores/s3.js';
import { DirectPut } from '../../../src/remote/stores/s3-put.js';
import { pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { BAR, FOO, dirCache, writeCache } from './fixtures.js';

// The small-object PUT that bypasses the SDK's middleware (s3-put.ts), against radosgw: a prefix
// that needs escaping lands under exactly that key, and a refusal comes back as the SDK's error.
const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const keys = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };

describeIf(Boolean(endpoint), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'S3 small-object PUT (signed, without the SDK stack)', () => {
  const bucket = `mlpipe-put-${process.pid}`;
  const admin = () => new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: keys });

  it('stores the object under the escaped key, readable through the SDK', async () => {
    const client = admin();
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
    const prefix = "team a+b (1)!*'~";
    const cache = tempDir('mlpipe-cache-');
    writeCache(cache, [FOO, BAR]);
    const store = new S3Store({ url: `s3://${bucket}/${prefix}`, endpointUrl: endpoint, ...keys });
    try {
      const summary = await pushObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(cache), store });
      expect(summary).toMatchObject({ transferred: 2, failed: [] });
      expect([...(await store.list())].sort()).toEqual([BAR, FOO].sort());
    } finally {
      await store.close();
    }
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/files/md5/${FOO.slice(0, 2)}/${FOO.slice(2)}` }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash('md5').update(bytes).digest('hex')).toBe(FOO);
    expect(got.ContentType).toBe('application/octet-stream');
    client.destroy();
  });

  it('reports a refused signature as the S3 error the SDK would throw', async () => {
    const put = new DirectPut({
      endpoint: endpoint as string,
      region: async () => 'us-east-1',
      credentials: async () => ({ accessKeyId: keys.accessKeyId, secretAccessKey: `${keys.secretAccessKey}-wrong` }),
      sockets: 2,
    });
    try {
      await expect(put.put(bucket, 'x/y', Buffer.from('foo'))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    } finally {
      put.close();
    }
  });
});
