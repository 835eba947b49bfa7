/**
 * Exit codes a CI job relies on: `status -q` answers by its exit code as DVC does (fixture
 * cli-exit-codes), and `push` fails when an object it should push exists nowhere (a deliberate
 * departure from DVC, which warns and exits 0: the publish job would commit metadata for lost data).
 * Also the CI summary scripts, which parse CSV with a real parser.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, tempRepo, writeTree } from '../helpers/tree.js';

const SCRIPTS = fileURLToPath(new URL('../../scripts/ci/', import.meta.url));

describe('exit codes for CI', { timeout: 60_000 }, () => {
  it('status -q exits 1 when data or the remote is out of sync, 0 when clean, printing nothing', async () => {
    const repo = tempRepo({ 'README.md': 'x\n' });
    writeTree(repo.dir, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
    expect((await mlpipe('init')).code).toBe(0);
    expect((await mlpipe('add', 'a.txt', 'b.txt')).code).toBe(0);
    expect(await mlpipe('status', '-q')).toEqual({ code: 0, stdout: '', stderr: '' });
    writeFileSync(join(repo.dir, 'a.txt'), 'changed\n');
    expect(await mlpipe('status', '-q')).toEqual({ code: 1, stdout: '', stderr: '' });
    expect((await mlpipe('status')).code).toBe(0);
    expect((await mlpipe('--json', 'status')).code).toBe(0);

    const remote = join(tempDir(), 'remote');
    expect((await mlpipe('remote', 'add', '-d', 'storage', remote)).code).toBe(0);
    expect(await mlpipe('status', '-c', '-q')).toEqual({ code: 1, stdout: '', stderr: '' });
    writeFileSync(join(repo.dir, 'a.txt'), 'a\n');
    expect((await mlpipe('push')).code).toBe(0);
    expect(await mlpipe('status', '-c', '-q')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('push fails with E_MISSING_CACHE when an object is in neither the cache nor the remote; --allow-missing warns as DVC', async () => {
    const repo = tempRepo({ 'README.md': 'x\n' });
    writeTree(repo.dir, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const mlpipe = (...args: string[]) => runCli(args, { cwd: repo.dir });
    expect((await mlpipe('init')).code).toBe(0);
    expect((await mlpipe('add', 'a.txt', 'b.txt')).code).toBe(0);
    expect((await mlpipe('remote', 'add', '-d', 'storage', join(tempDir(), 'remote'))).code).toBe(0);
    // b.txt's object is lost from the cache (md5 of "b\n").
    const obj = join(repo.dir, '.dvc/cache/files/md5/3b/5d5c3712955042212316173ccf37be');
    chmodSync(obj, 0o644);
    rmSync(obj);
    const strict = await mlpipe('push');
    expect(strict.code).toBe(8);
    expect(strict.stderr.split('\n')[0]).toBe("error [E_MISSING_CACHE]: 1 object is neither in the cache nor on remote 'storage', 1 pushed");
    expect(strict.stderr).toContain('  received: b.txt\n');
    const lenient = await mlpipe('push', '--allow-missing');
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toBe("warning: 1 object is neither in the cache nor on remote 'storage': b.txt\n");
    expect(lenient.stdout).toBe('Everything is up to date.\n');
  });

  it('the predictions summary parses quoted CSV fields (a label with a comma stays one cell)', () => {
    const csv = join(tempDir(), 'p.csv');
    writeFileSync(csv, 'prediction,"proba_west, central",proba_east\n"west, central",0.75,0.25\neast,0.1,0.9\n"a|b",0.5,0.5\n');
    const md = execFileSync(process.execPath, [join(SCRIPTS, 'predictions-summary.mjs'), csv], { encoding: 'utf8' });
    expect(md).toBe(
      [
        '## Predictions: 3 rows',
        '',
        'By prediction: `west, central` 1, `east` 1, `a|b` 1',
        '',
        '| prediction | proba_west, central | proba_east |',
        '|---|---|---|',
        '| west, central | 0.75 | 0.25 |',
        '| east | 0.1 | 0.9 |',
        '| a\\|b | 0.5 | 0.5 |',
        '',
        '',
      ].join('\n'),
    );
  });
});
