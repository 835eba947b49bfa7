// Runs every benchmark named on the command line (default: all bench/*.mjs), then rewrites the
// results table in bench/README.md. Usage: npm run bench -- startup hashing
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './lib/harness.mjs';

const all = readdirSync(BENCH_DIR).filter((f) => f.endsWith('.mjs') && !['run.mjs', 'report.mjs'].includes(f));
const wanted = process.argv.slice(2);
const chosen = wanted.length ? all.filter((f) => wanted.includes(f.replace(/\.mjs$/, ''))) : all;
let failed = 0;
for (const file of chosen) {
  console.log(`\n### ${file}`);
  const r = spawnSync(process.execPath, [join(BENCH_DIR, file)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
spawnSync(process.execPath, [join(BENCH_DIR, 'report.mjs')], { stdio: 'inherit' });
process.exit(failed ? 1 : 0);
