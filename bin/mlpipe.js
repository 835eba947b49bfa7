#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm run build`). `--version` is answered here,
// before any module loads, so that it costs little more than Node's own start-up.
import { readFileSync } from 'node:fs';
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // Node >= 22.1 keeps compiled module code between runs (on GitHub's Node 22 and 24 runners); a
  // default import because Node 20 has no such export, and there the call is skipped.
  module.enableCompileCache?.();
  import('../dist/cli/main.js')
    .then((m) => m.main(process.argv))
    .catch((err) => {
      process.stderr.write(
        `error [E_INTERNAL]: mlpipe cannot start: ${err?.message ?? err}\n  hint: run \`npm run build\` in the mlpipe folder first\n`,
      );
      process.exitCode = 70;
    });
}
