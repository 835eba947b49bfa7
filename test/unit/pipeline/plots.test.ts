import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDvcYaml } from '../../../src/pipeline/dvcyaml.js';
import { parsePlotData, plotDefinitions } from '../../../src/pipeline/plots/collect.js';
import { renderPlots } from '../../../src/pipeline/plots/show.js';
import { describeIf } from '../../helpers/require.js';
import { tempRepo } from '../../helpers/tree.js';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/dvc/pipeline/${p}`, import.meta.url), 'utf8');

const DVC_YAML = `${fixture('input/dvc.yaml')}plots:
- confusion:
    template: confusion
    x: actual
    y:
      classes.json: predicted
`;
const FILES = {
  'dvc.yaml': DVC_YAML,
  'params.yaml': fixture('input/params.yaml'),
  'loss.csv': 'step,loss\n1,0.5\n2,0.25\n3,0.125\n',
  'classes.json': JSON.stringify({ rows: [{ actual: 'a', predicted: 'a' }, { actual: 'a', predicted: 'b' }, { actual: 'b', predicted: 'b' }] }),
  '.dvc': { config: '' },
};

describe('plots: definitions and data', () => {
  it('collects stage plot outputs and top-level plots with their columns and templates', () => {
    const pipeline = parseDvcYaml({ text: DVC_YAML, file: 'dvc.yaml', readFile: () => undefined });
    expect(plotDefinitions(pipeline)).toEqual([
      { id: 'confusion', sources: [{ file: 'classes.json', y: ['predicted'], x: 'actual' }], template: 'confusion' },
      { id: 'loss.csv', sources: [{ file: 'loss.csv', y: ['loss'], x: 'step' }], template: 'linear' },
    ]);
  });

  it('parses CSV, TSV and JSON records with typed values', async () => {
    expect(await parsePlotData('step,loss\n1,0.5\n', 'a.csv')).toEqual([{ step: 1, loss: 0.5 }]);
    expect(await parsePlotData('a\tb\nx\t2\n', 'a.tsv')).toEqual([{ a: 'x', b: 2 }]);
    expect(await parsePlotData('{"train": [{"step": 0, "acc": 0.5}]}', 'a.json')).toEqual([{ step: 0, acc: 0.5 }]);
  });

  it('refuses an unknown template with E_PIPELINE', () => {
    const pipeline = parseDvcYaml({ text: 'plots:\n- a.csv:\n    template: pie\n', file: 'dvc.yaml', readFile: () => undefined });
    expect(() => plotDefinitions(pipeline)).toThrow(expect.objectContaining({ code: 'E_PIPELINE' }));
  });
});

describeIf(existsSync('/usr/bin/chromium'), 'chromium', 'plots show renders in a real browser', () => {
  const repo = tempRepo(FILES);
  afterAll(() => repo.cleanup());

  it('writes one self-contained HTML page whose charts draw their marks offline', async () => {
    const result = await renderPlots({ root: repo.dir });
    expect(result.path).toBe(join(repo.dir, 'dvc_plots', 'index.html'));
    expect(result.plots).toEqual([
      { id: 'confusion', template: 'confusion', revisions: ['workspace'], points: 3 },
      { id: 'loss.csv', template: 'linear', revisions: ['workspace'], points: 3 },
    ]);
    const html = readFileSync(result.path, 'utf8');
    expect(html).not.toMatch(/<script src=/); // nothing fetched from the network

    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'pw-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      offline: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${result.path}`);
      await page.waitForSelector('#plot1 svg .mark-line path', { timeout: 20_000 });
      await page.waitForSelector('#plot0 svg .mark-rect path', { timeout: 20_000 });
      // the linear template draws one line and one point per row; the confusion matrix 4 cells
      expect(await page.locator('#plot1 svg g.mark-symbol.role-mark path').count()).toBe(3);
      expect(await page.locator('#plot0 svg g.mark-rect.role-mark path').count()).toBe(4);
      expect(await page.locator('#plot1 svg .role-axis-title text').allTextContents()).toEqual(['step', 'loss']);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
