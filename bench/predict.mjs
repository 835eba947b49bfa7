// Issues 8 and 15: batch prediction throughput. `mlpipe predict` scores BENCH_ROWS (default
// 1,000,000) rows of 20 float columns from a CSV file with a 100-tree histogram gradient boosting
// model and writes a CSV with the predicted class and its probabilities. Side by side, interleaved,
// each a fresh process:
//   - baseline: python + pandas + scikit-learn doing the same (read_csv, predict_proba of a
//     HistGradientBoostingClassifier with the same hyperparameters, fitted on the same rows, to_csv);
//   - the scoring ceilings: onnxruntime-node alone scoring the same rows with mlpipe's model from a
//     pre-loaded float32 tensor in 65,536-row batches, no reading, preprocessing or writing; three
//     ways (ORT_CONFIGS): its default options, as a user would call it; 1 thread; 2 threads
//     without spinning, as mlpipe's scoring thread runs it;
//   - the I/O floor: DuckDB alone copying the same CSV to a CSV, no scoring.
// Both models are trained once before the runs (untimed): `mlpipe train --set algorithm=hgb --set
// max_iter=100 --set early_stopping=false` and HistGradientBoostingClassifier(max_iter=100,
// early_stopping=False), both with their default 31 leaves per tree.
// Reports medians of wall and CPU time (user + system), mlpipe's ratios to each, and the load
// average; saves bench/results/predict.json. Env: BENCH_ROWS, BENCH_RUNS (default 3),
// BENCH_PYTHON (default /usr/bin/python3), BENCH_PREDICT_DIR (a folder kept between runs: the data,
// the tensor and both models are made there once and reused while BENCH_ROWS stays the same, which
// saves the two trainings when re-measuring; default: a fresh temporary folder, removed afterwards).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { MLPIPE, compare, save } from './lib/harness.mjs';

/** The 1, 5 and 15-minute load averages, recorded with each result (the machine is shared). */
const readLoad = () => loadavg().map((l) => Math.round(l * 100) / 100);

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const FEATURES = 20;
const TRAIN_ROWS = 20_000;

/**
 * onnxruntime-node alone, three ways: as a user calls it (no options: one intra-op thread per
 * core, spinning while idle), on one thread, and as mlpipe's scoring thread runs it (two threads,
 * no spinning).
 */
