import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeExperimentsRepo } from '../../scripts/ui-demo-repo.mjs';
import { runCli } from '../helpers/cli.js';
import { describeIf } from '../helpers/require.js';
import { hasChromium, launchChromium, startUiProcess } from '../helpers/ui-browser.js';
import { tempDir } from '../helpers/tree.js';
import { type UiRepo, uiRepo } from '../helpers/ui-repo.js';

/** The DOM members the page callbacks use (the project compiles without the DOM lib). */
interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
// screenshots of each run, for a look when a check fails
const SHOTS = process.env.MLPIPE_UI_SHOTS ?? join(tmpdir(), 'mlpipe-ui-shots');

describeIf(hasChromium, 'chromium', 'dashboard in headless Chromium', () => {
  let repo: UiRepo;
  let server: { url: string; child: ChildProcess };
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  let context: any;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    repo = await uiRepo();
    server = await startUiProcess(repo.dir);
    ({ context, profile } = await launchChromium());
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    repo?.cleanup();
  });

  // biome-ignore lint/suspicious/noExplicitAny: a playwright Page
  const names = (page: any) => page.$$eval('#exp-table tr.row td[data-col="name"]', (tds: El[]) => tds.map((td) => td.textContent));
  // biome-ignore lint/suspicious/noExplicitAny: a playwright Page
  const column = (page: any, col: string) => page.$$eval(`#exp-table tr.row td[data-col="${col}"]`, (tds: El[]) => tds.map((td) => td.textContent));

  // biome-ignore lint/suspicious/noExplicitAny: a playwright Page
  async function checkTable(page: any) {
    const [c2, c1, c0] = repo.commits.map((c) => c.slice(0, 7));
    await page.waitForSelector('body[data-ready="experiments"]');
    expect(await names(page)).toEqual(['workspace', 'main', 'exp-b', 'exp-a', c1, c0]);
    expect(c2).toBeDefined();
    expect(await column(page, 'params:params.yaml:lr')).toEqual(['0.05', '0.2', '0.05', '0.3', '0.1', '0.1']);
    expect(await column(page, 'metrics:metrics.json:acc')).toEqual(['0.55', '0.7', '0.55', '0.8', '0.6', '']);
    expect(await column(page, 'deps:data.csv')).toEqual(['be3d9427', 'be3d9427', 'be3d9427', 'be3d9427', 'be3d9427', '']);
    expect(await page.textContent('#row-count')).toBe('6 of 6 rows');

    // sorting: ascending, then descending; the row without the metric stays last in both
    await page.click('button.sort[data-col="metrics:metrics.json:acc"]');
    expect(await column(page, 'metrics:metrics.json:acc')).toEqual(['0.55', '0.55', '0.6', '0.7', '0.8', '']);
    expect(await page.getAttribute('th:has(button[data-col="metrics:metrics.json:acc"])', 'aria-sort')).toBe('ascending');
    await page.click('button.sort[data-col="metrics:metrics.json:acc"]');
    expect(await names(page)).toEqual(['exp-a', 'main', c1, 'workspace', 'exp-b', c0]);

    // filtering, then only the columns that differ between the rows left
    await page.fill('#filter', 'exp-');
    expect(await names(page)).toEqual(['exp-a', 'exp-b']);
    expect(await page.textContent('#row-count')).toBe('2 of 6 rows');
    await page.check('#only-changed');
    const cols = await page.$$eval('#exp-table button.sort', (bs: El[]) => bs.map((b) => b.getAttribute('data-col')));
    expect(cols).toEqual(['name', 'created', 'params:params.yaml:lr', 'params:params.yaml:epochs', 'metrics:metrics.json:acc', 'metrics:metrics.json:loss']);
    await page.uncheck('#only-changed');
    // the column chooser hides a column
    await page.click('summary');
    await page.uncheck('fieldset.chooser input[data-col="created"]');
    expect(await page.$$('#exp-table button.sort[data-col="created"]')).toHaveLength(0);
    await page.check('fieldset.chooser input[data-col="created"]');
    await page.click('summary');
    await page.fill('#filter', '');
  }

  // biome-ignore lint/suspicious/noExplicitAny: a playwright Page
  async function checkCompare(page: any, shot: string) {
    await page.check('input[aria-label="Select exp-a"]');
    await page.check('input[aria-label="Select main"]');
    expect(await page.textContent('#compare')).toBe('Compare 2 selected');
    await page.click('#compare');
    await page.waitForSelector('figure[data-plot="loss.csv"] svg .mark-line');
    const diff = await page.$$eval('#diff-table tbody tr', (trs: El[]) => trs.map((tr) => tr.textContent));
    // columns in the table's order (main before exp-a); cells that differ from the first are marked
    expect(await page.$$eval('#diff-table thead th', (ths: El[]) => ths.map((th) => th.textContent))).toEqual(['', 'main', 'exp-a']);
    expect(diff).toEqual(['param params.yaml:lr0.20.3 (differs)', 'param params.yaml:epochs33', 'metric metrics.json:acc0.70.8 (differs)', 'metric metrics.json:loss0.80.7 (differs)']);
    // one line per selected revision, named in the legend
    expect(await page.$$('figure[data-plot="loss.csv"] svg .mark-line path')).toHaveLength(2);
    const legend = await page.$$eval('figure[data-plot="loss.csv"] svg .role-legend-label text', (ts: El[]) => ts.map((t) => t.textContent));
    expect(legend.sort()).toEqual(['exp-a', 'main']);
    await page.screenshot({ path: join(SHOTS, shot) });
  }

  it('serves the page: table rows and values, sorting, filtering, columns, compare charts, pipeline', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(server.url);
    await checkTable(page);
    await page.screenshot({ path: join(SHOTS, 'served-experiments.png') });
    await checkCompare(page, 'served-compare.png');

    await page.click('nav button[data-view="pipeline"]');
    await page.waitForSelector('body[data-ready="pipeline"]');
    expect(await page.$$eval('#stages > li', (lis: El[]) => lis.map((li) => li.getAttribute('data-stage')))).toEqual(['validate', 'train']);
    expect(await page.$$eval('#dag g.node', (gs: El[]) => gs.map((g) => g.textContent))).toEqual(['validateup to date', 'trainup to date']);
    await page.click('nav button[data-view="data"]');
    await page.waitForSelector('body[data-ready="data"]');
    expect(await page.textContent('article.report p')).toBe('data.csv: 4 rows, 2 columns; 6 checks, 4 passed, 2 errors, 0 warnings');
    // The registry: one version in prod (tags written by the CLI; removed again for the next tests).
    const id = { GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@mlpipe.invalid', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@mlpipe.invalid' };
    const assigned = await runCli(['models', 'assign', 'toy', '--stage', 'prod'], { cwd: repo.dir, env: id });
    expect([assigned.code, assigned.stderr]).toEqual([0, '']);
    try {
      await page.click('nav button[data-view="models"]');
      await page.waitForSelector('body[data-ready="models"]');
      expect(await page.$$eval('#models tbody td', (tds: El[]) => tds.slice(0, 3).map((td) => td.textContent))).toEqual(['model', 'toy', 'v-0.05']);
      expect(await page.$$eval('#registry th', (ths: El[]) => ths.map((th) => th.textContent))).toEqual(['Artifact', 'Latest', '#prod']);
      expect(await page.$$eval('#registry tbody td', (tds: El[]) => tds.map((td) => td.textContent))).toEqual(['toy', 'v0.0.1', 'v0.0.1']);
      expect(await page.$$eval('#registry-versions tbody td', (tds: El[]) => tds.slice(0, 4).map((td) => td.textContent))).toEqual([
        'toy', 'v0.0.1', 'prod', repo.commits[0]!.slice(0, 7),
      ]);
    } finally {
      for (const t of repo.git('tag', '-l').trim().split('\n')) repo.git('tag', '-d', t);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('updates live when an experiment ref appears', async () => {
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="experiments"]');
    expect(await page.textContent('#row-count')).toBe('6 of 6 rows');
    const ref = repo.git('for-each-ref', '--format=%(refname)', 'refs/exps').trim().split('\n')[0]!;
    repo.git('update-ref', ref.replace(/[^/]+$/, 'exp-c'), ref);
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document.querySelector('#row-count')?.textContent === '7 of 7 rows', undefined, { timeout: 20_000 });
    expect(await names(page)).toContain('exp-c');
    repo.git('update-ref', '-d', ref.replace(/[^/]+$/, 'exp-c'));
    await page.close();
  });

  it('exports a static site that opens from file:// with no server and no network', async () => {
    const dir = join(repo.dir, 'site');
    const r = await runCli(['ui', '--export', 'site', '--json'], { cwd: repo.dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ experiments: 6, files: ['.mlpipe-ui', 'app.css', 'app.js', 'data.js', 'index.html'] });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (req: { url(): string }) => requests.push(req.url()));
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await checkTable(page);
    await checkCompare(page, 'export-compare.png');
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(await page.textContent('#live')).toBe('Static export');
    await page.close();
  });

  it('keeps only the rows in view in the DOM: 300 experiments, scrolled to the end', async () => {
    const dir = tempDir();
    makeExperimentsRepo(dir, 300);
    const big = await startUiProcess(dir);
    try {
      const page = await context.newPage();
      await page.goto(big.url);
      await page.waitForSelector('#exp-table tr.row');
      expect(await page.textContent('#row-count')).toBe('302 of 302 rows');
      const inDom = (await page.$$('#exp-table tr.row')).length;
      expect(inDom).toBeGreaterThan(10);
      expect(inDom).toBeLessThan(60);
      // the spacer rows keep the full height: scrolling to the end shows the last rows
      await page.$eval('.scroller', (el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForSelector('#exp-table tr.row[aria-rowindex="302"]');
      expect(await page.$eval('#exp-table tr.row[aria-rowindex="302"] td[data-col="name"]', (td: El) => td.textContent)).toBe('exp-0000');
      expect(await page.$eval('#exp-table tr.row[aria-rowindex="301"] td[data-col="name"]', (td: El) => td.textContent)).toBe('exp-0001');
      expect((await page.$$('#exp-table tr.row')).length).toBeLessThan(60);
      await page.close();
    } finally {
      big.child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
