// Measures `mlpipe add` and a no-change `mlpipe status` on generated trees, each side by side with a
// baseline on the same files (interleaved runs, medians, ratio = baseline / mlpipe):
//   add-small:  BENCH_SMALL_FILES (default 10,000) files of 1-4 KiB; baseline `md5sum` over the same
//               files (hashing only; `cp -r` is timed too as a copy-only reference).
//   add-large:  BENCH_LARGE_FILES (default 1,000) files totalling BENCH_LARGE_MIB (default 1024 MiB);
//               same baselines.
//   status:     no-change `mlpipe status` on the small tree after an add; baseline `ls -lR` (one stat
//               per file, the floor for noticing a change). Goal: under 0.3 s for 10,000 files.
// Each add run starts from an empty cache and no state DB (worst case). BENCH_RUNS sets runs (default 3).
// BENCH_PARTS=status runs only the status benchmark (one untimed add makes the tree it needs);
// BENCH_ADD_ONLY=small runs the small-file add only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, MLPIPE, compare } from './lib/harness.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const smallFiles = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const largeFiles = Number(process.env.BENCH_LARGE_FILES ?? 1_000);
const largeMiB = Number(process.env.BENCH_LARGE_MIB ?? 1024);
const work = join(BENCH_DIR, 'work', 'add-status');

function makeRepo(name, files, bytesOf) {
  const dir = join(work, name);
  const marker = join(dir, `.made-${files}-${bytesOf(0)}-${bytesOf(files - 1)}`);
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'data'), { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    execFileSync(process.execPath, [MLPIPE, 'init'], { cwd: dir });
    for (let i = 0; i < files; i++) {
      const sub = join(dir, 'data', `part-${String(i % 100).padStart(3, '0')}`);
      mkdirSync(sub, { recursive: true });
      const buf = Buffer.alloc(bytesOf(i));
      for (let j = 0; j < buf.length; j += 4) buf.writeUInt32LE(((i + 1) * 2654435761 + j * 40503) >>> 0, j);
      writeFileSync(join(sub, `file-${i}.bin`), buf);
    }
    writeFileSync(marker, '');
  }
  return dir;
}

function resetMlpipe(dir) {
  for (const p of ['.dvc/cache', '.dvc/tmp', 'data.dvc', '.gitignore']) rmSync(join(dir, p), { recursive: true, force: true });
}

function addBench(name, dir, description) {
  const copy = join(work, `${name}-copy`);
  compare({
    name,
    description,
    runs,
    cwd: dir,
    subjects: {
      'mlpipe add data': [process.execPath, MLPIPE, 'add', 'data'],
      'md5sum (all files)': ['sh', '-c', 'find data -type f -print0 | xargs -0 md5sum > /dev/null'],
      'cp -r data': ['cp', '-r', 'data', copy],
    },
    before: (subject) => {
      if (subject.startsWith('mlpipe')) resetMlpipe(dir);
      rmSync(copy, { recursive: true, force: true });
    },
  });
  rmSync(copy, { recursive: true, force: true });
}

const parts = (process.env.BENCH_PARTS ?? 'add,status').split(',');
const small = makeRepo('small', smallFiles, (i) => 1024 + (i % 4) * 1024);
if (parts.includes('add')) {
  addBench('add-small-files', small, `mlpipe add of ${smallFiles} files of 1-4 KiB vs md5sum of the same files (cp -r for reference)`);
  // BENCH_ADD_ONLY=small: the small-file add alone (issue 15's row: 2,000 files, BENCH_SMALL_FILES=2000).
  if (process.env.BENCH_ADD_ONLY === 'small') process.exit(0);
  const perFile = Math.floor((largeMiB * 2 ** 20) / largeFiles / 4) * 4;
  const large = makeRepo('large', largeFiles, () => perFile);
  addBench('add-large-files', large, `mlpipe add of ${largeFiles} files totalling ${largeMiB} MiB vs md5sum of the same files (cp -r for reference)`);
  resetMlpipe(large);
} else {
  resetMlpipe(small);
  execFileSync(process.execPath, [MLPIPE, 'add', '-q', 'data'], { cwd: small });
}

// The status runs on the small tree as the last add left it (objects and state DB present).
execFileSync(process.execPath, [MLPIPE, 'status'], { cwd: small });
compare({
  name: 'status-no-change',
  description: `no-change mlpipe status on ${smallFiles} tracked files vs ls -lR of the same files`,
  runs: Math.max(runs, 5),
  cwd: small,
  subjects: {
    'mlpipe status': [process.execPath, MLPIPE, 'status'],
    'ls -lR data': ['sh', '-c', 'ls -lR data > /dev/null'],
  },
});
