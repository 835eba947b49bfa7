import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLPIPE_BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { linearModel } from '../unit/serve/fixtures.js';

// `mlpipe serve > file`: the access log then writes to the file itself (not through pino's
// asynchronous destination); the lines must be the same, whole, in order, with pino's own lines
// around them.

let root: string;
beforeAll(() => {
  root = tempDir();
  linearModel(join(root, 'iris'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('mlpipe serve with stdout to a file', () => {
  it('logs every request, in order, between "listening" and "stopped"', async () => {
    const path = join(root, 'serve.log');
    const fd = openSync(path, 'w');
    const child = spawn(process.execPath, [MLPIPE_BIN, 'serve', '--port', '0', '--model', join(root, 'iris')], { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let url: string | undefined;
    for (let i = 0; i < 600 && url === undefined; i++) {
      const logged = lines(path);
      const listening = logged.find((l) => l.msg === 'listening');
      if (listening && logged.some((l) => l.msg === 'model loaded, ready')) url = String(listening.url);
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(url, err).toBeDefined();
    const body = JSON.stringify({ dataframe_records: [{ x1: 1, x2: 2, color: 'red' }] });
    const sent: [string, string, number][] = [];
    for (let i = 0; i < 30; i++) {
      const post = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(await post.text()).toBe('{"predictions":["versicolor"]}');
      sent.push(['POST', '/invocations', 200]);
      const missing = await fetch(`${url}/nowhere?i=${i}`);
      await missing.text();
      sent.push(['GET', `/nowhere?i=${i}`, 404]);
    }
    // Some at once, so that one turn's write carries several lines.
    const many = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/ping`).then((r) => r.status)));
    expect(many).toEqual(Array(20).fill(200));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const logged = lines(path);
    const access = logged.filter((l) => l.msg === 'request');
    expect(access.slice(0, 60).map((l) => [l.method, l.url, l.status])).toEqual(sent);
    expect(access.slice(60).map((l) => [l.method, l.url, l.status])).toEqual(Array(20).fill(['GET', '/ping', 200]));
    for (const l of access) {
      expect(Object.keys(l)).toEqual(['level', 'time', 'pid', 'method', 'url', 'status', 'ms', 'msg']);
      expect([l.level, l.pid, typeof l.ms]).toEqual([30, child.pid, 'number']);
    }
    expect(logged.findIndex((l) => l.msg === 'listening')).toBeLessThan(logged.findIndex((l) => l.msg === 'request'));
    expect(logged.at(-1)!.msg).toBe('stopped');
  });
});
