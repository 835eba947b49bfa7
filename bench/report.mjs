// Rewrites the generated table in bench/README.md from bench/results/*.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, loadResults } from './lib/harness.mjs';

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';
const rows = loadResults()
  .filter((r) => r.median_seconds && typeof r.speedup === 'number' && Object.keys(r.median_seconds).length >= 2)
  .sort((a, b) => a.name.localeCompare(b.name))
  .map((r) => {
    const [a, b] = Object.keys(r.median_seconds);
    const mem = r.median_rss_mib?.[a] ? ` / ${r.median_rss_mib[a].toFixed(0)} vs ${r.median_rss_mib[b]?.toFixed(0) ?? '?'} MiB` : '';
    return `| ${r.name} | ${a} | ${r.median_seconds[a].toFixed(3)} s | ${b} | ${r.median_seconds[b].toFixed(3)} s | ${r.speedup.toFixed(2)}x${mem} | ${r.runs} | ${r.date.slice(0, 10)} |`;
  });
const others = loadResults()
  .filter((r) => !(r.median_seconds && typeof r.speedup === 'number' && Object.keys(r.median_seconds).length >= 2))
  .map((r) => `- \`${r.name}\`: ${r.description ?? 'see the JSON file'} (results/${r.name}.json)`);
const table = [
  '| benchmark | mlpipe | median | baseline | median | ratio (baseline/mlpipe) | runs | date |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  ...(others.length ? ['', 'Results with their own shape (load tests, memory-only runs):', ...others] : []),
].join('\n');
const path = join(BENCH_DIR, 'README.md');
const text = readFileSync(path, 'utf8');
const i = text.indexOf(START);
const j = text.indexOf(END);
if (i < 0 || j < 0) throw new Error(`bench/README.md lacks the ${START} / ${END} markers`);
writeFileSync(path, `${text.slice(0, i + START.length)}\n${table}\n${text.slice(j)}`);
console.log(table);
