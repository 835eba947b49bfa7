// `npm start`: the main job on the bundled example. Until the end-to-end pipeline lands (issue 9)
// it runs what exists: a health check of the CLI and its engines.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/mlpipe.js', import.meta.url));
const r = spawnSync(process.execPath, [bin, 'doctor'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
