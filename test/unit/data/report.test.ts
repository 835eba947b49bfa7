import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/data/report/html.js';
import { validate } from '../../../src/data/validate.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const GOLDEN = `${FIXTURES}orders.report.golden.json`;

describe('validation report', () => {
  it('JSON report of orders.csv matches the golden file (every issue, counts, samples with row numbers)', async () => {
    const report = await validate({ data: `${FIXTURES}orders.csv`, schema: `${FIXTURES}orders.schema.yaml` });
    const json = `${JSON.stringify({ ...report, data: 'orders.csv' }, null, 2)}\n`;
    // Regenerate after an intended change with UPDATE_GOLDEN=1, then review the diff.
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, json);
    expect(json).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('the HTML report is self-contained: no script, no external URL, one row per issue', async () => {
    const report = await validate({ data: `${FIXTURES}orders.csv`, schema: `${FIXTURES}orders.schema.yaml`, profile: true });
    const html = renderHtml({ validation: report, profile: report.profile });
    expect(html).not.toMatch(/<script|https?:\/\/|<link /);
    expect(html.match(/<tr class="issue">/g)?.length).toBe(report.issues.length);
    expect(html.match(/<div class="card column">/g)?.length).toBe(7);
    expect(html).toContain('row 6: <code>{&quot;amount&quot;:&quot;abc&quot;}</code>');
  });
});
