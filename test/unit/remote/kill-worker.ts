// Child process for faults.test.ts: runs one push or fetch and reports each finished object on
// stdout, so the parent can kill -9 it in the middle. Run with vite-node.
import { readFileSync } from 'node:fs';
import { GitStore } from '../../../src/remote/stores/git/store.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { LocalStore } from '../../../src/remote/stores/local.js';
import { S3Store } from '../../../src/remote/stores/s3.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { dirCache } from './fixtures.js';
import { openTestStore } from './servers.js';

const [mode, kind, location, cacheDir, oidFile, workDir] = process.argv.slice(2) as string[];
const files = readFileSync(oidFile as string, 'utf8').trim().split('\n');
function open(): ObjectStore {
  const url = location as string;
  if (kind === 'local') return new LocalStore(url);
  if (kind === 'git') return new GitStore({ url, workDir: workDir as string });
  if (kind === 'gs' || kind === 'azure' || kind === 'ssh') return openTestStore(kind, url);
  if (kind === 's3') {
    return new S3Store({
      url,
      endpointUrl: process.env.MLPIPE_TEST_S3_ENDPOINT,
      accessKeyId: process.env.MLPIPE_TEST_S3_KEY,
      secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET,
    });
  }
  return new HttpStore({ url });
}
const store = open();
const progress = {
  task: () => ({
    tick: () => process.stdout.write('.'),
    setTotal() {},
    status() {},
    done() {},
  }),
};
const run = mode === 'push' ? pushObjects : fetchObjects;
const summary = await run({ files, dirs: [] }, { cache: dirCache(cacheDir as string), store, jobs: 2, progress });
await store.close();
process.stdout.write(`\n${JSON.stringify(summary)}\n`);
