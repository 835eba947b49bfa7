// Issue 2: `mlpipe --version` and `--help` must start fast (target < 150 ms wall), measured against
// `node -e 0` as the floor.
import { MLPIPE, compare } from './lib/harness.mjs';

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
