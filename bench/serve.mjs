// Issues 8 and 15: online serving throughput and latency. Loads `mlpipe serve` (100-tree boosting
// model, 20 features, access log on; and apart, the same server with --no-access-log) with wrk (-t2, 50 connections) on 127.0.0.1, with single-row
// and 100-row MLflow requests, and, as the ceiling, a bare node:http server that returns a fixed
// JSON body of the same size. Rounds alternate ceiling / mlpipe. Reports req/s, p50/p99 latency and
// the ratio mlpipe/ceiling; saves bench/results/serve-1-row.json and serve-100-rows.json.
// wrk, not autocannon: autocannon's single-threaded client saturates before a bare node:http server
// does and so flattered the ratio (1.16 with autocannon vs 0.34 with wrk, same build). Both servers
// get the same core budget: each is pinned to CPU 0 (taskset), wrk to the other CPUs, so mlpipe's
// scoring thread cannot borrow the core the load generator needs.
// Env: BENCH_SECONDS (per run, default 3), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 50),
// BENCH_ROWS (request sizes, default 1,100).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLPIPE, machine, median, save } from './lib/harness.mjs';
import { boostingModel, rng } from './lib/model-fixture.mjs';

/** The 1, 5 and 15-minute load averages, recorded with each result (the machine is shared). */
const readLoad = () => loadavg().map((l) => Math.round(l * 100) / 100);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROWS = (process.env.BENCH_ROWS ?? '1,100').split(',').map(Number);

const work = mkdtempSync(join(tmpdir(), 'mlpipe-bench-serve-'));
const { dir, names } = boostingModel(join(work, 'boost'));

const CPUS = cpus().length;
const SERVER_CPU = '0';
const CLIENT_CPUS = CPUS > 1 ? `1-${CPUS - 1}` : '0';
const TASKSET = spawnSync('taskset', ['-V']).status === 0;
const pinned = (cpuList, argv) => (TASKSET ? ['taskset', '-c', cpuList, ...argv] : argv);

/**
 * Starts a pinned server whose stdout (mlpipe's access log: one JSON line per request) goes to a
 * file, as a deployed server's log would: the server pays for its own log writes on its own core,
 * and no reader process (nor a full pipe) sits between it and the disk. Resolves once `readyLine`
 * (which captures the port) appears in the file.
 */
