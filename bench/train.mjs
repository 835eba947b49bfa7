// Issue 7: training speed and quality of `mlpipe train` against Debian's scikit-learn, side by side.
// Measures fit time (each side's own timer around the fit, binning included, data loading excluded)
// and the test metric (ROC AUC or RMSE on the same held-out 20%) on:
//   - synthetic 200,000 x 20 classification and regression (bench/lib/synthetic.mjs; one CSV under
//     bench/work/ read by both sides),
//   - the UCI Adult dataset (../shared/datasets/adult, 32,561 rows, 8 categorical columns), and its
//     rows 20 times over (adult20-hgb).
// Goals (issue 7): HGB within 1.5x of sklearn HistGradientBoosting fit time at equal AUC (±0.003);
// random forest faster than sklearn's; logistic regression within 2x of sklearn's.
// Also records each side's whole process (wall and CPU seconds, user + sys from GNU time: start-up,
// data read, fit, evaluation) and the load average before and after each pair of runs.
// Env: BENCH_ROWS (200000), BENCH_RUNS (1, interleaved), BENCH_RF_TREES (20: sklearn's forest on 200k
// rows takes about 60 s with 100 trees; both sides grow the same number), BENCH_ONLY (comma list of
// case names); OMP_NUM_THREADS (2) and OMP_WAIT_POLICY go to scikit-learn. Requires `npm run -s build`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, MLPIPE, machine, median, save, timeCommand } from './lib/harness.mjs';
import { writeSynthetic } from './lib/synthetic.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const TREES = Number(process.env.BENCH_RF_TREES ?? 20);
const ONLY = process.env.BENCH_ONLY?.split(',');
const WORK = join(BENCH_DIR, 'work');
// ../shared beside the checkout (as CI lays it out), or MLPIPE_SHARED; one level further up from a worktree.
const ADULT = [process.env.MLPIPE_SHARED, join(BENCH_DIR, '..', '..', 'shared'), join(BENCH_DIR, '..', '..', '..', 'shared')]
  .filter(Boolean)
  .map((dir) => join(dir, 'datasets', 'adult', 'adult.data'))
  .find((file) => existsSync(file)) ?? '';
const { holdOut } = await import('../dist/train/data/split.js');

mkdirSync(WORK, { recursive: true });
const synthetic = join(WORK, `synthetic-${ROWS}.csv`);
if (!existsSync(synthetic)) await writeSynthetic(synthetic, ROWS);

/** Adult as a CSV with a header, trimmed cells and "?" as an empty (missing) cell. */
const adult = join(WORK, 'adult.csv');
if (!existsSync(adult) && existsSync(ADULT)) {
  const header = 'age,workclass,fnlwgt,education,education_num,marital_status,occupation,relationship,race,sex,capital_gain,capital_loss,hours_per_week,native_country,income';
  const body = readFileSync(ADULT, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(',').map((c) => (c.trim() === '?' ? '' : c.trim())).join(','));
  writeFileSync(adult, `${header}\n${body.join('\n')}\n`);
}

/**
 * Adult's rows 20 times over (651,220 rows): categorical data at a size where reading each text
 * value costs (train lands text columns of few values as codes; see src/train/data/columns.ts).
 */
const adult20 = join(WORK, 'adult-x20.csv');
if (!existsSync(adult20) && existsSync(adult)) {
  const [header, ...rows] = readFileSync(adult, 'utf8').trimEnd().split('\n');
  writeFileSync(adult20, `${[header, ...Array.from({ length: 20 }, () => rows).flat()].join('\n')}\n`);
}

/** The rows mlpipe holds out (same seed and stratification), written for the sklearn side. */
function splitFile(name, n, classes) {
  const file = join(WORK, `${name}.split.json`);
  const k = classes ? classes.reduce((a, b) => Math.max(a, b), 0) + 1 : 1;
  const s = holdOut(n, 0.2, 42, classes ? Int32Array.from(classes) : null, k);
  writeFileSync(file, JSON.stringify({ train: Array.from(s.train), test: Array.from(s.test) }));
  return file;
}

