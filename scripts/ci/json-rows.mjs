// Reads one JSON object or an array of objects on stdin and writes JSON lines, for `mlpipe predict`.
import { readFileSync } from 'node:fs';

const text = readFileSync(0, 'utf8').trim();
let rows;
try {
  rows = JSON.parse(text);
} catch (err) {
  console.error(`the rows are not valid JSON: ${err.message}`);
  process.exit(3);
}
for (const row of Array.isArray(rows) ? rows : [rows]) {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    console.error('each row must be a JSON object of column: value');
    process.exit(3);
  }
  console.log(JSON.stringify(row));
}
