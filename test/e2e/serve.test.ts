import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';
import { linearModel, makeOnnx } from '../unit/serve/fixtures.js';

// `mlpipe serve` as a user runs it: a real process, real sockets on 127.0.0.1, a real HTTP client.

interface Server {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Every JSON log line so far. */
  logs: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, [MLPIPE_BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const ready = logs().find((l) => l.msg === 'model loaded, ready');
      const listening = logs().find((l) => l.msg === 'listening');
      if (ready && listening) {
        clearInterval(timer);
        resolve({ child, url: String(listening.url), logs, exited });
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`mlpipe serve exited with ${code}: ${err}${out}`));
    });
  });
}

let root: string;
const servers: Server[] = [];
beforeAll(() => {
  root = tempDir();
  linearModel(join(root, 'iris'));
});
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const JSON_CT = { 'content-type': 'application/json' };
const ROWS = { dataframe_records: [{ x1: 1, x2: 2, color: 'red' }, { x1: 5, x2: null, color: 'blue' }] };

describe('mlpipe serve (real HTTP)', () => {
  it('scores over HTTP with both protocols, logs each request as JSON, and exits 0 on SIGTERM', async () => {
    const s = await startServer(['--model', join(root, 'iris'), '--max-body', '4096']);
    servers.push(s);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ping = await fetch(`${s.url}/ping`);
    expect([ping.status, await ping.text()]).toEqual([200, '\n']);
    const mlflow = await fetch(`${s.url}/invocations`, { method: 'POST', headers: JSON_CT, body: JSON.stringify(ROWS) });
    expect([mlflow.status, await mlflow.text()]).toEqual([200, '{"predictions":["versicolor","virginica"]}']);
    const csv = await fetch(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'x1,x2,color\n1,2,red\n' });
    expect(await csv.json()).toEqual({ predictions: ['versicolor'] });
    const v2 = await fetch(`${s.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ id: 'a', inputs: [{ name: 'input-0', shape: [1, 3], datatype: 'BYTES', data: [1, 2, 'red'] }], outputs: [{ name: 'label' }] }),
    });
    const meta = JSON.parse(readFileSync(join(root, 'iris', 'model.json'), 'utf8')) as { version: string };
    expect(await v2.json()).toEqual({ model_name: 'iris', model_version: meta.version, id: 'a', outputs: [{ name: 'label', shape: [1], datatype: 'BYTES', data: ['versicolor'] }] });
    const bad = await fetch(`${s.url}/invocations`, { method: 'POST', headers: JSON_CT, body: '{"instances": [[1, 2' });
    expect(bad.status).toBe(400);
    const big = await fetch(`${s.url}/invocations`, { method: 'POST', headers: JSON_CT, body: 'x'.repeat(5000) });
    expect([big.status, ((await big.json()) as { message: string }).message]).toEqual([413, 'the request body exceeds the 4096-byte limit (--max-body)']);
    expect((await fetch(`${s.url}/metrics`).then((r) => r.text())).split('\n')).toContain('mlpipe_http_requests_total{route="/invocations",status="200"} 2');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const access = s.logs().filter((l) => l.msg === 'request');
    expect(access.slice(0, 3).map((l) => [l.method, l.url, l.status])).toEqual([
      ['GET', '/ping', 200],
      ['POST', '/invocations', 200],
      ['POST', '/invocations', 200],
    ]);
    expect(typeof access[0]!.ms).toBe('number');
    expect(s.logs().at(-1)!.msg).toBe('stopped');
  });

  it('requires the token from MLPIPE_SERVE_TOKEN, except on health probes', async () => {
    const s = await startServer(['--model', join(root, 'iris')], { MLPIPE_SERVE_TOKEN: 'tok' });
    servers.push(s);
    expect((await fetch(`${s.url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${s.url}/invocations`, { method: 'POST', headers: JSON_CT, body: JSON.stringify(ROWS) })).status).toBe(401);
    const ok = await fetch(`${s.url}/invocations`, { method: 'POST', headers: { ...JSON_CT, authorization: 'Bearer tok' }, body: JSON.stringify(ROWS) });
    expect(ok.status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('serves a model exported by another tool (a bare .onnx file)', async () => {
    const file = join(root, 'exported.onnx');
    makeOnnx('tree', file);
    const s = await startServer(['--model', file]);
    servers.push(s);
    const meta = (await fetch(`${s.url}/v2/models/exported`).then((r) => r.json())) as { inputs: unknown[] };
    expect(meta.inputs).toEqual([
      { name: 'f0', datatype: 'FP64', shape: [-1] },
      { name: 'f1', datatype: 'FP64', shape: [-1] },
      { name: 'f2', datatype: 'FP64', shape: [-1] },
    ]);
    const res = await fetch(`${s.url}/invocations`, { method: 'POST', headers: JSON_CT, body: '{"inputs": [[0, 5, 0], [2, 0, 1]]}' });
    expect(await res.text()).toBe('{"predictions":[11,23]}');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('fails to start with E_MODEL when the model is broken', async () => {
    const dir = join(root, 'empty');
    writeFileSync(join(root, 'x.txt'), '');
    await expect(startServer(['--model', dir])).rejects.toThrow(/exited with 14/);
  });

  it('refuses --max-body 1e99, or above 1 GiB, with E_USAGE (exit 2) before listening', async () => {
    const huge = await runCli(['serve', '--model', join(root, 'iris'), '--port', '0', '--max-body', '1e99', '--json']);
    expect([huge.code, JSON.parse(huge.stdout).error]).toMatchObject([2, { code: 'E_USAGE', message: 'invalid value "1e99" for --max-body' }]);
    const big = await runCli(['serve', '--model', join(root, 'iris'), '--port', '0', '--max-body', '2GiB', '--json']);
    expect([big.code, JSON.parse(big.stdout).error]).toMatchObject([2, { code: 'E_USAGE', message: '--max-body must be a whole number of bytes from 1 to 1073741824 (1 GiB), got 2147483648' }]);
  });
});

/** Polls `done` every 50 ms until it holds (a loaded machine may take seconds), or fails naming `what`. */
async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A POST whose headers are sent now and whose body is sent when `send` is called; `continued`
 * resolves when the server has read the headers (its "100 Continue" answer to `Expect`).
 */
function deferredPost(url: string, body: string): { send: () => void; continued: Promise<void>; response: Promise<{ status: number; body: string }> } {
  const req = request(url, { method: 'POST', headers: { ...JSON_CT, 'content-length': Buffer.byteLength(body), expect: '100-continue' } });
  const continued = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  req.flushHeaders();
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  return { send: () => req.end(body), continued, response };
}

describe('graceful shutdown and hot reload under load', () => {
  it('finishes requests in flight at SIGTERM, refuses new connections, then exits 0', async () => {
    const s = await startServer(['--model', join(root, 'iris')]);
    servers.push(s);
    const inflight = Array.from({ length: 20 }, () => deferredPost(`${s.url}/invocations`, JSON.stringify(ROWS)));
    // Each request asked `Expect: 100-continue`: its "100 Continue" says the server has read its headers.
    await Promise.all(inflight.map((r) => r.continued));
    s.child.kill('SIGTERM');
    const ping = () => fetch(`${s.url}/ping`).then(
      (r) => r.status,
      () => 'refused',
    );
    await until(async () => (await ping()) === 'refused', 'the server to stop accepting connections after SIGTERM');
    for (const r of inflight) r.send();
    const results = await Promise.all(inflight.map((r) => r.response));
    expect(results).toEqual(Array.from({ length: 20 }, () => ({ status: 200, body: '{"predictions":["versicolor","virginica"]}' })));
    expect(await s.exited).toBe(0);
  });

  it('reloads atomically on SIGHUP and /admin/reload while under load: no failed request, versions only move forward', async () => {
    const dir = join(root, 'live');
    const metaA = linearModel(dir);
    const s = await startServer(['--model', dir, '--name', 'live']);
    servers.push(s);
    const seen: string[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const body = JSON.stringify({ inputs: [{ name: 'm', shape: [1, 3], datatype: 'BYTES', data: [1, 2, 'red'] }] });
    const client = async () => {
      while (!stop) {
        const res = await fetch(`${s.url}/v2/models/live/infer`, { method: 'POST', headers: JSON_CT, body }).catch((e: unknown) => e);
        if (!(res instanceof Response) || res.status !== 200) {
          failures.push(res instanceof Response ? await res.text() : res);
          continue;
        }
        const out = (await res.json()) as { model_version: string; outputs: { data: string[] }[] };
        seen.push(`${out.model_version}:${out.outputs[0]!.data[0]}`);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const publish = (version: string, classes: string[]) => {
      const meta = { ...metaA, version, classes };
      writeFileSync(join(dir, 'model.json.tmp'), JSON.stringify(meta));
      // Atomic replace, as a deploy step would do.
      renameSync(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
    };
    await until(() => seen.length >= 5, 'answers from the first model');
    publish('v2', ['A', 'B', 'C']);
    s.child.kill('SIGHUP');
    await until(() => seen.includes('v2:B'), 'answers from v2 after SIGHUP');
    publish('v3', ['X', 'Y', 'Z']);
    const reload = await fetch(`${s.url}/admin/reload`, { method: 'POST' }).then((r) => r.json());
    expect(reload).toEqual({ name: 'live', version: 'v3', previousVersion: 'v2' });
    await until(() => seen.includes('v3:Y'), 'answers from v3 after /admin/reload');
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    // Each response is consistent (version and labels from the same model) and versions never go back.
    const order = [`${metaA.version}:versicolor`, 'v2:B', 'v3:Y'];
    const ranks = seen.map((v) => order.indexOf(v));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect(new Set(seen)).toEqual(new Set(order));
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
