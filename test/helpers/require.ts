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
