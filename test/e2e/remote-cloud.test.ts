import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServe } from '../helpers/serve.js';
import { describeIf } from '../helpers/require.js';
import { tempRepo } from '../helpers/tree.js';
import { GCS_BUCKET, GCS_ENDPOINT, HAS_SSHD, azureContainer, ensureAzurite, ensureSshd, stopServers } from '../unit/remote/servers.js';

const DATA = 'id,label\n1,a\n2,b\n';
const DATA_MD5 = createHash('md5').update(DATA).digest('hex');

/**
 * `remote add` + `remote modify` as a user types them, then push from one clone and pull into
 * another: the options in .dvc/config(.local) reach the store (credentials, ports, key files).
 */
async function roundTrip(setup: (dir: string) => string[][]): Promise<void> {
  const project = tempRepo({});
  writeFileSync(join(project.dir, 'data.csv'), DATA); // after the initial commit: git must not track it
  const cli = (...args: string[]) => runCli(args, { cwd: project.dir });
  const must = async (...args: string[]) => {
    const res = await cli(...args);
    expect(res.code, `mlpipe ${args.join(' ')}: ${res.stderr}`).toBe(0);
    return res;
  };
  await must('init');
  await must('add', 'data.csv');
  for (const args of setup(project.dir)) await must(...args);
  const pushed = JSON.parse((await must('push', '--json')).stdout);
  expect(pushed).toMatchObject({ transferred: 1, failed: [] });
  // A second clone: the same config files, no cache, no data.
  const clone = tempRepo({}, { git: false });
  rmSync(clone.dir, { recursive: true, force: true });
  cpSync(project.dir, clone.dir, { recursive: true });
  rmSync(join(clone.dir, '.dvc', 'cache'), { recursive: true, force: true });
  rmSync(join(clone.dir, 'data.csv'), { force: true });
  const pulled = await runCli(['pull', '--json'], { cwd: clone.dir });
  expect(pulled.code, pulled.stderr).toBe(0);
  expect(readFileSync(join(clone.dir, 'data.csv'), 'utf8')).toBe(DATA);
}

const served: ChildProcess[] = [];
afterAll(() => {
  for (const s of served) s.kill('SIGTERM');
});

describe('Azure remote through the CLI (Azurite)', () => {
  afterAll(stopServers);

  it('pushes and pulls through `remote serve --store azure://...` with a token (credentials from the environment)', async () => {
    const { connectionString } = await ensureAzurite();
    const container = await azureContainer('fronted');
    const url = await startServe(['--port', '0', '--store', `azure://fronted/p-${process.pid}`, '--token', 'tok-123'], served, {
      AZURE_STORAGE_CONNECTION_STRING: connectionString,
    });
    await roundTrip(() => [
      ['remote', 'add', '-d', 'web', url],
      ['remote', 'modify', 'web', 'auth', 'custom'],
      ['remote', 'modify', 'web', 'custom_auth_header', 'Authorization'],
      ['remote', 'modify', '--local', 'web', 'password', 'Bearer tok-123'],
    ]);
    const names: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: `p-${process.pid}/` })) names.push(b.name);
    expect(names).toEqual([`p-${process.pid}/files/md5/${DATA_MD5.slice(0, 2)}/${DATA_MD5.slice(2)}`]);
  }, 120_000);

  it('pushes and pulls with connection_string in config.local', async () => {
    const { connectionString } = await ensureAzurite();
    await azureContainer('e2e');
    await roundTrip(() => [
      ['remote', 'add', '-d', 'az', `azure://e2e/p-${process.pid}`],
      ['remote', 'modify', '--local', 'az', 'connection_string', connectionString],
    ]);
  }, 120_000);
});

describeIf(HAS_SSHD, "Debian's openssh-server (/usr/sbin/sshd)", 'SSH remote through the CLI (sshd)', () => {
  afterAll(stopServers);
  it('pushes and pulls with user, port and a relative keyfile as options', async () => {
    const { port, user, keyfile } = await ensureSshd();
    const root = join(tempRepo({}, { git: false }).dir, 'sftp-store');
    await roundTrip((dir) => [
      ['remote', 'add', '-d', 'box', `ssh://127.0.0.1${root}`],
      ['remote', 'modify', 'box', 'user', user],
      ['remote', 'modify', 'box', 'port', String(port)],
      ['remote', 'modify', 'box', 'allow_agent', 'false'],
      // relative to the working directory when typed, stored relative to .dvc/ (as DVC does)
      ['remote', 'modify', 'box', 'keyfile', relative(dir, keyfile)],
    ]);
  }, 120_000);
});

describeIf(Boolean(GCS_ENDPOINT), 'a GCS server (MLPIPE_TEST_GCS_ENDPOINT)', 'GCS remote through the CLI (emulator)', () => {
  it('pushes and pulls with endpointurl and projectname', async () => {
    await roundTrip(() => [
      ['remote', 'add', '-d', 'gcs', `gs://${GCS_BUCKET}/e2e-${process.pid}`],
      ['remote', 'modify', 'gcs', 'endpointurl', GCS_ENDPOINT as string],
      ['remote', 'modify', 'gcs', 'projectname', 'test'],
    ]);
  }, 120_000);
});
