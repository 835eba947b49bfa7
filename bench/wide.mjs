// Issue 12.11: wide files. `mlpipe schema infer` and `mlpipe profile` on seeded CSVs of 1,000 rows and
// 200 / 1,000 / 2,000 columns (a mix of floats, ints, categories with NA tokens and text), side by
// side with the baseline a pandas user runs: `pandas.read_csv(path)` + `DataFrame.describe(include='all')`
// (Debian's python3-pandas). Goal (2,000 x 1,000): < 10 s and < 1 GiB per command, time linear in
// columns. Medians of BENCH_RUNS (default 3) interleaved runs; saves bench/results/wide.json.
// Env: BENCH_ROWS (default 1000), BENCH_COLUMNS (default 200,1000,2000), BENCH_RUNS (default 3).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, MLPIPE, compare, machine, save } from './lib/harness.mjs';
import { mulberry32 } from './lib/synthetic.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
const COLUMNS = (process.env.BENCH_COLUMNS ?? '200,1000,2000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORK = join(BENCH_DIR, 'work');
mkdirSync(WORK, { recursive: true });
const PYTHON = '/usr/bin/python3'; // Debian's python3 with python3-pandas

function generate(path, columns) {
  const r = mulberry32(columns);
  const lines = [Array.from({ length: columns }, (_, c) => `c${c}`).join(',')];
  for (let i = 0; i < ROWS; i++) {
    const cells = new Array(columns);
    for (let c = 0; c < columns; c++) {
      const k = c % 4;
      cells[c] = k === 0 ? String(r()) : k === 1 ? String(Math.floor(r() * 1000)) : k === 2 ? ['a', 'b', 'c', 'NA'][Math.floor(r() * 4)] : `x${Math.floor(r() * 100000)}`;
    }
    lines.push(cells.join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const pandas = (path) => [PYTHON, '-c', `import pandas as pd; d = pd.read_csv(${JSON.stringify(path)}); d.describe(include='all')`];
const results = [];
for (const columns of COLUMNS) {
  const path = join(WORK, `wide-${columns}x${ROWS}.csv`);
  generate(path, columns);
  for (const command of ['schema infer', 'profile']) {
    const r = compare({
      name: `wide-${command.replace(' ', '-')}-${columns}`,
      description: `mlpipe ${command} of ${columns} columns x ${ROWS} rows vs pandas read_csv + describe(include='all')`,
      runs: RUNS,
      subjects: {
        [`mlpipe ${command}`]: [process.execPath, MLPIPE, '--json', ...command.split(' '), path],
        'pandas read_csv+describe': pandas(path),
      },
    });
    rmSync(join(BENCH_DIR, 'results', `${r.name}.json`)); // one file, wide.json, for the whole benchmark
    results.push({ columns, rows: ROWS, command, median_seconds: r.median_seconds, median_rss_mib: r.median_rss_mib, median_cpu_seconds: r.median_cpu_seconds, load_average: r.load_average, ratio: r.speedup });
  }
}
save({ name: 'wide', description: 'schema infer and profile on wide CSVs vs pandas read_csv + describe (ratio = pandas time / mlpipe time)', date: new Date().toISOString(), machine: machine(), runs: RUNS, results });
