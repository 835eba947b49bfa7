// Issue 8: batch prediction throughput. `mlpipe predict` scores BENCH_ROWS (default 1,000,000) rows
// of 20 float columns from Parquet with a 100-tree depth-6 boosting model (an ONNX
// TreeEnsembleClassifier, bench/lib/model-fixture.mjs) and writes CSV with class probabilities.
// The baseline is the I/O floor: DuckDB alone copying the same Parquet file to CSV, no scoring.
// Reports both times, their ratio and mlpipe's rows/s (goal >= 300k rows/s); saves bench/results/predict.json.
// Env: BENCH_ROWS, BENCH_RUNS (default 2).
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
  const output = join(work, 'preds.csv');
  const result = compare({
    name: 'predict',
    description: `mlpipe predict: ${ROWS} rows x 20 floats (Parquet) -> CSV with probabilities, 100-tree depth-6 boosting model; baseline: DuckDB copying the same file to CSV without scoring (the I/O floor)`,
    runs: RUNS,
    subjects: {
      'mlpipe predict': ['node', MLPIPE, 'predict', '--model', dir, input, '--output', output, '--proba'],
      'duckdb copy (I/O floor)': ['node', floor],
    },
  });
  const lines = readFileSync(output, 'utf8').split('\n').length - 2;
  if (lines !== ROWS) throw new Error(`expected ${ROWS} predictions, found ${lines}`);
  result.rows = ROWS;
  result.rows_per_second = ROWS / result.median_seconds['mlpipe predict'];
  // On a shared machine wall time mostly measures the neighbours; CPU time (all threads) says what
  // the work itself costs.
  const timed = spawnSync('/usr/bin/time', ['-f', '__cpu=%U+%S', ...result.commands['mlpipe predict'].split(' ')], { encoding: 'utf8' });
  const cpu = /__cpu=([\d.]+)\+([\d.]+)/.exec(timed.stderr ?? '');
  if (cpu) {
    result.cpu_seconds = Number(cpu[1]) + Number(cpu[2]);
    result.rows_per_cpu_second = ROWS / result.cpu_seconds;
  }
  save(result);
  console.log(`  mlpipe predict: ${Math.round(result.rows_per_second).toLocaleString('en')} rows/s wall` + (cpu ? `, ${result.cpu_seconds.toFixed(1)} CPU-s (${Math.round(result.rows_per_cpu_second).toLocaleString('en')} rows per CPU-second)` : ''));
} finally {
  rmSync(work, { recursive: true, force: true });
}
