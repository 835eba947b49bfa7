import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLock } from '../../src/core/formats/dvclock.js';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { describeIf } from '../helpers/require.js';
import { type TempRepo, tempRepo } from '../helpers/tree.js';

/**
 * A pipeline trains a model, the model is declared and registered, promoted to prod; the card of
 * `churn#prod` must show that version, the md5 of the training data that dvc.lock recorded at
 * the registered commit, the test metrics and importance from model.json.
 */
interface El {
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
  getBBox(): { width: number };
}

function csv(): string {
  const lines = ['tenure,plan,churned'];
  for (let i = 0; i < 200; i++) lines.push(`${(i * 13) % 48},${['basic', 'pro', 'max'][i % 3]},${(i * 13) % 48 < 12 || i % 3 === 0 ? 'yes' : 'no'}`);
  return `${lines.join('\n')}\n`;
}
const DATA = csv();
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

let repo: TempRepo;
let markdown: string;
let commit: string;
let model: { features: string[]; importance: number[]; metrics: { test: { accuracy: number } } };
// Registry tags record who acted, so git needs an identity; a fresh machine has none of its own.
const IDENTITY = { GIT_AUTHOR_NAME: 'mlpipe test', GIT_AUTHOR_EMAIL: 'test@mlpipe.invalid', GIT_COMMITTER_NAME: 'mlpipe test', GIT_COMMITTER_EMAIL: 'test@mlpipe.invalid' };
const cli = (...args: string[]) => runCli(args, { cwd: repo.dir, timeoutMs: 120_000, env: IDENTITY });

beforeAll(async () => {
  repo = tempRepo({
    'data.csv': DATA,
    'dvc.yaml': `stages:\n  train:\n    cmd: node ${MLPIPE_BIN} train --data data.csv --target churned --out model --metrics metrics.json --plots plots --set max_iter=10\n    deps:\n    - data.csv\n    outs:\n    - model\n    metrics:\n    - metrics.json:\n        cache: false\n`,
  });
  expect((await cli('init')).code).toBe(0);
  const r = await cli('repro');
  expect(r.stderr).not.toContain('error');
  expect((await cli('models', 'declare', 'churn', '--path', 'model', '--desc', 'Who leaves next month', '--label', 'tabular')).code).toBe(0);
  repo.commit('train churn');
  commit = repo.git('rev-parse', 'HEAD').trim();
  expect((await cli('models', 'register', 'churn', '--version', 'v1.0.0')).code).toBe(0);
  expect((await cli('models', 'assign', 'churn', '--version', 'v1.0.0', '--stage', 'prod')).code).toBe(0);
  // the work tree moves on: the card must still describe the registered commit
  repo.git('commit', '-q', '--allow-empty', '-m', 'later');
  const card = await cli('models', 'card', 'churn#prod', '--html', 'card.html');
  expect(card.stderr).toBe('');
  markdown = card.stdout;
  model = JSON.parse(readFileSync(join(repo.dir, 'model/model.json'), 'utf8'));
}, 180_000);
afterAll(() => repo?.cleanup());

describe('models card', () => {
  it('describes the registered version: predicts, data md5 from dvc.lock, metrics, importance, lineage', () => {
    const lock = parseLock(readFileSync(join(repo.dir, 'dvc.lock'), 'utf8'));
    expect(lock.stages.get('train')?.deps).toEqual([expect.objectContaining({ path: 'data.csv', md5: md5(DATA) })]);
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Model card: churn v1.0.0');
    expect(lines).toContain('- **Stages:** prod');
    expect(lines).toContain(`- **Commit:** \`${commit}\``);
    expect(markdown).toContain('A binary hgb model that predicts "churned" (classes: no, yes) from 2 input columns. Who leaves next month.');
    expect(lines).toContain(`| data.csv | \`${md5(DATA)}\` | dvc.lock |`);
    expect(lines).toContain(`| accuracy | ${Number(model.metrics.test.accuracy.toPrecision(4))} |`);
    expect(model.features).toEqual(['tenure', 'plan']);
    // trained by `repro` at the first commit, while `mlpipe init`'s .dvc/ files were staged, not committed
    expect(lines).toContain(`- **Trained at commit:** ${repo.git('rev-parse', 'HEAD~2').trim()} (with uncommitted changes)`);
    expect(markdown).toContain('## Intended use');
  });

  it('refuses a stage nobody holds and a version that does not exist', async () => {
    const none = await cli('models', 'card', 'churn#staging');
    expect([none.code, none.stderr]).toEqual([4, expect.stringContaining("no version of 'churn' is in stage 'staging'")]);
    const missing = await cli('models', 'card', 'churn@v9.9.9');
    expect(missing.code).toBe(4);
  });
});

describeIf(existsSync(CHROMIUM), 'chromium', 'model card HTML in headless Chromium', () => {
  // biome-ignore lint/suspicious/noExplicitAny: playwright types are loaded lazily
  let browser: { context: any; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders every section offline, with one importance bar per feature', async () => {
    const page = await browser?.context.newPage();
    const requests: string[] = [];
    page.on('request', (req: { url(): string }) => requests.push(req.url()));
    const errors: string[] = [];
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(pathToFileURL(join(repo.dir, 'card.html')).href);
    expect(await page.title()).toBe('Model card: churn v1.0.0');
    expect(await page.$$eval('section h2', (hs: El[]) => hs.map((h) => h.textContent))).toEqual([
      'What it predicts',
      'Intended use',
      'Data',
      'Metrics',
      'Features and importance',
      'Lineage',
    ]);
    const data = await page.$$eval('#data tbody tr', (trs: El[]) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(data).toEqual([['data.csv', md5(DATA), 'dvc.lock']]);
    const bars = await page.$$eval('#features svg rect', (rects: El[]) => rects.map((b) => b.getBBox().width));
    expect(bars).toHaveLength(2);
    expect(bars.every((w: number) => w > 0)).toBe(true);
    // the widest bar is the most important feature
    const order = [...model.features].sort((a, b) => model.importance[model.features.indexOf(b)]! - model.importance[model.features.indexOf(a)]!);
    expect(await page.$$eval('#features svg g text:first-child', (ts: El[]) => ts.map((t) => t.textContent))).toEqual(order);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
