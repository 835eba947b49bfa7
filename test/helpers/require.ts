import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

/**
 * Suites that need a real server or browser (S3, Chromium, pandas, ...) call this. On a bare
 * machine the suite is skipped with its name and the reason printed; in CI (`.ci/run` sets
 * MLPIPE_REQUIRE_ALL=1) a missing component fails the run instead of skipping.
 */
export function describeIf(available: boolean, component: string, name: string, fn: () => void): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (process.env.MLPIPE_REQUIRE_ALL === '1') {
    describe(name, () => {
      throw new Error(`${component} is required in CI (MLPIPE_REQUIRE_ALL=1) but is not available`);
    });
    return;
  }
  process.stderr.write(`skipping suite "${name}": ${component} is not available on this machine\n`);
  describe.skip(name, fn);
}

/**
 * Whether Debian's /usr/bin/python3 can import every module named (e.g. `onnx`, `pandas`): the
 * condition for suites that compare with a Python reference. Checked by importing, not by looking
 * for files, so a PYTHONPATH that shadows a module (scripts/stranger-check.sh) counts as absent.
 */
export function pythonHas(...modules: string[]): boolean {
  const imports = modules.length > 0 ? `import ${modules.join(', ')}` : 'pass';
  return spawnSync('/usr/bin/python3', ['-c', imports], { stdio: 'ignore' }).status === 0;
}
