import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExposure, isLoopbackHost } from '../../../src/remote/server/exposure.js';
import { MLPIPE_BIN, runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tree.js';

// The token must come from the command line in these tests, never from the engineer's shell.
const ENV = { MLPIPE_REMOTE_TOKEN: '' };

describe('remote serve beyond loopback (issue #12 item 8)', () => {
  it('refuses --host 0.0.0.0 without a token: E_USAGE, exit 2, nothing created, nothing listening', async () => {
    const dir = join(tempDir('mlpipe-serve-'), 'store');
    const r = await runCli(['remote', 'serve', '--dir', dir, '--host', '0.0.0.0', '--port', '0', '--json'], { env: ENV, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('E_USAGE');
    expect(err.message).toBe('refusing to serve uploads on 0.0.0.0 without a token');
    expect(err.hint).toContain('--allow-anonymous-uploads');
    expect(existsSync(dir)).toBe(false);
  });

  it('still starts on 127.0.0.1 without a token (local use stays easy)', async () => {
    const dir = join(tempDir('mlpipe-serve-'), 'store');
    const child = spawn(process.execPath, [MLPIPE_BIN, 'remote', 'serve', '--dir', dir, '--port', '0', '--json'], {
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const started = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', () => out.includes('}') && resolve(true));
      child.once('exit', () => resolve(false));
    });
    child.kill('SIGINT');
    await new Promise((r) => child.once('close', r));
    expect(started).toBe(true);
    expect(JSON.parse(out)).toMatchObject({ dir, token: false });
    expect(JSON.parse(out).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('decides exposure by the address: loopback, token or explicit opt-in pass; anything else is refused', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
    expect(() => checkExposure({ host: '::' })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => checkExposure({ host: '10.0.0.1', token: 't' })).not.toThrow();
    expect(() => checkExposure({ host: '0.0.0.0', allowAnonymousUploads: true })).not.toThrow();
  });
});
