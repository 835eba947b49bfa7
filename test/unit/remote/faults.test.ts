import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startRemoteServer } from '../../../src/remote/server/serve.js';
import { GitStore } from '../../../src/remote/stores/git/store.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { LocalStore } from '../../../src/remote/stores/local.js';
import { S3Store } from '../../../src/remote/stores/s3.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { dirCache, listFiles, objectPath } from './fixtures.js';
import { type CloudKind, GCS_ENDPOINT, HAS_SSHD, cloudRemote, openTestStore, stopServers } from './servers.js';

const WORKER = fileURLToPath(new URL('./kill-worker.ts', import.meta.url));
const VITE_NODE = fileURLToPath(new URL('../../../node_modules/.bin/vite-node', import.meta.url));
const COUNT = 300;

/** COUNT distinct 64 KiB objects in a cache; returns their oids. */
function makeCache(cacheDir: string): string[] {
  const oids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const bytes = Buffer.alloc(64 * 1024, i % 251);
    bytes.writeUInt32BE(i, 0);
    const oid = createHash('md5').update(bytes).digest('hex');
    mkdirSync(dirname(objectPath(cacheDir, oid)), { recursive: true });
    writeFileSync(objectPath(cacheDir, oid), bytes, { mode: 0o444 });
    oids.push(oid);
  }
  return oids;
}

/** Starts the worker and kills it with SIGKILL after `after` objects are done; resolves when it is dead. */
function runAndKill(args: string[], after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(VITE_NODE, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let done = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      done += d.split('').filter((c) => c === '.').length;
      if (done >= after) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`worker was not killed (exit ${code}): ${stderr}`));
      else resolve(done);
    });
  });
}

/** Every object the store lists must hold the bytes its name says. */
async function assertAllValid(store: ObjectStore, oids: string[]): Promise<number> {
  const present = await store.exists(oids);
  for (const oid of present) {
    const hash = createHash('md5');
    for await (const chunk of await store.download(oid)) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(oid);
  }
  return present.size;
}

function cacheIsValid(cacheDir: string): number {
  let objects = 0;
  for (const rel of listFiles(cacheDir)) {
    if (rel.endsWith('.tmp')) continue; // an interrupted write: never read as an object
    const oid = rel.split('/').slice(-2).join('');
    expect(createHash('md5').update(readFileSync(join(cacheDir, rel))).digest('hex')).toBe(oid);
    objects++;
  }
  return objects;
}

type Kind = 'local' | 'http' | 'git' | 's3' | CloudKind;

const S3_ENDPOINT = process.env.MLPIPE_TEST_S3_ENDPOINT;
const S3_KEYS = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A fresh empty remote of the kind: where the worker sends objects, and how to open a session on it. */
async function remoteOf(kind: Kind, root: string) {
  if (kind === 'local') return { location: join(root, 'remote'), open: () => new LocalStore(join(root, 'remote')), close: async () => {} };
  if (kind === 'git') {
    const bare = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    return { location: bare, open: (work: string) => new GitStore({ url: bare, workDir: join(root, work) }), close: async () => {} };
  }
  if (kind === 'gs' || kind === 'azure' || kind === 'ssh') {
    const { url } = await cloudRemote(kind, `kill-${root.split('/').pop()}`);
    return { location: url, open: () => openTestStore(kind, url), close: async () => {} };
  }
  if (kind === 's3') {
    const bucket = `mlpipe-kill-${process.pid}`;
    const client = new S3Client({ region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, credentials: S3_KEYS });
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
    client.destroy();
    const url = `s3://${bucket}/${root.split('/').pop()}`;
    return { location: url, open: () => new S3Store({ url, endpointUrl: S3_ENDPOINT, ...S3_KEYS }), close: async () => {} };
  }
  const server = await startRemoteServer({ dir: join(root, 'served') });
  return { location: server.url, open: () => new HttpStore({ url: server.url }), close: () => server.close() };
}

async function killAndRerun(kind: Kind): Promise<void> {
  const root = tempDir('mlpipe-kill-');
  const cacheDir = join(root, 'cache');
  const oids = makeCache(cacheDir);
  const oidFile = join(root, 'oids.txt');
  writeFileSync(oidFile, oids.join('\n'));
  const remote = await remoteOf(kind, root);

  const killedAfter = await runAndKill(['push', kind, remote.location, cacheDir, oidFile, join(root, 'work-killed')], 40);
  expect(killedAfter).toBeGreaterThanOrEqual(40);
  // A killed client's last upload may still be committed by the server after the kill (its body
  // was already sent): count only once the remote has stopped changing.
  const check = remote.open('work-check');
  let present = await assertAllValid(check, oids);
  for (let settled = false; !settled; ) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await assertAllValid(check, oids);
    settled = now === present;
    present = now;
  }
  await check.close();
  // git publishes a push all at once: a killed push leaves nothing; the others keep what finished.
  if (kind === 'git') expect(present).toBe(0);
  else expect(present).toBeLessThan(COUNT);

  const rerun = remote.open('work-killed');
  const pushed = await pushObjects({ files: oids, dirs: [] }, { cache: dirCache(cacheDir), store: rerun });
  await rerun.close();
  expect(pushed.failed).toEqual([]);
  expect(pushed.skipped).toBe(present);
  expect(pushed.transferred).toBe(COUNT - present);

  const fresh = join(root, 'fresh-cache');
  await runAndKill(['fetch', kind, remote.location, fresh, oidFile, join(root, 'work-fetch')], 40);
  const inCache = cacheIsValid(fresh);
  expect(inCache).toBeLessThan(COUNT);
  const again = remote.open('work-fetch');
  const fetched = await fetchObjects({ files: oids, dirs: [] }, { cache: dirCache(fresh), store: again });
  await again.close();
  expect(fetched.failed).toEqual([]);
  expect(fetched.transferred).toBe(COUNT - inCache);
  expect(cacheIsValid(fresh)).toBe(COUNT);
  await remote.close();
}

// Three child processes per case on a shared, busy machine: generous timeouts.
describe('kill -9 in the middle of a transfer, then run it again', () => {
  it.each(['local', 'http', 'git'] as const)('%s remote: push and fetch complete on the re-run', killAndRerun, 240_000);
});

describeIf(Boolean(S3_ENDPOINT), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'kill -9 mid-transfer (S3)', () => {
  it('s3 remote: push and fetch complete on the re-run', () => killAndRerun('s3'), 240_000);
});

describeIf(Boolean(GCS_ENDPOINT), 'a GCS server (MLPIPE_TEST_GCS_ENDPOINT)', 'kill -9 mid-transfer (GCS)', () => {
  it('gs remote: push and fetch complete on the re-run', () => killAndRerun('gs'), 240_000);
});

describe('kill -9 mid-transfer (Azure, Azurite)', () => {
  afterAll(stopServers);
  it('azure remote: push and fetch complete on the re-run', () => killAndRerun('azure'), 240_000);
});

describeIf(HAS_SSHD, "Debian's openssh-server (/usr/sbin/sshd)", 'kill -9 mid-transfer (SSH)', () => {
  afterAll(stopServers);
  it('ssh remote: push and fetch complete on the re-run', () => killAndRerun('ssh'), 240_000);
});