async function start(argv, readyLine, logName) {
  const log = join(work, `${logName}.log`);
  const fd = openSync(log, 'w');
  const [cmd, ...args] = pinned(SERVER_CPU, [process.execPath, ...argv]);
  const child = spawn(cmd, args, { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  let exited;
  child.on('exit', (code) => (exited = code));
  for (;;) {
    const m = readyLine.exec(readFileSync(log, 'utf8'));
    if (m) return { child, port: Number(m[1]) };
    if (exited !== undefined) throw new Error(`${argv.join(' ')} exited with ${exited}\n${readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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

if (spawnSync('wrk', ['-v']).error) throw new Error('wrk is not installed (Debian: apt-get install wrk)');

/** wrk's latency with its unit, in milliseconds. */
function ms(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`unreadable wrk latency ${text}`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/**
 * One wrk run posting `body` (wrk takes a POST body from a Lua script) at `server`. Also reports the
 * share of a core the server used: near 100% means the server, not the client, was the limit.
 */
async function load(server, body) {
  const port = server.port;
  const cpu0 = cpuSeconds(server.child.pid);
  const script = join(work, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  const argv = pinned(CLIENT_CPUS, ['wrk', '-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, `http://127.0.0.1:${port}/invocations`]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`wrk failed (${code}): ${err}`);
  const reqs = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  if (!reqs || !p50 || !p99) throw new Error(`unreadable wrk output:\n${out}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const errors = /Socket errors:.*?timeout (\d+)/.exec(out);
  const seconds = Number(/requests in ([\d.]+)s/.exec(out)?.[1] ?? SECONDS);
  const cpu = cpuSeconds(server.child.pid) - cpu0;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  return { server_cpu_percent: Math.round((100 * cpu) / seconds), cpu_us_per_request: (cpu * 1e6) / requests, req_per_s: Number(reqs[1]), p50_ms: ms(p50[1]), p99_ms: ms(p99[1]), non2xx: Number(non2xx?.[1] ?? 0) + Number(errors?.[1] ?? 0) };
}

const random = rng(42);
function requestBody(rows) {
  const data = Array.from({ length: rows }, () => names.map(() => Math.round((random() * 4 - 2) * 1000) / 1000));
  return JSON.stringify({ dataframe_split: { columns: names, data } });
}

const mlpipeArgv = [MLPIPE, 'serve', '--model', dir, '--port', '0'];
const server = await start(mlpipeArgv, /"port":(\d+)/, 'mlpipe');
// The same server without its access log, measured apart (a deployment may log at the proxy).
const quietArgv = [...mlpipeArgv, '--no-access-log'];
const quiet = await start(quietArgv, /"port":(\d+)/, 'mlpipe-no-log');
// The model loads after the server listens: wait for readiness.
for (const s of [server, quiet]) while ((await fetch(`http://127.0.0.1:${s.port}/v2/health/ready`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
try {
  for (const rows of ROWS) {
    const body = requestBody(rows);
    const reply = await fetch(`http://127.0.0.1:${server.port}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const replyBody = await reply.text();
    if (reply.status !== 200) throw new Error(`mlpipe answered ${reply.status}: ${replyBody}`);
    const ceiling = await start(['-e', CEILING, replyBody], /"port":(\d+)/, `ceiling-${rows}`);
    const runs = { ceiling: [], mlpipe: [], mlpipe_no_access_log: [] };
    const loadBefore = readLoad();
    try {
      for (let i = 0; i < ROUNDS; i++) {
        runs.ceiling.push(await load(ceiling, body));
        runs.mlpipe.push(await load(server, body));
        runs.mlpipe_no_access_log.push(await load(quiet, body));
      }
    } finally {
      ceiling.child.kill();
    }
    const summary = (rs) => ({
      req_per_s: median(rs.map((r) => r.req_per_s)),
      p50_ms: median(rs.map((r) => r.p50_ms)),
      p99_ms: median(rs.map((r) => r.p99_ms)),
      non2xx: rs.reduce((s, r) => s + r.non2xx, 0),
      server_cpu_percent: median(rs.map((r) => r.server_cpu_percent)),
      cpu_us_per_request: median(rs.map((r) => r.cpu_us_per_request)),
    });
    const result = {
      name: `serve-${rows === 1 ? '1-row' : `${rows}-rows`}`,
      description: `wrk -t2 -c${CONNECTIONS}: POST /invocations with ${rows} row(s) of 20 floats, 100-tree boosting model, ${SECONDS} s per run, each server pinned to one CPU; ceiling = bare node:http returning the same ${replyBody.length}-byte body`,
      date: new Date().toISOString(),
      machine: machine(),
      runs: ROUNDS,
      commands: {
        load: `${TASKSET ? `taskset -c ${CLIENT_CPUS} ` : ''}wrk -t2 -c${CONNECTIONS} -d${SECONDS}s --latency -s post.lua`,
        mlpipe: `${TASKSET ? `taskset -c ${SERVER_CPU} ` : ''}node ${mlpipeArgv.join(' ')}`,
        mlpipe_no_access_log: `${TASKSET ? `taskset -c ${SERVER_CPU} ` : ''}node ${quietArgv.join(' ')}`,
        ceiling: `${TASKSET ? `taskset -c ${SERVER_CPU} ` : ''}node -e <bare node:http, fixed body>`,
      },
      load_average: { before: loadBefore, after: readLoad() },
      raw: runs,
      medians: { mlpipe: summary(runs.mlpipe), ceiling: summary(runs.ceiling), mlpipe_no_access_log: summary(runs.mlpipe_no_access_log) },
    };
    result.ratio = result.medians.mlpipe.req_per_s / result.medians.ceiling.req_per_s;
    // On a shared machine neither server may get a whole core, so req/s can be capped by the load
    // generator or the neighbours; CPU time per request is the capacity figure that load does not move.
    result.cpu_ratio = result.medians.ceiling.cpu_us_per_request / result.medians.mlpipe.cpu_us_per_request;
    result.ratio_no_access_log = result.medians.mlpipe_no_access_log.req_per_s / result.medians.ceiling.req_per_s;
    result.cpu_ratio_no_access_log = result.medians.ceiling.cpu_us_per_request / result.medians.mlpipe_no_access_log.cpu_us_per_request;
    save(result);
    const row = (n, s) => `  ${n.padEnd(8)} ${s.req_per_s.toFixed(0).padStart(7)} req/s  p50 ${s.p50_ms} ms  p99 ${s.p99_ms} ms  errors ${s.non2xx}  server CPU ${s.server_cpu_percent}%, ${s.cpu_us_per_request.toFixed(1)} us/request`;
    console.log(
      `${result.name}: median of ${ROUNDS} runs, load ${loadBefore?.join(' ')} -> ${result.load_average.after?.join(' ')}\n${row('mlpipe', result.medians.mlpipe)}\n${row('no log', result.medians.mlpipe_no_access_log)}\n${row('ceiling', result.medians.ceiling)}\n  ratio mlpipe/ceiling: ${result.ratio.toFixed(2)} in req/s, ${result.cpu_ratio.toFixed(2)} in requests per CPU-second (without the access log: ${result.ratio_no_access_log.toFixed(2)}, ${result.cpu_ratio_no_access_log.toFixed(2)})`,
    );
  }
} finally {
  quiet.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
