/**
 * A self-contained HTML report (no script, no network: inline CSS and SVG charts) so that it opens
 * offline from a CI artifact: validation summary, every issue with sample rows, drift charts
 * (reference vs current shares per bin or category) and per-column histograms.
 */
import { type Issue, formatValue } from '../issues.js';
import type { ColumnProfile, Profile } from '../profile.js';
import type { DriftColumn } from '../drift.js';
import type { ValidationReport } from '../validate.js';
import { writeFileAtomic } from '../../core/fs/atomic.js';

export interface HtmlReportInput {
  validation?: ValidationReport | undefined;
  profile?: Profile | undefined;
}

export async function writeHtmlReport(path: string, input: HtmlReportInput): Promise<void> {
  writeFileAtomic(path, renderHtml(input));
}

const esc = (v: unknown) =>
  String(v).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function renderHtml({ validation, profile }: HtmlReportInput): string {
  const title = validation ? `Validation of ${validation.data}` : `Profile of ${profile?.data ?? ''}`;
  const parts = [`<h1>${esc(title)}</h1>`];
  if (validation) parts.push(summary(validation), issuesTable(validation.issues));
  if (validation?.drift) parts.push(driftSection(validation.drift.reference, validation.drift.columns));
  if (profile) parts.push(profileSection(profile));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2433}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #dde;padding:.25rem .6rem;text-align:left;vertical-align:top}
.error{color:#b42318;font-weight:600}.warning{color:#b54708;font-weight:600}.ok{color:#067647;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #dde;border-radius:6px;padding:.6rem .8rem;width:340px}
.card h3{margin:.1rem 0 .3rem;font-size:15px}.muted{color:#667085}code{font-size:12px}
</style></head><body>
${parts.join('\n')}
</body></html>
`;
}

function summary(v: ValidationReport): string {
  const verdict = v.valid ? '<span class="ok">valid</span>' : '<span class="error">invalid</span>';
  return `<p id="summary">${verdict}: ${v.rows} rows, ${v.columns.length} columns; ${v.checks.total} checks,
${v.checks.passed} passed, <span class="error">${v.checks.errors} error(s)</span>, <span class="warning">${v.checks.warnings} warning(s)</span>.</p>`;
}

function issuesTable(issues: Issue[]): string {
  if (issues.length === 0) return '<h2>Issues</h2><p>None.</p>';
  const rows = issues.map(
    (i) => `<tr class="issue"><td class="${i.severity}">${i.severity}</td><td>${esc(i.column ?? '(table)')}</td><td><code>${esc(i.rule)}</code></td>
<td>${i.count ?? ''}</td><td>${esc(formatValue(i.observed))}</td><td>${esc(formatValue(i.expected))}</td>
<td>${i.sample.map((s) => `row ${s.row}: <code>${esc(JSON.stringify(s.values))}</code>`).join('<br>')}</td></tr>`,
  );
  return `<h2>Issues (${issues.length})</h2><table id="issues"><tr><th>severity</th><th>column</th><th>rule</th><th>rows</th><th>observed</th><th>expected</th><th>sample rows</th></tr>
${rows.join('\n')}</table>`;
}

function driftSection(reference: string, columns: DriftColumn[]): string {
  const cards = columns.map((d) => {
    const verdict = d.drifted ? '<span class="error">drifted</span>' : '<span class="ok">stable</span>';
    const p = d.pValue === null ? '' : `, p = ${d.pValue.toPrecision(3)}`;
    const chart = barChart(
      d.bins.slice(0, 20).map((b) => ({ label: b.label, values: [b.reference, b.current] })),
      ['#98a2b3', '#2e90fa'],
    );
    return `<div class="card drift"><h3>${esc(d.column)}</h3><div>${verdict}: ${d.method} ${d.statistic.toPrecision(4)}${p} (threshold ${d.threshold})</div>${chart}</div>`;
  });
  return `<h2>Drift against ${esc(reference)}</h2><p class="muted">grey: reference, blue: current (share of rows per bin or category)</p><div class="cards">${cards.join('\n')}</div>`;
}

function profileSection(p: Profile): string {
  return `<h2>Columns (${p.rows} rows)</h2><div class="cards">${p.columns.map(columnCard).join('\n')}</div>`;
}

function columnCard(c: ColumnProfile): string {
  const stats: [string, unknown][] = [
    ['type', c.type],
    ['nulls', c.nulls],
    ['distinct', c.distinct],
    ['min', c.min],
    ['max', c.max],
    ['mean', c.mean],
    ['std', c.std],
  ];
  const table = stats.filter(([, v]) => v !== null).map(([k, v]) => `<tr><td>${k}</td><td>${esc(formatValue(v))}</td></tr>`).join('');
  let chart = '';
  if (c.histogram) chart = barChart(c.histogram.map((b) => ({ label: `${formatValue(b.lo)}..${formatValue(b.hi)}`, values: [b.count] })), ['#2e90fa']);
  else if (c.top) chart = barChart(c.top.slice(0, 20).map((t) => ({ label: t.value, values: [t.count] })), ['#2e90fa']);
  return `<div class="card column"><h3>${esc(c.name)}</h3><table>${table}</table>${chart}</div>`;
}

/** Vertical grouped bars, one group per label; hover shows the label and values. */
function barChart(groups: { label: string; values: number[] }[], colors: string[]): string {
  if (groups.length === 0) return '';
  const width = 320;
  const height = 120;
  const max = Math.max(...groups.flatMap((g) => g.values), Number.MIN_VALUE);
  const gw = width / groups.length;
  const bw = Math.max(1, (gw - 2) / colors.length);
  const bars = groups.flatMap((g, i) =>
    g.values.map((v, j) => {
      const h = (v / max) * (height - 4);
      return `<rect x="${(i * gw + 1 + j * bw).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[j]}"><title>${esc(g.label)}: ${g.values.map((x) => formatValue(x)).join(' / ')}</title></rect>`;
    }),
  );
  return `<svg class="chart" width="${width}" height="${height + 16}" viewBox="0 0 ${width} ${height + 16}" role="img"><g>${bars.join('')}</g>
<text x="0" y="${height + 13}" font-size="10" fill="#667085">${esc(groups[0]!.label)}</text><text x="${width}" y="${height + 13}" font-size="10" fill="#667085" text-anchor="end">${esc(groups[groups.length - 1]!.label)}</text></svg>`;
}
