import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, tempRepo } from '../helpers/tree.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('mlpipe CLI conventions', () => {
  const dir = tempDir();

  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version'], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('--help lists commands, global options and examples on stdout', async () => {
    const r = await runCli(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: mlpipe \[options\] \[command\]/);
    for (const flag of ['--json', '--quiet', '--verbose', '--cwd <dir>', '--version']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('doctor');
    expect(r.stdout).toContain('Examples:');
  });

  it('no arguments prints the help and exits 0', async () => {
    const r = await runCli([], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mlpipe/);
  });

  it('an unknown command is a usage error (exit 2) with a suggestion', async () => {
    const r = await runCli(['docter'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error [E_USAGE]: unknown command 'docter'");
    expect(r.stderr).toContain('Did you mean doctor?');
    expect(r.stderr).toContain('hint: run `mlpipe --help`');
  });

  it('a bad flag is a usage error (exit 2); with --json the error is a JSON document on stdout', async () => {
    const human = await runCli(['doctor', '--bogus'], { cwd: dir });
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("error [E_USAGE]: unknown option '--bogus'");
    const json = await runCli(['--json', 'doctor', '--bogus'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'E_USAGE',
        message: "unknown option '--bogus'",
        hint: 'run `mlpipe --help` (or `mlpipe help COMMAND`) to see the commands and their options',
      },
    });
  });

  it('--json output parses and carries the report; human output is a table', async () => {
    const json = await runCli(['doctor', '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { mlpipe: string; components: { name: string; ok: boolean }[]; repo: null };
    expect(report.mlpipe).toBe(pkg.version);
    expect(report.repo).toBeNull();
    expect(report.components.map((c) => c.name)).toEqual(['node', 'git', 'duckdb', 'onnxruntime-node', 'better-sqlite3']);
    expect(report.components.find((c) => c.name === 'node')?.ok).toBe(true);
    const human = await runCli(['doctor'], { cwd: dir });
    expect(human.stdout.split('\n')[0]).toMatch(/^component\s+status\s+version$/);
    expect(human.stdout).not.toContain('\x1b['); // NO_COLOR / not a TTY: no escape codes
  });

  it('-C/--cwd runs as if started in another folder', async () => {
    const repo = tempRepo({ '.dvc': { config: '' } });
    const r = await runCli(['-C', repo.dir, '--json', 'doctor'], { cwd: dir });
    expect(JSON.parse(r.stdout).repo).toBe(repo.dir);
    repo.cleanup();
  });

  it('--quiet suppresses human output', async () => {
    const r = await runCli(['doctor', '-q'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });
});
