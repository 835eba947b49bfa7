// Dashboard benchmark (issue 19): a repository with N experiments (default 1,000; exp refs written
// directly with `git fast-import`, each with its own params.yaml and metrics.json) ->
//   - GET /api/experiments on a fresh `mlpipe ui` (cold: the collector runs) and again (warm: cached),
//   - Chromium: navigation to the first painted table rows (server warm),
// side by side with the baselines over the same refs: `git for-each-ref refs/exps` (listing only)
// and `mlpipe exp show --json` (the same collector through the CLI). Median of BENCH_RUNS (3).
// Writes bench/results/ui.json. Needs a built checkout (`npm run build`) and /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeExperimentsRepo } from '../scripts/ui-demo-repo.mjs';
import { MLPIPE, machine, median, save, timeCommand } from './lib/harness.mjs';

const N = Number(process.env.BENCH_UI_EXPERIMENTS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'mlpipe-bench-ui-'));
function startUi() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MLPIPE, 'ui', '--port', '0', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = out.match(/"url": "([^"]+)"/);
      if (m) resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`mlpipe ui exited ${code}`)));
  });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const v = await fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, value: v };
}

makeExperimentsRepo(dir, N);
const { chromium } = await import('playwright-core');
const profile = mkdtempSync(join(tmpdir(), 'pw-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1200, height: 760 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times = { api_cold: [], api_warm: [], page_rows: [], page_scroll_frame: [], for_each_ref: [], exp_show_json: [] };
let rows = 0;
let painted = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    const ui = await startUi();
    try {
      const cold = await timed(async () => (await fetch(`${ui.url}api/experiments`)).json());
      rows = cold.value.experiments.length;
      times.api_cold.push(cold.seconds);
      times.api_warm.push((await timed(async () => (await fetch(`${ui.url}api/experiments`)).json())).seconds);
      const page = await context.newPage();
      times.page_rows.push(
        (
          await timed(async () => {
            await page.goto(ui.url);
            await page.waitForSelector('#exp-table tr.row');
          })
        ).seconds,
      );
      painted = await page.$$eval('#exp-table tr.row', (trs) => trs.length);
      // one scroll to the middle: time until the new rows are in the DOM (windowed rendering)
      times.page_scroll_frame.push(
        await page.evaluate(async () => {
          const sc = document.querySelector('.scroller');
          const t = performance.now();
          sc.scrollTop = sc.scrollHeight / 2;
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return (performance.now() - t) / 1000;
        }),
      );
      await page.close();
    } finally {
      ui.stop();
    }
    times.for_each_ref.push(timeCommand(['git', 'for-each-ref', 'refs/exps'], { cwd: dir }).seconds);
    times.exp_show_json.push(timeCommand(['node', MLPIPE, 'exp', 'show', '--json'], { cwd: dir }).seconds);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const result = {
  name: 'ui',
  description: `mlpipe ui over ${N} experiments (${rows} table rows): /api/experiments cold and warm, Chromium navigation to painted rows (${painted} in the DOM, windowed); baselines git for-each-ref refs/exps and mlpipe exp show --json`,
  date: new Date().toISOString(),
  machine: machine(),
  runs: RUNS,
  experiments: N,
  rows,
  rows_in_dom: painted,
  median_seconds: medians,
  seconds: times,
  ratios: {
    api_cold_vs_exp_show_json: medians.exp_show_json / medians.api_cold,
    api_warm_vs_for_each_ref: medians.for_each_ref / medians.api_warm,
  },
};
save(result);
console.log(JSON.stringify({ medians, ratios: result.ratios, rows, painted }, null, 2));
