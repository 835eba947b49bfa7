// Issue 15, first row, the part outside the fit: `mlpipe train` with a one-iteration fit (start-up,
// reading and typing the CSV, preparing, binning, one tree, evaluation, ONNX, model.json, metrics
// and plots) against scikit-learn's side doing the same with max_iter=1 (python start, imports,
// pandas read_csv, encoding, binning, one tree, scoring), interleaved, on bench/train.mjs's
// 200,000 x 20 synthetic CSV. With BENCH_BASELINE=DIR (another mlpipe checkout, built), the same
// mlpipe command of that build is timed too, interleaved with this one: the A/B of a change.
// Env: BENCH_ROWS (200000), BENCH_RUNS (5), BENCH_BASELINE; OMP_NUM_THREADS (2) and
// OMP_WAIT_POLICY go to scikit-learn. Requires `npm run -s build`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, MLPIPE, compare } from './lib/harness.mjs';
import { writeSynthetic } from './lib/synthetic.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BASELINE = process.env.BENCH_BASELINE;
const WORK = join(BENCH_DIR, 'work');
const { holdOut } = await import('../dist/train/data/split.js');

mkdirSync(WORK, { recursive: true });
const data = join(WORK, `synthetic-${ROWS}.csv`);
if (!existsSync(data)) await writeSynthetic(data, ROWS);
// The rows mlpipe holds out, for the scikit-learn side (as bench/train.mjs writes them).
const split = join(WORK, 'train-io.split.json');
const lines = readFileSync(data, 'utf8').trim().split('\n');
const target = lines[0].split(',').indexOf('y_class');
const classes = Int32Array.from(lines.slice(1), (l) => Number(l.split(',')[target]));
const s = holdOut(classes.length, 0.2, 42, classes, 2);
writeFileSync(split, JSON.stringify({ train: Array.from(s.train), test: Array.from(s.test) }));

const out = join(WORK, 'models', 'train-io');
const mlpipe = (bin) => [
  process.execPath, bin, '--json', 'train', '-d', data, '-t', 'y_class', '-o', out, '--metrics', `${out}.metrics.json`,
  '--plots', `${out}.plots`, '--set', 'algorithm=hgb', '--set', 'task=binary', '--set', 'drop=y_reg', '--set', 'max_iter=1',
];
const sklearn = ['/usr/bin/python3', join(BENCH_DIR, 'train_sklearn.py'), data, 'y_class', 'hgb', 'binary', split, 'drop=y_reg', 'max_iter=1'];
const env = { ...process.env };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
env.OMP_NUM_THREADS ??= '2';

compare({
  name: 'train-io',
  description: `train end to end with a one-iteration HGB fit on ${ROWS} x 20: mlpipe vs python + pandas + scikit-learn (max_iter=1)`,
  runs: RUNS,
  subjects: { 'mlpipe train (max_iter=1)': mlpipe(MLPIPE), 'python+pandas+sklearn (max_iter=1)': sklearn },
  env,
});
if (BASELINE) {
  compare({
    name: 'train-io-ab',
    description: `the same mlpipe command, this build vs ${BASELINE}`,
    runs: RUNS,
    subjects: { 'mlpipe train, this build': mlpipe(MLPIPE), 'mlpipe train, baseline build': mlpipe(join(BASELINE, 'bin', 'mlpipe.js')) },
  });
}
