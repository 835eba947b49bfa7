import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startRemoteServer } from '../../../src/remote/server/serve.js';
import { GitStore } from '../../../src/remote/stores/git/store.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { LocalStore } from '../../../src/remote/stores/local.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { tempDir } from '../../helpers/tree.js';
import { dirCache, listFiles, objectPath } from './fixtures.js';

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

describe('kill -9 in the middle of a transfer, then run it again', () => {
  it.each(['local', 'http', 'git'] as const)('%s remote: push and fetch complete on the re-run', async (kind) => {
    const root = tempDir('mlpipe-kill-');
    const cacheDir = join(root, 'cache');
    const oids = makeCache(cacheDir);
    const oidFile = join(root, 'oids.txt');
    writeFileSync(oidFile, oids.join('\n'));
    const server = kind === 'http' ? await startRemoteServer({ dir: join(root, 'served') }) : undefined;
    const bare = join(root, 'remote.git');
    if (kind === 'git') execFileSync('git', ['init', '-q', '--bare', bare]);
    const location = kind === 'local' ? join(root, 'remote') : kind === 'http' ? (server?.url as string) : bare;
    const open = (work: string): ObjectStore =>
      kind === 'git'
        ? new GitStore({ url: bare, workDir: join(root, work) })
        : kind === 'local'
          ? new LocalStore(location)
          : new HttpStore({ url: location });

    const killedAfter = await runAndKill(['push', kind, location, cacheDir, oidFile, join(root, 'work-killed')], 40);
    expect(killedAfter).toBeGreaterThanOrEqual(40);
    const check = open('work-check');
    const present = await assertAllValid(check, oids);
    await check.close();
    // git publishes a push all at once: a killed push leaves nothing; the others keep what finished.
    if (kind === 'git') expect(present).toBe(0);
    else expect(present).toBeLessThan(COUNT);

    const rerun = open('work-killed');
    const pushed = await pushObjects({ files: oids, dirs: [] }, { cache: dirCache(cacheDir), store: rerun });
    await rerun.close();
    expect(pushed.failed).toEqual([]);
    expect(pushed.skipped).toBe(present);
    expect(pushed.transferred).toBe(COUNT - present);

    const fresh = join(root, 'fresh-cache');
    await runAndKill(['fetch', kind, location, fresh, oidFile, join(root, 'work-fetch')], 40);
    const inCache = cacheIsValid(fresh);
    expect(inCache).toBeLessThan(COUNT);
    const again = open('work-fetch');
    const fetched = await fetchObjects({ files: oids, dirs: [] }, { cache: dirCache(fresh), store: again });
    await again.close();
    expect(fetched.failed).toEqual([]);
    expect(fetched.transferred).toBe(COUNT - inCache);
    expect(cacheIsValid(fresh)).toBe(COUNT);
    await server?.close();
  }, 240_000); // three child processes per case on a shared, busy machine
});
