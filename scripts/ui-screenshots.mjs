#!/usr/bin/env node
// Regenerates the README's dashboard screenshots (docs/images/ui-*.png) from a demo repository with
// 3 commits and 40 experiments, served by the built CLI (`npm run build` first) and shot in headless
// Debian Chromium. Usage: node scripts/ui-screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExperimentsRepo } from './ui-demo-repo.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs/images');
const dir = mkdtempSync(join(tmpdir(), 'mlpipe-ui-demo-'));
const profile = mkdtempSync(join(tmpdir(), 'pw-'));
makeExperimentsRepo(dir, 40, { commits: 3 });
mkdirSync(out, { recursive: true });

const child = spawn(process.execPath, [join(root, 'bin/mlpipe.js'), 'ui', '--port', '0', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    text += d;
    const m = text.match(/"url": "([^"]+)"/);
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`mlpipe ui exited ${code}`)));
});
const { chromium } = await import('playwright-core');
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1100, height: 620 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#exp-table tr.row');
  await page.click('button.sort[data-col="metrics:metrics.json:acc"]');
  await page.click('button.sort[data-col="metrics:metrics.json:acc"]');
  for (const name of ['exp-0008', 'exp-0017', 'exp-0035']) await page.check(`input[aria-label="Select ${name}"]`);
  await page.screenshot({ path: join(out, 'ui-experiments.png') });
  await page.click('#compare');
  await page.waitForSelector('figure[data-plot="loss.csv"] svg .mark-line');
  await page.screenshot({ path: join(out, 'ui-compare.png') });
  console.log(`wrote ${join(out, 'ui-experiments.png')} and ${join(out, 'ui-compare.png')}`);
} finally {
  await context.close();
  child.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
