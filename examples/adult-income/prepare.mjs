// Turns the raw UCI Adult files into clean CSVs with a header: fields are separated by ", " in the
// originals, adult.test starts with a "|1x3 Cross validator" line and its labels end with ".", and
// both files end with a blank line (see ../../NOTICE and raw/adult.names).
// Usage: node prepare.mjs RAW_DIR OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COLUMNS = [
  'age', 'workclass', 'fnlwgt', 'education', 'education-num', 'marital-status', 'occupation',
  'relationship', 'race', 'sex', 'capital-gain', 'capital-loss', 'hours-per-week', 'native-country', 'income',
];
const [rawDir = 'data/raw', outDir = 'data/prepared'] = process.argv.slice(2);

function convert(file, out) {
  const rows = [COLUMNS.join(',')];
  for (const line of readFileSync(join(rawDir, file), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('|')) continue;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== COLUMNS.length) throw new Error(`${file}: expected ${COLUMNS.length} fields: ${line}`);
    fields[14] = fields[14].replace(/\.$/, '');
    // '?' marks a missing value in the originals: write it as an empty field.
    for (let i = 0; i < fields.length; i++) if (fields[i] === '?') fields[i] = '';
    rows.push(fields.join(','));
  }
  writeFileSync(join(outDir, out), `${rows.join('\n')}\n`);
  return rows.length - 1;
}

mkdirSync(outDir, { recursive: true });
const train = convert('adult.data', 'train.csv');
const test = convert('adult.test', 'test.csv');
console.log(`prepared ${train} training rows and ${test} test rows in ${outDir}`);
