import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { describeIf } from '../helpers/require.js';
import { tempDir, writeTree } from '../helpers/tree.js';

/** The DOM members the page callbacks use (the project compiles without the DOM lib). */
interface El {
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
  getBBox(): { width: number };
}
const SCHEMA = `version: 1
columns:
  x: {type: float, min: 0}
  k: {type: category, allowed: [a, b]}
`;
const rows = (n: number, shift: number) =>
  Array.from({ length: n }, (_, i) => `${((i * 7) % 50) + shift},${['a', 'b', 'c'][i % (shift ? 3 : 2)]}`).join('\n');

describeIf(existsSync(CHROMIUM), 'chromium', 'HTML report in headless Chromium', () => {
  const dir = tempDir();
  writeTree(dir, {
    'schema.yaml': SCHEMA,
    'ref.csv': `x,k\n${rows(200, 0)}\n`,
    'cur.csv': `x,k\n${rows(200, 30)}\n-1,a\n`,
  });
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  let browser: { context: any; close(): Promise<void> } | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the summary, every issue, drift charts and column histograms offline', async () => {
    const r = await runCli(['validate', 'cur.csv', '--schema', 'schema.yaml', '--reference', 'ref.csv', '--report', 'report.html'], { cwd: dir });
    expect(r.code).toBe(10);
    const page = await browser?.context.newPage();
    const requests: string[] = [];
    page.on('request', (req: { url(): string }) => requests.push(req.url()));
    const errors: string[] = [];
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    expect(await page.textContent('#summary')).toMatch(/invalid: 201 rows, 2 columns; \d+ checks/);
    const issues = await page.$$eval('#issues tr.issue', (trs: El[]) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)));
    expect(issues).toEqual([
      ['error', 'x', 'min', '1'],
      ['error', 'k', 'allowed', '66'], // i % 3 === 2 for i < 200,
      // 200 reference rows (<= 1000): KS and chi-square, as Evidently picks
      ['warning', 'x', 'drift.ks', ''],
      ['warning', 'k', 'drift.chisquare', ''],
    ]);
    expect(await page.$$eval('.card.drift h3', (hs: El[]) => hs.map((h) => h.textContent))).toEqual(['x', 'k']);
    expect(await page.$$eval('.card.column h3', (hs: El[]) => hs.map((h) => h.textContent))).toEqual(['x', 'k']);
    // Charts are laid out by the browser: every histogram bar has a real box.
    const bars = await page.$$eval('.card.column svg rect', (rects: El[]) => rects.map((b) => b.getBBox().width > 0));
    expect(bars.length).toBe(20 + 3);
    expect(bars.every(Boolean)).toBe(true);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