function column(file, name) {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const i = lines[0].split(',').indexOf(name);
  return lines.slice(1).map((l) => l.split(',')[i]);
}

const datasets = {
  synthetic: { file: synthetic, rows: ROWS },
  adult: { file: adult, rows: existsSync(adult) ? column(adult, 'income').length : 0 },
  adult20: { file: adult20, rows: existsSync(adult20) ? column(adult20, 'income').length : 0 },
};
const synthClasses = () => column(synthetic, 'y_class').map(Number);
const adultClasses = (file = adult) => {
  const labels = column(file, 'income');
  const sorted = [...new Set(labels)].sort();
  return labels.map((l) => sorted.indexOf(l));
};

const rf = { mlpipe: [`n_estimators=${TREES}`], sklearn: [`n_estimators=${TREES}`] };
const cases = [
  { name: 'synthetic-hgb', data: 'synthetic', target: 'y_class', drop: 'y_reg', algorithm: 'hgb', task: 'binary', classes: synthClasses },
  { name: 'synthetic-rf', data: 'synthetic', target: 'y_class', drop: 'y_reg', algorithm: 'random_forest', task: 'binary', classes: synthClasses, ...rf },
  { name: 'synthetic-logistic', data: 'synthetic', target: 'y_class', drop: 'y_reg', algorithm: 'logistic', task: 'binary', classes: synthClasses },
  { name: 'synthetic-tree', data: 'synthetic', target: 'y_class', drop: 'y_reg', algorithm: 'decision_tree', task: 'binary', classes: synthClasses },
  { name: 'synthetic-hgb-regression', data: 'synthetic', target: 'y_reg', drop: 'y_class', algorithm: 'hgb', task: 'regression', classes: null },
  { name: 'synthetic-ridge-regression', data: 'synthetic', target: 'y_reg', drop: 'y_class', algorithm: 'ridge', task: 'regression', classes: null },
  { name: 'adult-hgb', data: 'adult', target: 'income', algorithm: 'hgb', task: 'binary', classes: adultClasses },
  { name: 'adult-rf', data: 'adult', target: 'income', algorithm: 'random_forest', task: 'binary', classes: adultClasses, ...rf },
  { name: 'adult-logistic', data: 'adult', target: 'income', algorithm: 'logistic', task: 'binary', classes: adultClasses },
  { name: 'adult20-hgb', data: 'adult20', target: 'income', algorithm: 'hgb', task: 'binary', classes: () => adultClasses(adult20) },
].filter((c) => (!ONLY || ONLY.includes(c.name)) && datasets[c.data].rows > 0);

// Debian's numpy/OpenBLAS misbehave with the machine-wide OpenBLAS overrides: unset them for sklearn only.
const sklearnEnv = { ...process.env };
delete sklearnEnv.OPENBLAS_CORETYPE;
delete sklearnEnv.OPENBLAS_L2_SIZE;
// One OpenMP thread per core: more threads than cores spin-wait on a busy machine (one fit ran 6 min
// at 15% CPU under load), which would measure the machine, not the library. OMP_WAIT_POLICY=passive
// (passed through) stops the spinning too; results record both settings.
sklearnEnv.OMP_NUM_THREADS ??= '2';

