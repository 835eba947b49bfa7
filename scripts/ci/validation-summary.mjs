// Renders `mlpipe validate --json` output as Markdown for $GITHUB_STEP_SUMMARY.
// Usage: node validation-summary.mjs reports/validation.json
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/validation.json';
if (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
  console.log(`## Data validation\n\nNo validation report (${file}): the data could not be read. See the job log.\n`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const { checks, issues = [], drift } = report;
const cell = (v) => String(typeof v === 'object' && v !== null ? JSON.stringify(v) : (v ?? '')).replaceAll('|', '\\|');
const lines = [
  `## Data validation: ${report.valid ? 'passed' : 'FAILED'}`,
  '',
  `\`${report.data}\`: ${report.rows} rows, ${report.columns.length} columns; ${checks.passed}/${checks.total} checks passed, ${checks.errors} errors, ${checks.warnings} warnings.`,
  '',
];
if (issues.length) {
  lines.push('| severity | column | rule | observed | expected | rows | first rows |', '|---|---|---|---|---|---|---|');
  for (const i of issues) {
    const rows = (i.sample ?? []).map((s) => s.row).slice(0, 5).join(', ');
    lines.push(`| ${i.severity} | ${cell(i.column ?? '(table)')} | ${cell(i.rule)} | ${cell(i.observed)} | ${cell(i.expected)} | ${cell(i.count)} | ${rows} |`);
  }
  lines.push('');
}
if (drift) {
  lines.push(`Drift against \`${drift.reference}\`: ${drift.drifted.length ? `**${drift.drifted.join(', ')}** drifted` : 'no column drifted'}.`, '');
}
console.log(lines.join('\n'));
