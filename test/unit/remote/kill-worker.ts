// Child process for faults.test.ts: runs one push or fetch and reports each finished object on
// stdout, so the parent can kill -9 it in the middle. Run with vite-node.
import { readFileSync } from 'node:fs';
import { GitStore } from '../../../src/remote/stores/git/store.js';
import { HttpStore } from '../../../src/remote/stores/http.js';
import { LocalStore } from '../../../src/remote/stores/local.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { dirCache } from './fixtures.js';

const [mode, kind, location, cacheDir, oidFile, workDir] = process.argv.slice(2) as string[];
const files = readFileSync(oidFile as string, 'utf8').trim().split('\n');
const store: ObjectStore =
  kind === 'local'
    ? new LocalStore(location as string)
    : kind === 'git'
      ? new GitStore({ url: location as string, workDir: workDir as string })
      : new HttpStore({ url: location as string });
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
