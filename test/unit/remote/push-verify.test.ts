import { createHash } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startRemoteServer } from '../../../src/remote/server/serve.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { LocalStore } from '../../../src/remote/stores/local.js';
import { S3Store } from '../../../src/remote/stores/s3.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { type CloudKind, GCS_ENDPOINT, HAS_SSHD, cloudRemote, openTestStore, stopServers } from './servers.js';
import { BAR, BIG, BIG_BYTES, FOO, dirCache, objectPath, writeCache } from './fixtures.js';

// Issue #12 item 4: push hashes what it sends and refuses a corrupted cache object (E_CORRUPT),
// uploading nothing for it, on every kind of remote; the good objects of the same push still go up.

const FOX = Buffer.from('fox');
const BIG_FLIPPED = Buffer.from(BIG_BYTES);
BIG_FLIPPED[2 ** 20] = (BIG_FLIPPED[2 ** 20] as number) ^ 1;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A cache holding FOO (corrupted: "fox"), BAR, and BIG with one bit flipped. */
function corruptCache(): string {
  const dir = tempDir('mlpipe-cache-');
  writeCache(dir, [FOO, BAR, BIG]);
  for (const [oid, bytes] of [
    [FOO, FOX],
    [BIG, BIG_FLIPPED],
  ] as const) {
    chmodSync(objectPath(dir, oid), 0o644);
    writeFileSync(objectPath(dir, oid), bytes);
  }
  return dir;
}

async function pushCorrupt(store: ObjectStore): Promise<void> {
  const summary = await pushObjects({ files: [FOO, BAR, BIG], dirs: [] }, { cache: dirCache(corruptCache()), store, attempts: 2 });
  expect(summary.transferred).toBe(1);
  expect([...summary.failed].sort((a, b) => (a.oid < b.oid ? -1 : 1))).toEqual(
    [
      { oid: BIG, code: 'E_CORRUPT', message: `cache object ${BIG} is corrupted (its content hashes to ${md5(BIG_FLIPPED)}): not uploaded` },
      { oid: FOO, code: 'E_CORRUPT', message: `cache object ${FOO} is corrupted (its content hashes to ${md5(FOX)}): not uploaded` },
    ].sort((a, b) => (a.oid < b.oid ? -1 : 1)),
  );
  expect([...(await store.exists([FOO, BAR, BIG]))]).toEqual([BAR]);
}

describe('push refuses corrupted cache objects (issue #12 item 4)', () => {
  it('local folder remote', async () => {
    await pushCorrupt(new LocalStore(tempDir('mlpipe-remote-')));
  });

  it('HTTP remote (mlpipe remote serve)', async () => {
    const server = await startRemoteServer({ dir: tempDir('mlpipe-served-') });
    const store = new HttpStore({ url: server.url });
    try {
      await pushCorrupt(store);
    } finally {
      await store.close();
      await server.close();
    }
  });
});

const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const keys = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };
describeIf(Boolean(endpoint), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'push refuses corrupted cache objects on S3 (issue #12 item 4)', () => {
  const bucket = `mlpipe-verify-${process.pid}`;
  const admin = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: keys });
  afterAll(() => admin.destroy());
  const ready = () => admin.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);

  it.each([
    ['single PUT', 64 * 2 ** 20],
    ['multipart', 2 * 2 ** 20],
  ])('%s', async (_kind, multipartThreshold) => {
    await ready();
    const store = new S3Store({ url: `s3://${bucket}/${multipartThreshold}`, endpointUrl: endpoint, ...keys, multipartThreshold });
    try {
      await pushCorrupt(store);
    } finally {
      await store.close();
    }
  });
});

// Issue 18: the gs, azure and ssh stores verify too (Azurite and sshd started here, the GCS emulator by .ci/run).
const clouds: Array<[CloudKind, boolean, string]> = [
  ['azure', true, 'Azurite (npm azurite)'],
  ['ssh', HAS_SSHD, 'sshd (Debian openssh-server)'],
  ['gs', Boolean(GCS_ENDPOINT), 'a GCS emulator (MLPIPE_TEST_GCS_ENDPOINT)'],
];
for (const [kind, available, what] of clouds) {
  describeIf(available, what, `push refuses corrupted cache objects on ${kind} (issue 18)`, () => {
    afterAll(() => stopServers());
    it('sends the good object and none of the corrupt ones', async () => {
      const remote = await cloudRemote(kind, `verify-${process.pid}`);
      const store = openTestStore(kind, remote.url);
      try {
        await pushCorrupt(store);
      } finally {
        await store.close();
      }
    });
  });
}
