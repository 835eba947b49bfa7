// Benchmark harness: runs mlpipe and its baseline side by side in the same process run, interleaved
// (A B A B ...) so machine noise hits both alike, and reports medians and the ratio. Results go to
// bench/results/<name>.json; `node bench/report.mjs` turns them into the table in bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = dirname(BENCH_DIR);
export const MLPIPE = join(REPO_DIR, 'bin', 'mlpipe.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs argv once; returns wall seconds and, when GNU time is installed, peak RSS in MiB.
 * Throws if the command fails, so a broken benchmark never reports a time.
 */
export function timeCommand(argv, { cwd = REPO_DIR, env = process.env, input } = {}) {
  // %U + %S: CPU seconds of the command and its threads, which a loaded machine distorts less than wall time.
  const wrapped = TIME ? [TIME, '-f', '__maxrss_kb=%M __cpu=%U+%S', ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(wrapped[0], wrapped.slice(1), { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    throw new Error(`benchmark command failed (${r.status}): ${argv.join(' ')}\n${r.stderr?.slice(-2000)}`);
  }
  const m = /__maxrss_kb=(\d+)/.exec(r.stderr ?? '');
  const c = /__cpu=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return { seconds, rssMiB: m ? Number(m[1]) / 1024 : undefined, cpuSeconds: c ? Number(c[1]) + Number(c[2]) : undefined, stdout: r.stdout };
}

/**
 * Compares subjects (first = mlpipe, second = baseline) over `runs` interleaved runs.
 * `before(name, i)` runs before each timed run (untimed), for resetting state.
 */
export function compare({ name, description, runs = 5, subjects, before, cwd, env, higherIsBetter = false }) {
  const names = Object.keys(subjects);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const rss = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  const loadBefore = loadavg()[0];
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      before?.(n, i);
      const r = timeCommand(subjects[n], { cwd, env });
      times[n].push(r.seconds);
      if (r.rssMiB !== undefined) rss[n].push(r.rssMiB);
      if (r.cpuSeconds !== undefined) cpu[n].push(r.cpuSeconds);
    }
  }
  const [a, b] = names;
  const result = {
    name,
    description,
    date: new Date().toISOString(),
    machine: machine(),
    runs,
    commands: Object.fromEntries(names.map((n) => [n, subjects[n].join(' ')])),
    median_seconds: Object.fromEntries(names.map((n) => [n, median(times[n])])),
    median_rss_mib: Object.fromEntries(names.filter((n) => rss[n].length).map((n) => [n, median(rss[n])])),
    median_cpu_seconds: Object.fromEntries(names.filter((n) => cpu[n].length).map((n) => [n, median(cpu[n])])),
    // 1-minute load average before and after the runs: the machine is shared, so wall times swing with it.
    load_average: [loadBefore, loadavg()[0]].map((l) => Math.round(l * 100) / 100),
    seconds: times,
  };
  // ratio > 1 means mlpipe is faster than the baseline (baseline time / mlpipe time).
  result.speedup = result.median_seconds[b] / result.median_seconds[a];
  if (higherIsBetter) result.speedup = 1 / result.speedup;
  save(result);
  print(result);
  return result;
}

export function machine() {
  return `${cpus().length} cores ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.versions.node}`;
}

/** Saves a result object (any shape with a `name`) to bench/results/<name>.json. */
export function save(result) {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function print(result) {
  const rows = Object.entries(result.median_seconds).map(([n, s]) => {
    const mem = result.median_rss_mib?.[n];
    const cpu = result.median_cpu_seconds?.[n];
    return `  ${n.padEnd(28)} ${s.toFixed(3).padStart(9)} s${cpu !== undefined ? ` (cpu ${cpu.toFixed(2)} s)` : ''}${mem ? `  ${mem.toFixed(0).padStart(6)} MiB` : ''}`;
  });
  console.log(`${result.name}: median of ${result.runs} runs\n${rows.join('\n')}\n  ratio (baseline/mlpipe): ${result.speedup.toFixed(2)}x${result.load_average ? `  (load ${result.load_average.join(' -> ')})` : ''}`);
}

export function loadResults() {
  const dir = join(BENCH_DIR, 'results');
  if (!existsSync(dir)) return [];
  return spawnSync('ls', [dir], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}
