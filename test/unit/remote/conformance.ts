import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { BAR, BIG, BIG_BYTES, CONTENT, DIR, EMPTY, FOO, dirCache, listFiles, objectPath, writeCache } from './fixtures.js';

/** One empty remote of the kind under test. */
export interface RemoteFixture {
  /** A new session on the same remote (a new store object, as a new mlpipe process would make). */
  open(): Promise<ObjectStore>;
  /** Replaces the object stored under `oid` on the remote with `bytes` (a corrupt remote). */
  corrupt(oid: string, bytes: Buffer): Promise<void>;
  cleanup(): Promise<void>;
}

const FULL_SET = { files: [FOO, BIG], dirs: [{ oid: DIR, members: [BAR, FOO] }] };
const ALL = [BAR, BIG, DIR, FOO].sort();

/**
 * The behaviour every remote type must share, run by local.test.ts, git.test.ts, s3.test.ts and
 * http.test.ts against a real remote of each kind.
 */
export function conformance(makeRemote: () => Promise<RemoteFixture>): void {
  let remote: RemoteFixture;
  let cacheDir: string;
  const open: ObjectStore[] = [];
  const session = async () => {
    const store = await remote.open();
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    remote = await makeRemote();
    cacheDir = join(tempDir('mlpipe-cache-'), 'cache');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await remote.cleanup();
  });

  it('pushes files and the manifest, and then reports them as present', async () => {
    writeCache(cacheDir, ALL);
    const store = await session();
    expect([...(await store.exists(ALL))]).toEqual([]);
    const summary = await pushObjects(FULL_SET, { cache: dirCache(cacheDir), store });
    expect(summary).toEqual({ transferred: 4, skipped: 0, failed: [], missing: [], bytes: 3 + 3 + 126 + BIG_BYTES.length });
    const again = await session();
    expect([...(await again.exists([...ALL, EMPTY]))].sort()).toEqual(ALL);
    if (again.list) expect([...(await again.list())].sort()).toEqual(ALL);
  });

  it('transfers nothing on a second push', async () => {
    writeCache(cacheDir, ALL);
    await pushObjects(FULL_SET, { cache: dirCache(cacheDir), store: await session() });
    const summary = await pushObjects(FULL_SET, { cache: dirCache(cacheDir), store: await session() });
    expect(summary).toEqual({ transferred: 0, skipped: 4, failed: [], missing: [], bytes: 0 });
  });

  it('fetches identical, read-only objects into an empty cache', async () => {
    writeCache(cacheDir, ALL);
    await pushObjects(FULL_SET, { cache: dirCache(cacheDir), store: await session() });
    const fresh = join(tempDir('mlpipe-cache-'), 'cache');
    const summary = await fetchObjects(FULL_SET, { cache: dirCache(fresh), store: await session() });
    expect(summary.transferred).toBe(4);
    expect(summary.failed).toEqual([]);
    for (const oid of ALL) {
      expect(readFileSync(objectPath(fresh, oid)).equals(CONTENT[oid] as Buffer)).toBe(true);
      expect(statSync(objectPath(fresh, oid)).mode & 0o777).toBe(0o444);
    }
    const again = await fetchObjects(FULL_SET, { cache: dirCache(fresh), store: await session() });
    expect(again).toEqual({ transferred: 0, skipped: 4, failed: [], missing: [], bytes: 0 });
  });

  it('round-trips an empty object', async () => {
    writeCache(cacheDir, [EMPTY]);
    const pushed = await pushObjects({ files: [EMPTY], dirs: [] }, { cache: dirCache(cacheDir), store: await session() });
    expect(pushed.transferred).toBe(1);
    const fresh = join(tempDir('mlpipe-cache-'), 'cache');
    const fetched = await fetchObjects({ files: [EMPTY], dirs: [] }, { cache: dirCache(fresh), store: await session() });
    expect(fetched.transferred).toBe(1);
    expect(statSync(objectPath(fresh, EMPTY)).size).toBe(0);
  });

  it('reports objects the remote does not have as missing', async () => {
    const store = await session();
    const summary = await fetchObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store });
    expect(summary.missing).toEqual([FOO]);
    await expect(store.download(BAR)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('does not upload a manifest when one of its files is missing', async () => {
    writeCache(cacheDir, [FOO, DIR]);
    const store = await session();
    const summary = await pushObjects({ files: [], dirs: [{ oid: DIR, members: [BAR, FOO] }] }, { cache: dirCache(cacheDir), store });
    expect(summary.transferred).toBe(1);
    expect(summary.missing).toEqual([BAR]);
    expect(summary.failed).toEqual([
      { oid: DIR, code: 'E_REMOTE', message: `not uploaded: 1 of its files are not on the remote (first: ${BAR})` },
    ]);
    expect([...(await (await session()).exists([FOO, BAR, DIR]))]).toEqual([FOO]);
  });

  it('refuses a corrupted remote object and leaves nothing in the cache', async () => {
    writeCache(cacheDir, [FOO, BAR]);
    await pushObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(cacheDir), store: await session() });
    await remote.corrupt(FOO, Buffer.from('fox'));
    const fresh = join(tempDir('mlpipe-cache-'), 'cache');
    const summary = await fetchObjects({ files: [FOO, BAR], dirs: [] }, { cache: dirCache(fresh), store: await session() });
    expect(summary.transferred).toBe(1);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]).toMatchObject({ oid: FOO, code: 'E_CORRUPT' });
    expect(listFiles(fresh)).toEqual([`files/md5/37/${BAR.slice(2)}`]);
  });
}
