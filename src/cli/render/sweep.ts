import type { SweepReport } from '../../pipeline/exp/sweep.js';
import { formatValue } from './metrics.js';
import { formatTable } from './table.js';

/** The sweep's job summary: a markdown table sorted by the metric, the best point marked ★. */
export function renderSweepReport(report: SweepReport): string {
  const keys = [...new Set(report.rows.flatMap((r) => r.set.map((s) => s.slice(0, s.indexOf('=')))))];
  const headers = ['', 'Experiment', ...keys, report.metric];
  const rows = report.rows.map((r) => {
    const values = Object.fromEntries(r.set.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
    const value = r.commit === undefined ? 'failed (no experiment)' : r.value === undefined ? '-' : formatValue(r.value);
    return [r.name === report.best ? '★' : '', r.name, ...keys.map((k) => values[k] ?? '-'), value];
  });
  const done = report.rows.filter((r) => r.commit !== undefined).length;
  const title = `## Sweep: ${done} of ${report.rows.length} points ran, sorted by ${report.metric} (${report.order === 'desc' ? 'highest' : 'lowest'} first)`;
  const best = report.best ? `\n\nBest: **${report.best}** (\`mlpipe exp apply ${report.best}\`).` : '\n\nNo point produced the metric.';
  return `${title}\n\n${formatTable(headers, rows, true)}${best}\n`;
}