const rows = [];
for (const c of cases) {
  const { file, rows: n } = datasets[c.data];
  const split = splitFile(c.name, n, c.classes ? c.classes() : null);
  const out = join(WORK, 'models', c.name);
  const mlpipe = [
    process.execPath, MLPIPE, '--json', 'train', '-d', file, '-t', c.target, '-o', out,
    '--metrics', `${out}.metrics.json`, '--plots', `${out}.plots`,
    '--set', `algorithm=${c.algorithm}`, '--set', `task=${c.task}`, ...(c.drop ? ['--set', `drop=${c.drop}`] : []),
    ...(c.mlpipe ?? []).flatMap((s) => ['--set', s]),
  ];
  const sklearn = [
    '/usr/bin/python3', join(BENCH_DIR, 'train_sklearn.py'), file, c.target, c.algorithm, c.task, split,
    ...(c.drop ? [`drop=${c.drop}`] : []), ...(c.sklearn ?? []),
  ];
  const fits = { mlpipe: [], sklearn: [] };
  const walls = { mlpipe: [], sklearn: [] };
  const cpu = { mlpipe: [], sklearn: [] };
  const load = [loadavg()[0]];
  let metric;
  for (let i = 0; i < RUNS; i++) {
    const a = timeCommand(mlpipe);
    const ra = JSON.parse(a.stdout);
    fits.mlpipe.push(ra.fitSeconds);
    walls.mlpipe.push(a.seconds);
    cpu.mlpipe.push(a.cpuSeconds);
    const b = timeCommand(sklearn, { env: sklearnEnv });
    const rb = JSON.parse(b.stdout);
    fits.sklearn.push(rb.fit_seconds);
    walls.sklearn.push(b.seconds);
    cpu.sklearn.push(b.cpuSeconds);
    load.push(loadavg()[0]);
    const key = c.task === 'regression' ? 'rmse' : 'roc_auc';
    metric = { name: key, mlpipe: ra.metrics[key], sklearn: rb[key] };
  }
  const result = {
    name: `train-${c.name}`,
    description: `fit seconds of ${c.algorithm} (${c.task}) on ${c.data}: mlpipe vs scikit-learn`,
    date: new Date().toISOString(),
    machine: machine(),
    runs: RUNS,
    commands: { mlpipe: mlpipe.join(' '), sklearn: sklearn.join(' ') },
    median_seconds: { [`mlpipe ${c.algorithm}`]: median(fits.mlpipe), [`sklearn ${c.algorithm}`]: median(fits.sklearn) },
    // End to end: process start, data read, fit, evaluation (and, for mlpipe, writing the model).
    wall_seconds: { mlpipe: median(walls.mlpipe), sklearn: median(walls.sklearn) },
    cpu_seconds: { mlpipe: median(cpu.mlpipe), sklearn: median(cpu.sklearn) },
    seconds: fits,
    all_wall_seconds: walls,
    all_cpu_seconds: cpu,
    load_average: load,
    sklearn_omp_threads: sklearnEnv.OMP_NUM_THREADS,
    sklearn_omp_wait_policy: sklearnEnv.OMP_WAIT_POLICY ?? 'default',
    metric,
  };
  result.speedup = median(fits.sklearn) / median(fits.mlpipe);
  result.wall_speedup = median(walls.sklearn) / median(walls.mlpipe);
  save(result);
  rows.push(result);
  const f = (v) => (v === undefined ? '-' : v.toFixed(4));
  console.log(
    `${c.name.padEnd(28)} fit ${median(fits.mlpipe).toFixed(2).padStart(7)} s vs ${median(fits.sklearn).toFixed(2).padStart(7)} s` +
      `  ratio ${result.speedup.toFixed(2)}x  end to end ${median(walls.mlpipe).toFixed(2)} s vs ${median(walls.sklearn).toFixed(2)} s` +
      ` (${result.wall_speedup.toFixed(2)}x)  cpu ${median(cpu.mlpipe)?.toFixed(2)} s vs ${median(cpu.sklearn)?.toFixed(2)} s` +
      `  load ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}  ${metric.name} ${f(metric.mlpipe)} vs ${f(metric.sklearn)}`,
  );
}

// The table for README.md ("Training" section).
const fmt = (v, digits) => (typeof v === 'number' ? v.toFixed(digits) : '-');
console.log('\n| case | mlpipe fit | sklearn fit | sklearn/mlpipe | metric | mlpipe | sklearn |\n|---|---|---|---|---|---|---|');
for (const r of rows) {
  const [a, b] = Object.values(r.median_seconds);
  console.log(
    `| ${r.name.replace(/^train-/, '')} | ${fmt(a, 2)} s | ${fmt(b, 2)} s | ${fmt(r.speedup, 2)}x | ${r.metric.name} | ${fmt(r.metric.mlpipe, 4)} | ${fmt(r.metric.sklearn, 4)} |`,
  );
}
