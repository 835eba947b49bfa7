import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, expect, it } from 'vitest';
import { S3Store } from '../../../src/remote/stores/s3.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { GCS_ENDPOINT, HAS_SSHD, cloudRemote, openTestStore, stopServers } from './servers.js';

// Issue 18: `push/fetch/pull --run-cache` on the cloud remotes. DVC keeps run-cache entries under
// `runs/XX/key/value` beside `files/` on every remote; each store lists, writes and reads them there
// (run-cache-sync.ts does the rest, the same for every store).

const KEY_A = `8f/${'8f'.repeat(32)}`;
const KEY_B = `c0/${'c0'.repeat(32)}`;
const ENTRY_1 = 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: foo\n';
const ENTRY_2 = 'cmd: echo hi\n';

async function runStoreRoundTrip(store: ObjectStore, readBack: ObjectStore): Promise<void> {
  const runs = store.runs!;
  expect(await runs.list()).toEqual([]);
  const dir = tempDir('mlpipe-runs-');
  writeFileSync(join(dir, 'one'), ENTRY_1);
  writeFileSync(join(dir, 'two'), ENTRY_2);
  const rels = [`${KEY_A}/${'1'.repeat(64)}`, `${KEY_B}/${'2'.repeat(64)}`];
  await runs.upload(rels[0]!, join(dir, 'one'));
  await runs.upload(rels[1]!, join(dir, 'two'));
  await store.commit();
  // A second store on the same remote (another clone) sees exactly the two entries, byte for byte.
  expect((await readBack.runs!.list()).sort()).toEqual(rels);
  expect((await readBack.runs!.read(rels[0]!)).toString()).toBe(ENTRY_1);
  expect((await readBack.runs!.read(rels[1]!)).toString()).toBe(ENTRY_2);
  await expect(readBack.runs!.read(`${KEY_A}/${'3'.repeat(64)}`)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  // Objects and entries do not mix: the entries are not objects.
  expect([...(await readBack.list!())]).toEqual([]);
}

const clouds = [
  ['azure', true, 'Azurite (npm azurite)'],
  ['ssh', HAS_SSHD, 'sshd (Debian openssh-server)'],
  ['gs', Boolean(GCS_ENDPOINT), 'a GCS emulator (MLPIPE_TEST_GCS_ENDPOINT)'],
] as const;
for (const [kind, available, what] of clouds) {
  describeIf(available, what, `run-cache entries on the ${kind} remote (issue 18)`, () => {
    afterAll(() => stopServers());
    it('lists, writes and reads runs/XX/key/value', async () => {
      const remote = await cloudRemote(kind, `runs-${process.pid}`);
      const store = openTestStore(kind, remote.url);
      const other = openTestStore(kind, remote.url);
      try {
        await runStoreRoundTrip(store, other);
      } finally {
        await store.close();
        await other.close();
      }
    });
  });
}

const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const keys = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };
describeIf(Boolean(endpoint), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'run-cache entries on the s3 remote (issue 18)', () => {
  it('lists, writes and reads runs/XX/key/value', async () => {
    const bucket = `mlpipe-runs-${process.pid}`;
    const admin = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: keys });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
    const open = () => new S3Store({ url: `s3://${bucket}/team`, endpointUrl: endpoint, ...keys });
    const store = open();
    const other = open();
    try {
      await runStoreRoundTrip(store, other);
    } finally {
      await store.close();
      await other.close();
    }
  });
});
