import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { S3Store } from '../../../src/remote/stores/s3.js';
import { describeIf } from '../../helpers/require.js';
import { conformance } from './conformance.js';
import { FOO } from './fixtures.js';

const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const accessKeyId = process.env.MLPIPE_TEST_S3_KEY ?? '';
const secretAccessKey = process.env.MLPIPE_TEST_S3_SECRET ?? '';
const BUCKET = `mlpipe-test-${process.pid}`;

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
