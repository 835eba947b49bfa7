import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AccountSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, describe, expect, it } from 'vitest';
import { AzureStore } from '../../../src/remote/stores/azure.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { conformance } from './conformance.js';
import { FOO, dirCache, objectPath, writeCache } from './fixtures.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, azureContainer, cloudRemote, ensureAzurite, stopServers } from './servers.js';

let run = 0;

// Azurite comes from npm (a devDependency), so this suite needs nothing outside npm and never skips.
describe('Azure remote (Azurite)', () => {
  afterAll(stopServers);

  conformance(async () => {
    const remote = await cloudRemote('azure', `run-${run++}`);
    const { connectionString } = await ensureAzurite();
    return {
      open: async () => new AzureStore({ url: remote.url, connectionString, maxSingleShotSize: 2 ** 20, blockSize: 2 ** 20 }),
      corrupt: (oid, bytes) => remote.put(`files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, bytes),
      cleanup: async () => {},
    };
  });

  it('stages a large object in blocks that appear as one blob only when committed', async () => {
    const { connectionString } = await ensureAzurite();
    const container = await azureContainer('blocks');
    const cacheDir = tempDir('mlpipe-cache-');
    const bytes = Buffer.alloc(5 * 2 ** 20 + 3);
    for (let i = 0; i + 4 <= bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    const oid = createHash('md5').update(bytes).digest('hex');
    mkdirSync(dirname(objectPath(cacheDir, oid)), { recursive: true });
    writeFileSync(objectPath(cacheDir, oid), bytes);
    const store = new AzureStore({ url: 'azure://blocks/big', connectionString, maxSingleShotSize: 2 ** 20, blockSize: 2 ** 20 });
    expect((await pushObjects({ files: [oid], dirs: [] }, { cache: dirCache(cacheDir), store })).transferred).toBe(1);
    const blob = container.getBlockBlobClient(`big/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`);
    const blocks = await blob.getBlockList('committed');
    expect(blocks.committedBlocks?.length).toBe(6); // 5 full MiB blocks + 3 bytes
    expect((await blob.getProperties()).contentLength).toBe(bytes.length);
    const fresh = tempDir('mlpipe-cache-');
    expect((await fetchObjects({ files: [oid], dirs: [] }, { cache: dirCache(fresh), store })).transferred).toBe(1);
    expect(readFileSync(objectPath(fresh, oid)).equals(bytes)).toBe(true);
  });

  it('authenticates with account_name + account_key, or a SAS token, and refuses a wrong key', async () => {
    const { blobEndpoint } = await ensureAzurite();
    await azureContainer('keys');
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO]);
    const withKey = new AzureStore({ url: 'azure://keys/k', accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, blobEndpoint });
    expect((await pushObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store: withKey })).transferred).toBe(1);
    const admin = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const sasUrl = admin.generateAccountSasUrl(new Date(Date.now() + 3_600_000), AccountSASPermissions.parse('rl'), 'co');
    const sasToken = new URL(sasUrl).search.slice(1);
    const withSas = new AzureStore({ url: 'azure://keys/k', accountName: AZURITE_ACCOUNT, sasToken, blobEndpoint });
    expect([...(await withSas.exists([FOO]))]).toEqual([FOO]);
    // The SAS grants read and list only: an upload is refused as a credentials problem.
    await expect(withSas.upload(FOO, objectPath(cacheDir, FOO), 3)).rejects.toMatchObject({ code: 'E_REMOTE_AUTH' });
    const wrong = new AzureStore({ url: 'azure://keys/k', accountName: AZURITE_ACCOUNT, accountKey: Buffer.from('nope').toString('base64'), blobEndpoint });
    await expect(wrong.exists([FOO])).rejects.toMatchObject({
      code: 'E_REMOTE_AUTH',
      message: expect.stringMatching(/^remote azure:\/\/keys\/k: Azure refused the credentials/),
    });
  });

  it('names a missing container as E_REMOTE_NOT_FOUND, and missing credentials as E_REMOTE_AUTH', async () => {
    const { connectionString } = await ensureAzurite();
    const store = new AzureStore({ url: 'azure://no-such-container/x', connectionString });
    await expect(store.exists([FOO])).rejects.toMatchObject({
      code: 'E_REMOTE_NOT_FOUND',
      message: 'remote azure://no-such-container/x: container no-such-container does not exist',
    });
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('AZURE_STORAGE_')) delete process.env[k];
    try {
      expect(() => new AzureStore({ url: 'azure://c/x', accountName: 'acct' })).toThrow(
        expect.objectContaining({ code: 'E_REMOTE_AUTH', message: 'remote azure://c/x: no credentials for Azure storage account acct' }),
      );
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
