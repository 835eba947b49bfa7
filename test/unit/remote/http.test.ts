import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRemoteServer } from '../../../src/remote/server/serve.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { conformance } from './conformance.js';
import { FOO, dirCache, objectPath, writeCache } from './fixtures.js';

const TOKEN = 's3cr3t-token';

describe('HTTP remote against `mlpipe remote serve`', () => {
  conformance(async () => {
    const dir = tempDir('mlpipe-served-');
    const server = await startRemoteServer({ dir, token: TOKEN });
    return {
      // What DVC sends with auth = custom, custom_auth_header = Authorization, password = Bearer T.
      open: async () =>
        new HttpStore({ url: server.url, auth: 'custom', customAuthHeader: 'Authorization', password: `Bearer ${TOKEN}` }),
      corrupt: async (oid, bytes) => {
        const path = objectPath(dir, oid);
        mkdirSync(dirname(path), { recursive: true });
        chmodSync(path, 0o644);
        writeFileSync(path, bytes);
      },
      cleanup: async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });

  it('uploads with PUT as well as POST', async () => {
    const dir = tempDir('mlpipe-served-');
    const server = await startRemoteServer({ dir });
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO]);
    const store = new HttpStore({ url: server.url, method: 'PUT' });
    expect((await pushObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store })).transferred).toBe(1);
    await store.close();
    await server.close();
  });

  it('maps a wrong token to E_REMOTE_AUTH with a hint, and stores nothing', async () => {
    const dir = tempDir('mlpipe-served-');
    const server = await startRemoteServer({ dir, token: TOKEN });
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO]);
    const store = new HttpStore({ url: server.url, auth: 'custom', customAuthHeader: 'Authorization', password: 'Bearer nope' });
    const summary = await pushObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store });
    expect(summary.failed).toEqual([
      { oid: FOO, code: 'E_REMOTE_AUTH', message: `remote ${server.url}: the server refused the credentials while uploading ${FOO}` },
    ]);
    await expect(store.upload(FOO, objectPath(cacheDir, FOO), 3)).rejects.toMatchObject({
      received: 'HTTP 403: wrong token',
      hint: expect.stringContaining('custom_auth_header Authorization'),
    });
    await store.close();
    await server.close();
  });

  it('says the server is unreachable when nothing listens', async () => {
    const store = new HttpStore({ url: 'http://127.0.0.1:9' });
    await expect(store.exists([FOO])).rejects.toMatchObject({
      code: 'E_REMOTE',
      message: 'remote http://127.0.0.1:9: cannot reach the remote (ECONNREFUSED)',
    });
    await store.close();
  });
});
