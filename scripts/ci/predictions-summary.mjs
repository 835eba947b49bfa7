// Summarises a predictions CSV (from `mlpipe predict`) as Markdown for $GITHUB_STEP_SUMMARY.
// Usage: node predictions-summary.mjs predictions/predictions.csv [max rows shown]
// The CSV is parsed by a real parser (d3-dsv): a quoted label such as "west, central" is one cell.
import { readFileSync } from 'node:fs';
import { csvParse } from 'd3-dsv';

const [file, max = '20'] = process.argv.slice(2);
const rows = csvParse(readFileSync(file, 'utf8'));
const { columns } = rows;
const counts = new Map();
for (const row of rows) counts.set(row.prediction, (counts.get(row.prediction) ?? 0) + 1);
// A Markdown table cell: a pipe or a line break would end the cell or the row.
const cell = (v) => String(v ?? '').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
const lines = [
  `## Predictions: ${rows.length} rows`,
  '',
  `By prediction: ${[...counts].map(([label, n]) => `\`${label}\` ${n}`).join(', ')}`,
  '',
  `| ${columns.map(cell).join(' | ')} |`,
  `|${columns.map(() => '---').join('|')}|`,
  ...rows.slice(0, Number(max)).map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  '',
];
console.log(lines.join('\n'));
