import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLPIPE_BIN } from '../../helpers/cli.js';
import { useRepos } from './repos.js';

// Issue #12 item 5: an interrupted repro leaves none of the stage's processes running. The stage
// starts a background child and waits for it, the shape that survived before (`sh -c 'sleep 100 &
// wait'`): the shell was signalled, its child was not.

const { initRepo, children } = useRepos();

/** Alive and not a zombie (an orphan killed in a container whose pid 1 does not reap stays a zombie). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('interrupting repro (issue #12 item 5)', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops the stage command and everything it started`, async () => {
      const t = await initRepo({
        'dvc.yaml': [
          'stages:',
          '  slow:',
          `    cmd: sh -c 'echo $$ > shell.pid; sleep 100 & echo $! > child.pid; wait'`,
          '    outs:',
          '    - out.txt',
          '',
        ].join('\n'),
      });
      const mlpipe = spawn(process.execPath, [MLPIPE_BIN, 'repro'], { cwd: t.dir, stdio: 'ignore' });
      children.push(mlpipe);
      const exited = new Promise<number | null>((r) => mlpipe.once('exit', (code) => r(code)));
      expect(await waitFor(() => existsSync(join(t.dir, 'child.pid')) && readFileSync(join(t.dir, 'child.pid'), 'utf8').endsWith('\n'), 30_000)).toBe(true);
      const shell = Number(readFileSync(join(t.dir, 'shell.pid'), 'utf8'));
      const child = Number(readFileSync(join(t.dir, 'child.pid'), 'utf8'));
      expect(running(child)).toBe(true);
      mlpipe.kill(signal);
      expect(await exited).toBe(130);
      // Give a survivor no excuse: the check waits, it does not race.
      expect(await waitFor(() => !running(child) && !running(shell), 10_000)).toBe(true);
      try {
        process.kill(child, 'SIGKILL');
      } catch {}
    });
  }
});
