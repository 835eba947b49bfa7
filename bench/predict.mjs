// Issue 8: batch prediction throughput. `mlpipe predict` scores BENCH_ROWS (default 1,000,000) rows
// of 20 float columns from Parquet with a 100-tree depth-6 boosting model (an ONNX
// TreeEnsembleClassifier, bench/lib/model-fixture.mjs) and writes CSV with class probabilities.
// Side by side, interleaved, each a fresh process:
//   - baseline, the I/O floor: DuckDB alone copying the same Parquet file to CSV, no scoring;
//   - the scoring ceiling: onnxruntime-node alone (1 thread, as mlpipe uses) scoring the same rows
//     from a pre-loaded float32 tensor in 65,536-row batches, no reading, preprocessing or writing.
// Reports the medians, mlpipe's rows/s (goal >= 300k rows/s), its ratio to both, and its CPU time;
// saves bench/results/predict.json. Env: BENCH_ROWS, BENCH_RUNS (default 2).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { MLPIPE, compare, save } from './lib/harness.mjs';
import { boostingModel } from './lib/model-fixture.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);

const work = mkdtempSync(join(tmpdir(), 'mlpipe-bench-predict-'));
try {
  const { dir, names } = boostingModel(join(work, 'boost'));
  const input = join(work, 'rows.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run('SELECT setseed(0.42)');
  await conn.run(`COPY (SELECT ${names.map((n) => `random() * 4 - 2 AS ${n}`).join(', ')} FROM range(${ROWS})) TO '${input}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
  const floor = join(work, 'floor.mjs');
  writeFileSync(
    floor,
    `import { DuckDBInstance } from '${import.meta.resolve('@duckdb/node-api')}';
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
await conn.run("COPY (SELECT *, 'yes' AS prediction FROM read_parquet('${input}')) TO '${join(work, 'floor.csv')}' (FORMAT csv)");`,
  );
  // The ceiling's tensor: the same rows, row-major float32, loaded from a raw file.
  const tensor = join(work, 'rows.f32');
  const reader = await DuckDBInstance.create(':memory:');
  const rconn = await reader.connect();
  const columns = await (await rconn.run(`SELECT * FROM read_parquet('${input}')`)).getColumns();
  rconn.closeSync();
  reader.closeSync();
  const x = new Float32Array(ROWS * names.length);
  columns.forEach((col, c) => {
    for (let r = 0; r < ROWS; r++) x[r * names.length + c] = col[r];
  });
  writeFileSync(tensor, x);
  const ceiling = join(work, 'ceiling.mjs');
  writeFileSync(
    ceiling,
    `import { readFileSync } from 'node:fs';
import ort from '${import.meta.resolve('onnxruntime-node')}';
const x = new Float32Array(readFileSync('${tensor}').buffer.slice(0));
const session = await ort.InferenceSession.create('${join(dir, 'model.onnx')}', { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
const width = ${names.length};
for (let at = 0; at < ${ROWS}; at += 65536) {
  const rows = Math.min(65536, ${ROWS} - at);
  await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.subarray(at * width, (at + rows) * width), [rows, width]) });
}`,
  );
  const output = join(work, 'preds.csv');
  const result = compare({
    name: 'predict',
    description: `mlpipe predict: ${ROWS} rows x 20 floats (Parquet) -> CSV with probabilities, 100-tree depth-6 boosting model; baseline: DuckDB copying the same file to CSV without scoring (the I/O floor); ceiling: onnxruntime alone scoring the same rows from a pre-loaded float32 tensor on 1 thread`,
    runs: RUNS,
    subjects: {
      'mlpipe predict': ['node', MLPIPE, 'predict', '--model', dir, input, '--output', output, '--proba'],
      'duckdb copy (I/O floor)': ['node', floor],
      'onnxruntime alone (scoring ceiling)': ['node', ceiling],
    },
  });
  const lines = readFileSync(output, 'utf8').split('\n').length - 2;
  if (lines !== ROWS) throw new Error(`expected ${ROWS} predictions, found ${lines}`);
  result.rows = ROWS;
  const rate = (name) => ROWS / result.median_seconds[name];
  result.rows_per_second = rate('mlpipe predict');
  result.rows_per_second_io_floor = rate('duckdb copy (I/O floor)');
  result.rows_per_second_scoring_ceiling = rate('onnxruntime alone (scoring ceiling)');
  // > 1: mlpipe is faster than that subject.
  result.ratio_to_scoring_ceiling = result.median_seconds['onnxruntime alone (scoring ceiling)'] / result.median_seconds['mlpipe predict'];
  // On a shared machine wall time mostly measures the neighbours; CPU time (all threads) says what
  // the work itself costs.
  const timed = spawnSync('/usr/bin/time', ['-f', '__cpu=%U+%S', ...result.commands['mlpipe predict'].split(' ')], { encoding: 'utf8' });
  const cpu = /__cpu=([\d.]+)\+([\d.]+)/.exec(timed.stderr ?? '');
  if (cpu) {
    result.cpu_seconds = Number(cpu[1]) + Number(cpu[2]);
    result.rows_per_cpu_second = ROWS / result.cpu_seconds;
  }
  save(result);
  const perSecond = (n) => `${Math.round(n).toLocaleString('en')} rows/s`;
  console.log(`  mlpipe predict: ${perSecond(result.rows_per_second)} wall` + (cpu ? `, ${result.cpu_seconds.toFixed(1)} CPU-s (${Math.round(result.rows_per_cpu_second).toLocaleString('en')} rows per CPU-second)` : ''));
  console.log(`  I/O floor: ${perSecond(result.rows_per_second_io_floor)}; scoring ceiling: ${perSecond(result.rows_per_second_scoring_ceiling)}; mlpipe / ceiling: ${result.ratio_to_scoring_ceiling.toFixed(2)}x`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
