import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ModelMeta } from '../../src/model/artifact.js';
import { HttpStore } from '../../src/remote/stores/http.js';
import { describeIf } from '../helpers/require.js';
import { tempDir } from '../helpers/tree.js';
import { unprivilegedAvailable, unprivilegedCli } from '../helpers/unprivileged.js';
import { linearModel } from '../unit/serve/fixtures.js';

// Permission problems while serving (issue 12.16): a model the server may not read, a store behind
// `remote serve` it may not write. Each is E_PERMISSION (exit 15) or HTTP 503 with no server path
// in the body, never E_INTERNAL / 500. The CLI runs as a user file modes apply to (helpers/unprivileged.ts).

interface Running {
  child: ChildProcessWithoutNullStreams;
  /** stdout and stderr together. */
  out: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Running {
  const [cmd, ...rest] = unprivilegedCli(args);
  const child = spawn(cmd!, rest, { env: { ...process.env, NO_COLOR: '1', HOME: root }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stdin.end();
  return { child, out: () => out, stdout: () => stdout, exited: new Promise((resolve) => child.on('close', resolve)) };
}

/** Waits until the process prints `pattern`; returns the match. */
async function waitFor(p: Running, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const m = p.out().match(pattern);
    if (m) return m;
    const done = await Promise.race([p.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
    if (done && !p.out().match(pattern)) throw new Error(`exited before printing ${pattern}: ${p.out()}`);
  }
}

let root = '';
const running: Running[] = [];
beforeAll(() => {
  root = tempDir();
  chmodSync(root, 0o755); // mkdtemp makes it 0700: the unprivileged user must reach the models
});
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describeIf(unprivilegedAvailable, 'a process that file permissions apply to (not root, or setpriv from util-linux)', 'permission problems while serving', () => {
  it('an unreadable model folder: predict and serve exit 15 with E_PERMISSION, naming the file', async () => {
    const dir = join(root, 'locked');
    linearModel(dir);
    chmodSync(dir, 0o000);
    const predicted = run(['predict', '--model', dir, '-', '--json']);
    expect(await predicted.exited).toBe(15);
    expect(JSON.parse(predicted.stdout()).error).toMatchObject({ code: 'E_PERMISSION', message: `permission denied reading ${join(dir, 'model.json')}`, received: 'EACCES' });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'model.onnx'), 0o000);
    const served = run(['serve', '--model', dir, '--port', '0', '--json']);
    expect(await served.exited).toBe(15);
    expect(served.out()).toContain(`permission denied reading ${join(dir, 'model.onnx')}`);
  });

  it('a model that turns unreadable before a reload: 503, still serving the old one, no server path in the body', async () => {
    const dir = join(root, 'reload');
    const meta: ModelMeta = linearModel(dir);
    const server = run(['serve', '--model', dir, '--port', '0']);
    running.push(server);
    const url = (await waitFor(server, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/))[1]!;
    await waitFor(server, /model loaded, ready/);
    chmodSync(join(dir, 'model.onnx'), 0o000);
    const reload = await fetch(`${url}/admin/reload`, { method: 'POST' });
    const body = await reload.text();
    expect([reload.status, JSON.parse(body)]).toEqual([
      503,
      { error_code: 'TEMPORARILY_UNAVAILABLE', message: `reload failed, still serving version ${meta.version}: permission denied reading model.onnx` },
    ]);
    expect(body).not.toContain(root);
    const scored = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dataframe_records": [{"x1": 1, "x2": 2, "color": "red"}]}' });
    expect([scored.status, await scored.text()]).toEqual([200, '{"predictions":["versicolor"]}']);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('a read-only store behind `remote serve`: uploads are 503 E_PERMISSION with no path, and the client says E_PERMISSION', async () => {
    const store = join(root, 'store');
    mkdirSync(store, { mode: 0o555 });
    chmodSync(store, 0o555); // readable, not writable, by anyone but root
    const server = run(['remote', 'serve', '--dir', store, '--port', '0', '--json']);
    running.push(server);
    const url = (await waitFor(server, /"url":\s*"(http:\/\/127\.0\.0\.1:\d+)"/))[1]!;
    const oid = 'acbd18db4cc2f85cedef654fccc4a4d8'; // md5("foo")
    const res = await fetch(`${url}/files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, { method: 'PUT', body: 'foo' });
    const body = await res.text();
    expect([res.status, JSON.parse(body)]).toEqual([
      503,
      { error: { code: 'E_PERMISSION', message: "the server's store refused access (permission denied or read-only); its operator must make the folder writable by the user running `mlpipe remote serve`" } },
    ]);
    expect(body).not.toContain(root);
    const file = join(root, 'foo');
    writeFileSync(file, 'foo');
    await expect(new HttpStore({ url }).upload(oid, file, 3)).rejects.toMatchObject({ code: 'E_PERMISSION', message: `remote ${url}: the server's store refused access while uploading ${oid}` });
    expect(readdirSync(store)).toEqual([]);
    server.child.kill('SIGTERM');
    await server.exited;
  });
});
