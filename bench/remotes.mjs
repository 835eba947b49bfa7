// Issue 18: push and pull speed of the gs, azure, ssh and s3 remotes against the local folder remote
// (the baseline: same data, same mlpipe, no network). Two data sets: 1,000 small objects (4 KiB
// each, BENCH_SMALL_FILES / BENCH_SMALL_KIB) and a few larger ones (4 x 16 MiB, BENCH_LARGE_FILES /
// BENCH_LARGE_MIB). Median of BENCH_RUNS (3) interleaved runs; each result also records MiB/s.
// Servers: Azurite (npm) and sshd are started here on free loopback ports; S3 is radosgw at
// MLPIPE_TEST_S3_ENDPOINT and GCS the emulator at MLPIPE_TEST_GCS_ENDPOINT (skipped when unset).
// Goal (issue 18): a push of 1,000 small objects to Azurite or radosgw at most 2x slower than to a
// folder, i.e. ratio (baseline/mlpipe) >= 0.5. BENCH_REMOTES=azure,s3 limits the remotes,
// BENCH_SETS=small (or large) the data sets.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { MLPIPE, REPO_DIR, compare, save } from './lib/harness.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const SETS = [
  { name: 'small', files: Number(process.env.BENCH_SMALL_FILES ?? 1000), bytes: Number(process.env.BENCH_SMALL_KIB ?? 4) * 1024 },
  { name: 'large', files: Number(process.env.BENCH_LARGE_FILES ?? 4), bytes: Number(process.env.BENCH_LARGE_MIB ?? 16) * 2 ** 20 },
].filter((set) => (process.env.BENCH_SETS ?? 'small,large').split(',').includes(set.name));
const wanted = new Set((process.env.BENCH_REMOTES ?? 'azure,s3,gs,ssh').split(','));
const root = mkdtempSync(join(tmpdir(), 'mlpipe-bench-remotes-'));
const env = { ...process.env, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});
const mlpipe = (args, cwd) => execFileSync('node', [MLPIPE, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(port) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((resolve) => {
      const sock = createConnection({ port, host: '127.0.0.1' });
      sock.once('error', () => resolve(false));
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Each remote: how to add it to a project (`setup(project, prefix)` returns `remote add/modify` argv lists). */
const remotes = {};
if (wanted.has('azure')) {
  const port = await freePort();
  const dir = join(root, 'azurite');
  mkdirSync(dir);
  children.push(
    spawn(join(REPO_DIR, 'node_modules', '.bin', 'azurite-blob'), ['--silent', '--disableTelemetry', '--skipApiVersionCheck', '--location', dir, '--blobHost', '127.0.0.1', '--blobPort', String(port)], { stdio: 'ignore' }),
  );
  await waitFor(port);
  const key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
  const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
  const { BlobServiceClient } = await import('@azure/storage-blob');
  await BlobServiceClient.fromConnectionString(cs).getContainerClient('bench').createIfNotExists();
  remotes.azure = (p) => [['remote', 'add', '-f', 'r', `azure://bench/${p}`], ['remote', 'modify', '--local', 'r', 'connection_string', cs]];
}
if (wanted.has('s3') && process.env.MLPIPE_TEST_S3_ENDPOINT) {
  const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const credentials = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? 'test', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? 'test' };
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
  const bucket = `mlpipe-bench-${process.pid}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  remotes.s3 = (p) => [
    ['remote', 'add', '-f', 'r', `s3://${bucket}/${p}`],
    ['remote', 'modify', 'r', 'endpointurl', endpoint],
    ['remote', 'modify', '--local', 'r', 'access_key_id', credentials.accessKeyId],
    ['remote', 'modify', '--local', 'r', 'secret_access_key', credentials.secretAccessKey],
  ];
}
if (wanted.has('gs') && process.env.MLPIPE_TEST_GCS_ENDPOINT) {
  const bucket = process.env.MLPIPE_TEST_GCS_BUCKET ?? 'mlpipe-test';
  remotes.gs = (p) => [['remote', 'add', '-f', 'r', `gs://${bucket}/bench-${process.pid}/${p}`], ['remote', 'modify', 'r', 'endpointurl', process.env.MLPIPE_TEST_GCS_ENDPOINT]];
}
if (wanted.has('ssh')) {
  const dir = join(root, 'sshd');
  mkdirSync(dir);
  for (const k of ['host_key', 'client_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, k)]);
  execFileSync('cp', [join(dir, 'client_key.pub'), join(dir, 'authorized_keys')]);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config'),
    `ListenAddress 127.0.0.1\nHostKey ${dir}/host_key\nAuthorizedKeysFile ${dir}/authorized_keys\nPidFile ${dir}/pid\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nMaxSessions 40\nLogLevel ERROR\nSubsystem sftp internal-sftp\n`,
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  children.push(spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'config'), '-p', String(port)], { stdio: 'ignore' }));
  await waitFor(port);
  const user = userInfo().username;
  remotes.ssh = (p) => [
    ['remote', 'add', '-f', 'r', `ssh://${user}@127.0.0.1:${port}${join(root, 'sftp', p)}`],
    ['remote', 'modify', 'r', 'keyfile', join(dir, 'client_key')],
    ['remote', 'modify', 'r', 'allow_agent', 'false'],
  ];
}

for (const set of SETS) {
  const project = join(root, `project-${set.name}`);
  const data = join(project, 'data');
  mkdirSync(data, { recursive: true });
  for (let i = 0; i < set.files; i++) writeFileSync(join(data, `part-${String(i).padStart(5, '0')}.bin`), randomBytes(set.bytes));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: project });
  const setup = `import { add, initRepo, openRepo } from ${JSON.stringify(join(REPO_DIR, 'dist', 'index.js'))};
initRepo({ cwd: process.cwd() }); const repo = openRepo(process.cwd()); await add(repo, { targets: ['data'] }); repo.close();`;
  writeFileSync(join(root, 'setup.mjs'), setup);
  execFileSync('node', [join(root, 'setup.mjs')], { cwd: project, env, stdio: 'inherit' });
  mlpipe(['remote', 'add', 'folder', '../folder-remote'], project);
  const folder = join(root, 'folder-remote');
  const mib = (set.files * set.bytes) / 2 ** 20;
  const label = `${set.files} x ${set.bytes >= 2 ** 20 ? `${set.bytes / 2 ** 20} MiB` : `${set.bytes / 1024} KiB`}`;
  const withRate = (result) => {
    result.mib = mib;
    result.mib_per_s = Object.fromEntries(Object.entries(result.median_seconds).map(([n, s]) => [n, mib / s]));
    save(result);
    console.log(`  MiB/s: ${Object.entries(result.mib_per_s).map(([n, r]) => `${n} ${r.toFixed(2)}`).join(', ')}`);
  };
  const emptyLocal = () => execFileSync('sh', ['-c', 'chmod -R u+w .dvc/cache data 2>/dev/null; rm -rf .dvc/cache data'], { cwd: project });
  for (const [kind, setupRemote] of Object.entries(remotes)) {
    let n = 0;
    // Each push goes to a fresh, empty place: a new prefix for the remote, an empty folder.
    const fresh = (name) => {
      if (name.includes('folder')) rmSync(folder, { recursive: true, force: true });
      else for (const args of setupRemote(`${set.name}-${n++}`)) mlpipe(args, project);
    };
    withRate(
      compare({
        name: `remote-push-${kind}-${set.name}`,
        description: `push ${label} (${mib.toFixed(0)} MiB) to the ${kind} remote vs to a local folder remote`,
        runs,
        env,
        cwd: project,
        subjects: { [`mlpipe push -r ${kind}`]: ['node', MLPIPE, 'push', '-r', 'r'], 'mlpipe push -r folder': ['node', MLPIPE, 'push', '-r', 'folder'] },
        before: fresh,
      }),
    );
    // Pull: both remotes hold everything (the last pushes); the cache and workspace start empty.
    withRate(
      compare({
        name: `remote-pull-${kind}-${set.name}`,
        description: `pull ${label} (${mib.toFixed(0)} MiB) from the ${kind} remote vs from a local folder remote, into an empty cache`,
        runs,
        env,
        cwd: project,
        subjects: { [`mlpipe pull -r ${kind}`]: ['node', MLPIPE, 'pull', '-r', 'r'], 'mlpipe pull -r folder': ['node', MLPIPE, 'pull', '-r', 'folder'] },
        before: emptyLocal,
      }),
    );
  }
}
for (const c of children) c.kill('SIGTERM');
rmSync(root, { recursive: true, force: true });
