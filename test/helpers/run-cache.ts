import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.js';

/**
 * In a clone of the golden run-cache project (test/fixtures/dvc/run-cache, metric-cached) whose
 * dvc.lock was removed: `repro --pull` must restore the stage from the remote's run-cache, running
 * nothing, with the outputs DVC's run produced.
 */
export async function expectReproPullRestores(clone: string): Promise<void> {
  const pulled = await runCli(['repro', '--pull'], { cwd: clone });
  expect(pulled.code, pulled.stderr).toBe(0);
  expect(pulled.stdout.split('\n')[0]).toBe("Stage 'count' is cached - skipping run, checking out outputs");
  expect(readFileSync(join(clone, 'count.txt'), 'utf8')).toBe('3\n');
  expect(readFileSync(join(clone, 'metrics.json'), 'utf8')).toBe('{"lines": 3}\n');
}
