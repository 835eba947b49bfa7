// Issues 2 and 15: start-up of commands that load the CLI (target < 150 ms wall each), measured
// against `node -e 0` as the floor. `--version` is answered by the launcher before the CLI loads, so
// it shows only Node's own start-up; `--help` loads the CLI and every command's flags; `status` in a
// repository tracking one small file also opens the repository and its state DB.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, MLPIPE, compare } from './lib/harness.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 15);
compare({
  name: 'startup-version',
  description: '`mlpipe --version` vs `node -e 0` (the floor: Node start-up alone)',
  runs,
  subjects: { 'mlpipe --version': ['node', MLPIPE, '--version'], 'node -e 0': ['node', '-e', '0'] },
});
compare({
  name: 'startup-help',
  description: '`mlpipe --help` vs `node -e 0`',
  runs,
  subjects: { 'mlpipe --help': ['node', MLPIPE, '--help'], 'node -e 0': ['node', '-e', '0'] },
});

const repo = join(BENCH_DIR, 'work', 'startup-status');
rmSync(repo, { recursive: true, force: true });
mkdirSync(repo, { recursive: true });
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
execFileSync('node', [MLPIPE, 'init', '-q'], { cwd: repo });
writeFileSync(join(repo, 'data.csv'), 'id,value\n1,2\n');
execFileSync('node', [MLPIPE, 'add', '-q', 'data.csv'], { cwd: repo });
execFileSync('node', [MLPIPE, 'status'], { cwd: repo }); // the state DB as every later status finds it
compare({
  name: 'startup-status',
  description: 'no-op `mlpipe status` of a repository tracking one file vs `node -e 0`',
  runs,
  cwd: repo,
  subjects: { 'mlpipe status (1 file)': ['node', MLPIPE, 'status'], 'node -e 0': ['node', '-e', '0'] },
});
