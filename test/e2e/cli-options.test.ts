import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';

/**
 * Flag values are parsed by one set of typed parsers (src/cli/options.ts): a bad value is E_USAGE
 * (exit 2) naming the flag, before any work starts, in every command. And --help/--version after a
 * command that does not exist are usage errors, not help (issue #12 item 17).
 */
describe('CLI flag values and command paths', () => {
  const dir = tempDir();
  const jsonError = async (...args: string[]) => {
    const r = await runCli(['--json', ...args], { cwd: dir });
    return { code: r.code, error: JSON.parse(r.stdout).error as { code: string; message: string; expected?: string } };
  };

  it('a bad number, port, size or choice is E_USAGE (exit 2) in every command', async () => {
    const cases: [string[], string, string][] = [
      [['serve', '-m', 'model', '--port', 'x'], 'invalid value "x" for --port', 'a port number from 0 to 65535 (0: any free port)'],
      [['remote', 'serve', '--dir', 'store', '--port', 'x'], 'invalid value "x" for --port', 'a port number from 0 to 65535 (0: any free port)'],
      [['remote', 'serve', '--dir', 'store', '--max-size', '1e9'], 'invalid value "1e9" for --max-size', 'a size in bytes such as 1048576, 512KiB, 90MiB or 2GiB (at least 1)'],
      [['serve', '-m', 'model', '--max-body', '1e99'], 'invalid value "1e99" for --max-body', 'a size in bytes such as 1048576, 512KiB, 90MiB or 2GiB (at least 1)'],
      [['serve', '-m', 'model', '--max-rows', '0'], 'invalid value "0" for --max-rows', 'a whole number >= 1'],
      [['metrics', 'show', '--precision', 'abc'], 'invalid value "abc" for --precision', 'a whole number from 0 to 100'],
      [['metrics', 'diff', '--precision', '200'], 'invalid value "200" for --precision', 'a whole number from 0 to 100'],
      [['push', '-j', '0'], 'invalid value "0" for --jobs', 'a whole number >= 1'],
      [['pull', '--jobs', 'many'], 'invalid value "many" for --jobs', 'a whole number >= 1'],
      [['predict', '-m', 'model', 'rows.csv', '--batch-size', '1.5'], 'invalid value "1.5" for --batch-size', 'a whole number >= 1'],
      [['exp', 'show', '--sort-order', 'up'], 'invalid value "up" for --sort-order', 'one of asc, desc'],
    ];
    const results = await Promise.all(cases.map(([args]) => jsonError(...args)));
    expect(results).toEqual(cases.map(([, message, expected]) => ({ code: 2, error: expect.objectContaining({ code: 'E_USAGE', message, expected }) })));
  });

  it('--version or --help after an unknown command is E_USAGE (exit 2), not version or help', async () => {
    const [register, nosuch, sub, help] = await Promise.all([
      runCli(['modelz', 'register', '--version', 'v1'], { cwd: dir }),
      runCli(['nosuch', '--help'], { cwd: dir }),
      runCli(['remote', 'nosuch', '--version'], { cwd: dir }),
      runCli(['help', 'nosuch'], { cwd: dir }),
    ]);
    expect([register.code, register.stdout]).toEqual([2, '']);
    expect(register.stderr).toContain("error [E_USAGE]: unknown command 'modelz'");
    expect([nosuch.code, nosuch.stdout]).toEqual([2, '']);
    expect(nosuch.stderr).toContain("error [E_USAGE]: unknown command 'nosuch'");
    expect([sub.code, sub.stdout]).toEqual([2, '']);
    expect(sub.stderr).toContain("error [E_USAGE]: unknown command 'nosuch'");
    expect([help.code, help.stdout]).toEqual([2, '']);
    expect(help.stderr).toContain("error [E_USAGE]: unknown command 'nosuch'");
  });

  it('a command group without its sub-command prints its help (with --json: E_USAGE naming the sub-commands)', async () => {
    const [metrics, remote, json, quiet, bare] = await Promise.all([
      runCli(['metrics'], { cwd: dir }),
      runCli(['remote'], { cwd: dir }),
      jsonError('remote'),
      runCli(['-q'], { cwd: dir }),
      jsonError(),
    ]);
    expect([quiet.code, quiet.stderr, quiet.stdout.startsWith('Usage: mlpipe [options] [command]\n')]).toEqual([0, '', true]);
    expect(bare).toEqual({ code: 2, error: expect.objectContaining({ code: 'E_USAGE', message: 'mlpipe needs a command', hint: 'run `mlpipe --help` to see them' }) });
    expect([metrics.code, metrics.stderr]).toEqual([0, '']);
    expect(metrics.stdout).toMatch(/^Usage: mlpipe metrics \[options\] \[command\]\n/);
    expect(metrics.stdout).toContain('show [options] [targets...]');
    expect(metrics.stdout).not.toContain('outputHelp');
    expect([remote.code, remote.stderr]).toEqual([0, '']);
    expect(remote.stdout).toMatch(/^Usage: mlpipe remote \[options\] \[command\]\n/);
    expect(json).toEqual({
      code: 2,
      error: expect.objectContaining({
        code: 'E_USAGE',
        message: 'mlpipe remote needs a sub-command',
        expected: 'add, modify, list, remove, rename, default, serve',
        hint: 'run `mlpipe remote --help` to see them',
      }),
    });
  });
});
