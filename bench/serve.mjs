// Issue 8: online serving throughput and latency. Loads `mlpipe serve` (100-tree boosting model,
// 20 features, access log on) with autocannon at 50 connections on 127.0.0.1, with single-row and
// 100-row MLflow requests, and, as the ceiling, a bare node:http server that returns a fixed JSON
// body of the same size. Rounds alternate ceiling / mlpipe. Reports req/s, p50/p99 latency and the
// ratio mlpipe/ceiling; saves bench/results/serve-1-row.json and serve-100-rows.json.
// Env: BENCH_SECONDS (per run, default 3), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 50).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MLPIPE, machine, median, save } from './lib/harness.mjs';
import { boostingModel, rng } from './lib/model-fixture.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const work = mkdtempSync(join(tmpdir(), 'mlpipe-bench-serve-'));
const { dir, names } = boostingModel(join(work, 'boost'));

function start(argv, readyLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const onData = (d) => {
      buf += d;
      const m = readyLine.exec(buf);
      if (m) {
        // Keep draining stdout (access logs) so the server never blocks on a full pipe.
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited with ${code}\n${buf}`)));
  });
}

// The ceiling: node:http doing no work but answering the same bytes.
const CEILING = `
const http = require('node:http');
const body = process.argv[1];
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.statusCode = 200; res.setHeader('content-type', 'application/json'); res.end(body); });
}).listen(0, '127.0.0.1', function () { console.log('"port":' + this.address().port); });
`;

function load(port, body) {
  return autocannon({
    url: `http://127.0.0.1:${port}/invocations`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
}

const random = rng(42);
function requestBody(rows) {
  const data = Array.from({ length: rows }, () => names.map(() => Math.round((random() * 4 - 2) * 1000) / 1000));
  return JSON.stringify({ dataframe_split: { columns: names, data } });
}

const mlpipeArgv = [MLPIPE, 'serve', '--model', dir, '--port', '0'];
const server = await start(mlpipeArgv, /"port":(\d+)/);
// The model loads after the server listens: wait for readiness.
while ((await fetch(`http://127.0.0.1:${server.port}/v2/health/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
try {
  for (const rows of [1, 100]) {
    const body = requestBody(rows);
    const reply = await fetch(`http://127.0.0.1:${server.port}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const replyBody = await reply.text();
    if (reply.status !== 200) throw new Error(`mlpipe answered ${reply.status}: ${replyBody}`);
    const ceiling = await start(['-e', CEILING, replyBody], /"port":(\d+)/);
    const runs = { ceiling: [], mlpipe: [] };
    try {
      for (let i = 0; i < ROUNDS; i++) {
        runs.ceiling.push(await load(ceiling.port, body));
        runs.mlpipe.push(await load(server.port, body));
      }
    } finally {
      ceiling.child.kill();
    }
    const summary = (rs) => ({
      req_per_s: median(rs.map((r) => r.requests.average)),
      p50_ms: median(rs.map((r) => r.latency.p50)),
      p99_ms: median(rs.map((r) => r.latency.p99)),
      non2xx: rs.reduce((s, r) => s + r.non2xx + r.errors, 0),
    });
    const result = {
      name: `serve-${rows === 1 ? '1-row' : `${rows}-rows`}`,
      description: `POST /invocations with ${rows} row(s) of 20 floats, 100-tree boosting model, ${CONNECTIONS} connections, ${SECONDS} s per run; ceiling = bare node:http returning the same ${replyBody.length}-byte body`,
      date: new Date().toISOString(),
      machine: machine(),
      runs: ROUNDS,
      commands: { mlpipe: `node ${mlpipeArgv.join(' ')}`, ceiling: 'node -e <bare node:http, fixed body>' },
      medians: { mlpipe: summary(runs.mlpipe), ceiling: summary(runs.ceiling) },
    };
    result.ratio = result.medians.mlpipe.req_per_s / result.medians.ceiling.req_per_s;
    save(result);
    const row = (n, s) => `  ${n.padEnd(8)} ${s.req_per_s.toFixed(0).padStart(7)} req/s  p50 ${s.p50_ms} ms  p99 ${s.p99_ms} ms  errors ${s.non2xx}`;
    console.log(`${result.name}: median of ${ROUNDS} runs\n${row('mlpipe', result.medians.mlpipe)}\n${row('ceiling', result.medians.ceiling)}\n  ratio mlpipe/ceiling: ${result.ratio.toFixed(2)}`);
  }
} finally {
  server.child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