const ORT_CONFIGS = {
  'onnxruntime alone, default options': { key: 'default', options: {} },
  'onnxruntime alone, 1 thread': { key: 'one', options: { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' } },
  'onnxruntime alone, 2 threads no spinning (as mlpipe)': {
    key: 'two',
    options: { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', extra: { session: { intra_op: { allow_spinning: '0' } } } },
  },
};

const run = (argv) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
};

const keep = process.env.BENCH_PREDICT_DIR;
const work = keep ? join(keep, `rows-${ROWS}`) : mkdtempSync(join(tmpdir(), 'mlpipe-bench-predict-'));
if (keep) mkdirSync(work, { recursive: true });
// Made by an earlier run with the same BENCH_PREDICT_DIR and BENCH_ROWS (written last, so a
// half-finished setup is made again).
const ready = join(work, 'ready');
const train = join(work, 'train.csv');
const input = join(work, 'rows.csv');
const modelDir = join(work, 'model');
const pickle = join(work, 'model.pkl');
const sklearn = join(work, 'sklearn_predict.py');
const floor = join(work, 'floor.mjs');
const tensor = join(work, 'rows.f32');
const ceiling = join(work, 'ceiling.mjs');
try {
  if (!keep || !existsSync(ready)) await setup();
  if (keep) writeFileSync(ready, '');
  await measure();
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

async function setup() {
  const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
  const cells = names.map((n) => `round(random() * 4 - 2, 6) AS ${n}`).join(', ');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run('SELECT setseed(0.42)');
  // A target the trees must work for: interactions and a threshold, plus 10% label noise.
  await conn.run(
    `COPY (SELECT *, CASE WHEN (f0 * f1 + sin(f2) - f3 * f3 / 2 + f4 > 0) <> (random() < 0.1) THEN 1 ELSE 0 END AS y FROM (SELECT ${cells} FROM range(${TRAIN_ROWS}))) TO '${train}' (FORMAT csv)`,
  );
  await conn.run(`COPY (SELECT ${cells} FROM range(${ROWS})) TO '${input}' (FORMAT csv)`);
  conn.closeSync();
  db.closeSync();

  // The two models, trained once on the same rows with the same hyperparameters.
  run(['node', MLPIPE, 'train', '-d', train, '-t', 'y', '--set', 'algorithm=hgb', '--set', 'max_iter=100', '--set', 'early_stopping=false', '-o', modelDir, '--metrics', join(work, 'metrics.json'), '--plots', join(work, 'plots')]);
  run([
    PYTHON,
    '-c',
    `import pickle, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
df = pd.read_csv(${JSON.stringify(train)})
m = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0).fit(df.drop(columns="y"), df["y"])
pickle.dump(m, open(${JSON.stringify(pickle)}, "wb"))`,
  ]);
  writeFileSync(
    sklearn,
    `import pickle, sys
import pandas as pd
src, model, dst = sys.argv[1:4]
df = pd.read_csv(src)
m = pickle.load(open(model, "rb"))
p = m.predict_proba(df[m.feature_names_in_])
out = pd.DataFrame({"prediction": m.classes_[p.argmax(axis=1)]})
for i, c in enumerate(m.classes_):
    out[f"proba_{c}"] = p[:, i]
out.to_csv(dst, index=False)
`,
  );

  writeFileSync(
    floor,
    `import { DuckDBInstance } from '${import.meta.resolve('@duckdb/node-api')}';
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
await conn.run("COPY (SELECT *, 'yes' AS prediction FROM read_csv('${input}')) TO '${join(work, 'floor.csv')}' (FORMAT csv)");`,
  );
  // The ceiling's tensor: the same rows, row-major float32, loaded from a raw file.
  const reader = await DuckDBInstance.create(':memory:');
  const rconn = await reader.connect();
  const columns = await (await rconn.run(`SELECT * FROM read_csv('${input}')`)).getColumns();
  rconn.closeSync();
  reader.closeSync();
  const x = new Float32Array(ROWS * FEATURES);
  columns.forEach((col, c) => {
    for (let r = 0; r < ROWS; r++) x[r * FEATURES + c] = col[r];
  });
  writeFileSync(tensor, x);
}

async function measure() {
  // onnxruntime alone, in the configuration given as its argument (see ORT_CONFIGS).
  writeFileSync(
    ceiling,
    `import { readFileSync } from 'node:fs';
import ort from '${import.meta.resolve('onnxruntime-node')}';
const configs = ${JSON.stringify(Object.fromEntries(Object.values(ORT_CONFIGS).map((c) => [c.key, c.options])))};
const x = new Float32Array(readFileSync('${tensor}').buffer.slice(0));
const session = await ort.InferenceSession.create('${join(modelDir, 'model.onnx')}', configs[process.argv[2]]);
for (let at = 0; at < ${ROWS}; at += 65536) {
  const rows = Math.min(65536, ${ROWS} - at);
  await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.subarray(at * ${FEATURES}, (at + rows) * ${FEATURES}), [rows, ${FEATURES}]) });
}`,
  );
  const output = join(work, 'preds.csv');
  const pyOutput = join(work, 'sklearn.csv');
  const load = readLoad();
  const result = compare({
    name: 'predict',
    description: `batch predict, CSV in and out: ${ROWS} rows x ${FEATURES} floats -> prediction and class probabilities, 100-tree HGB (31 leaves) trained on the same ${TRAIN_ROWS} rows by each tool; baseline python + pandas + scikit-learn (read_csv, predict_proba, to_csv); ceilings: onnxruntime alone scoring mlpipe's model from a pre-loaded float32 tensor with its default options, on 1 thread, and on 2 threads without spinning as mlpipe; floor: DuckDB copying the CSV`,
    runs: RUNS,
    subjects: {
      'mlpipe predict': ['node', MLPIPE, 'predict', '--model', modelDir, input, '--output', output, '--proba'],
      'python+pandas+sklearn': [PYTHON, sklearn, input, pickle, pyOutput],
      ...Object.fromEntries(Object.entries(ORT_CONFIGS).map(([name, c]) => [name, ['node', ceiling, c.key]])),
      'duckdb copy (I/O floor)': ['node', floor],
    },
  });
  for (const file of [output, pyOutput]) {
    const lines = readFileSync(file, 'utf8').split('\n').length - 2;
    if (lines !== ROWS) throw new Error(`expected ${ROWS} predictions in ${file}, found ${lines}`);
  }
  // The two models should agree on most rows (they are fitted alike, not identically).
  const labels = (file) => readFileSync(file, 'utf8').split('\n').slice(1, 100_001).map((l) => l.split(',')[0]);
  const [ours, theirs] = [labels(output), labels(pyOutput)];
  result.label_agreement_first_100k = ours.filter((l, i) => l === theirs[i]).length / ours.length;
  result.rows = ROWS;
  result.load_average_before = load;
  const med = result.median_seconds;
  const cpu = result.median_cpu_seconds ?? {};
  result.rows_per_second = ROWS / med['mlpipe predict'];
  // > 1: mlpipe is faster than that subject.
  result.ratio_to_sklearn = med['python+pandas+sklearn'] / med['mlpipe predict'];
  // Per onnxruntime configuration, by its short key (default, one, two).
  result.ratio_to_onnxruntime = Object.fromEntries(Object.entries(ORT_CONFIGS).map(([name, c]) => [c.key, med[name] / med['mlpipe predict']]));
  result.ratio_to_io_floor = med['duckdb copy (I/O floor)'] / med['mlpipe predict'];
  if (cpu['mlpipe predict']) {
    result.cpu_ratio_to_sklearn = cpu['python+pandas+sklearn'] / cpu['mlpipe predict'];
    result.cpu_ratio_to_onnxruntime = Object.fromEntries(Object.entries(ORT_CONFIGS).map(([name, c]) => [c.key, cpu[name] / cpu['mlpipe predict']]));
  }
  save(result);
  const fmt = (n) => (n === undefined ? '-' : `${n.toFixed(2)}x`);
  console.log(`  mlpipe: ${Math.round(result.rows_per_second).toLocaleString('en')} rows/s; label agreement with sklearn ${(100 * result.label_agreement_first_100k).toFixed(1)}%`);
  console.log(`  vs sklearn ${fmt(result.ratio_to_sklearn)} wall, ${fmt(result.cpu_ratio_to_sklearn)} CPU; vs onnxruntime alone (default, 1 thread, 2 threads) ${Object.values(result.ratio_to_onnxruntime).map(fmt).join(' ')} wall, ${Object.values(result.cpu_ratio_to_onnxruntime ?? {}).map(fmt).join(' ')} CPU; vs DuckDB copy ${fmt(result.ratio_to_io_floor)}; load average before ${load.join(' ')} (1, 5, 15 min), 1-min before -> after the runs ${result.load_average?.join(' -> ')}`);
}
