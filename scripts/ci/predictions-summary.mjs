// Summarises a predictions CSV (from `mlpipe predict`) as Markdown for $GITHUB_STEP_SUMMARY.
// Usage: node predictions-summary.mjs predictions/predictions.csv [max rows shown]
import { readFileSync } from 'node:fs';

const [file, max = '20'] = process.argv.slice(2);
const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
const columns = header.split(',');
const at = columns.indexOf('prediction');
const counts = new Map();
for (const row of rows) {
  const label = row.split(',')[at];
  counts.set(label, (counts.get(label) ?? 0) + 1);
}
const lines = [
  `## Predictions: ${rows.length} rows`,
  '',
  `By prediction: ${[...counts].map(([label, n]) => `\`${label}\` ${n}`).join(', ')}`,
  '',
  `| ${columns.join(' | ')} |`,
  `|${columns.map(() => '---').join('|')}|`,
  ...rows.slice(0, Number(max)).map((r) => `| ${r.split(',').join(' | ')} |`),
  '',
];
console.log(lines.join('\n'));
