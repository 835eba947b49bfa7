import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { expect, it } from 'vitest';
import { GcsStore } from '../../../src/remote/stores/gcs.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { conformance } from './conformance.js';
import { FOO, dirCache, objectPath } from './fixtures.js';
import { GCS_BUCKET, GCS_ENDPOINT, cloudRemote } from './servers.js';

// The server is gcp-storage-emulator (../shared/tools/gcs-emulator), a third-party implementation of
// the GCS JSON API. What it cannot show, and so is not tested here: authentication (it accepts any
// request, so credentialpath/ADC are only passed through to @google-cloud/storage), preconditions
// (not enforced), and a resumable upload sent in several chunks (never completes there: mlpipe sends
// a resumable upload as one request, which the emulator does complete).
let run = 0;

describeIf(Boolean(GCS_ENDPOINT), 'a GCS server (MLPIPE_TEST_GCS_ENDPOINT, started by .ci/run)', 'GCS remote (gcp-storage-emulator)', () => {
  conformance(async () => {
    const remote = await cloudRemote('gs', `run-${process.pid}-${run++}`);
    return {
      open: async () => new GcsStore({ url: remote.url, endpointUrl: GCS_ENDPOINT, projectId: 'test', resumableThreshold: 2 ** 20 }),
      corrupt: (oid, bytes) => remote.put(`files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, bytes),
      cleanup: async () => {},
    };
  });

  it('sends a large object as a resumable upload and reads it back intact', async () => {
    const cacheDir = tempDir('mlpipe-cache-');
    const bytes = Buffer.alloc(3 * 2 ** 20 + 17);
    for (let i = 0; i + 4 <= bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    const oid = createHash('md5').update(bytes).digest('hex');
    mkdirSync(dirname(objectPath(cacheDir, oid)), { recursive: true });
    writeFileSync(objectPath(cacheDir, oid), bytes);
    const name = `resumable-${process.pid}`;
    const store = new GcsStore({ url: `gs://${GCS_BUCKET}/${name}`, endpointUrl: GCS_ENDPOINT, projectId: 'test', resumableThreshold: 2 ** 20 });
    expect((await pushObjects({ files: [oid], dirs: [] }, { cache: dirCache(cacheDir), store })).transferred).toBe(1);
    const [meta] = await new Storage({ apiEndpoint: GCS_ENDPOINT, projectId: 'test' })
      .bucket(GCS_BUCKET)
      .file(`${name}/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`)
      .getMetadata();
    expect(Number(meta.size)).toBe(bytes.length);
    expect(Buffer.from(meta.md5Hash as string, 'base64').toString('hex')).toBe(oid);
    const fresh = tempDir('mlpipe-cache-');
    expect((await fetchObjects({ files: [oid], dirs: [] }, { cache: dirCache(fresh), store })).transferred).toBe(1);
    expect(readFileSync(objectPath(fresh, oid)).equals(bytes)).toBe(true);
    await store.close();
  });

  it('names a missing bucket as E_REMOTE_NOT_FOUND', async () => {
    const store = new GcsStore({ url: 'gs://mlpipe-no-such-bucket/x', endpointUrl: GCS_ENDPOINT, projectId: 'test' });
    await expect(store.exists([FOO])).rejects.toMatchObject({
      code: 'E_REMOTE_NOT_FOUND',
      message: 'remote gs://mlpipe-no-such-bucket/x: bucket mlpipe-no-such-bucket does not exist',
    });
    await store.close();
  });
});
