// Measures md5 hashing throughput on one large file: mlpipe's md5File (Node crypto, streaming
// through one reused buffer) against coreutils `md5sum` on the same file, interleaved. Both read
// from the page cache after the first run. Size: BENCH_HASH_MIB (default 1024 = 1 GiB);
// runs: BENCH_RUNS (default 5). Goal: mlpipe at least 0.9x md5sum's speed (ratio >= 0.9).
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, REPO_DIR, compare } from './lib/harness.mjs';

const mib = Number(process.env.BENCH_HASH_MIB ?? 1024);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const work = join(BENCH_DIR, 'work');
mkdirSync(work, { recursive: true });
const file = join(work, `hash-${mib}MiB.bin`);

if (!existsSync(file) || statSync(file).size !== mib * 2 ** 20) {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(2 ** 20);
  for (let i = 0; i < mib; i++) {
    for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
    writeSync(fd, block);
  }
  closeSync(fd);
}

const md5Module = pathToFileURL(join(REPO_DIR, 'dist/core/hash/md5.js')).href;
compare({
  name: 'hashing-1file',
  description: `md5 of one ${mib} MiB file: mlpipe md5File vs md5sum`,
  runs,
  subjects: {
    'mlpipe md5File': [process.execPath, '-e', `import(${JSON.stringify(md5Module)}).then((m) => m.md5File(${JSON.stringify(file)})).then(console.log)`],
    md5sum: ['md5sum', file],
  },
});
