// Real servers for the gs, azure and ssh remote tests: Azurite and sshd are started by the tests
// themselves (one per test file, on a free loopback port, stopped in afterAll); the GCS emulator
// needs Python and is started by .ci/run (MLPIPE_TEST_GCS_ENDPOINT), like the S3 server.
// Connection details also go to MLPIPE_TEST_* environment variables, so that a child process
// (kill-worker.ts) can open a store on the same server.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { AzureStore } from '../../../src/remote/stores/azure.js';
import { GcsStore } from '../../../src/remote/stores/gcs.js';
import { SshStore } from '../../../src/remote/stores/ssh.js';
import type { ObjectStore } from '../../../src/remote/stores/types.js';
import { tempDir } from '../../helpers/tree.js';

export type CloudKind = 'gs' | 'azure' | 'ssh';

export const GCS_ENDPOINT = process.env.MLPIPE_TEST_GCS_ENDPOINT;
export const GCS_BUCKET = process.env.MLPIPE_TEST_GCS_BUCKET ?? 'mlpipe-test';
export const SSHD = '/usr/sbin/sshd';
export const HAS_SSHD = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');

/** Azurite's fixed development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AZURITE_BIN = fileURLToPath(new URL('../../../node_modules/.bin/azurite-blob', import.meta.url));

const children: ChildProcess[] = [];

/** A port the OS says is free right now, on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (and, with `banner`, sends it). */
async function waitForPort(port: number, child: ChildProcess, what: string, banner?: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before it listened`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ port, host: '127.0.0.1' });
      sock.once('error', () => resolve(false));
      sock.once('connect', () => {
        if (!banner) {
          sock.destroy();
          resolve(true);
        }
      });
      sock.once('data', (d: Buffer) => {
        sock.destroy();
        resolve(d.toString().startsWith(banner ?? ''));
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} in 30 s`);
}

export interface Azurite {
  blobEndpoint: string;
  connectionString: string;
}

let azurite: Promise<Azurite> | undefined;

/** Azurite's blob service on a free port (telemetry off: it would try the internet). */
export function ensureAzurite(): Promise<Azurite> {
  azurite ??= (async () => {
    const port = await freePort();
    const dir = tempDir('mlpipe-azurite-');
    const child = spawn(
      AZURITE_BIN,
      ['--silent', '--disableTelemetry', '--skipApiVersionCheck', '--location', dir, '--blobHost', '127.0.0.1', '--blobPort', String(port)],
      { stdio: 'ignore' },
    );
    children.push(child);
    await waitForPort(port, child, 'Azurite');
    const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
    process.env.MLPIPE_TEST_AZURE_CONNECTION_STRING = connectionString;
    return { blobEndpoint, connectionString };
  })();
  return azurite;
}

/** Creates the container (once) and returns a client for it. */
export async function azureContainer(name: string) {
  const { connectionString } = await ensureAzurite();
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(name);
  await container.createIfNotExists();
  return container;
}

export interface Sshd {
  port: number;
  user: string;
  keyfile: string;
  /** The key's public half, as in authorized_keys. */
  publicKey: string;
  /** The server's host keys (ed25519, then ecdsa), each `type base64`, as known_hosts records them. */
  hostKeys: { ed25519: string; ecdsa: string };
}

let sshd: Promise<Sshd> | undefined;

/**
 * Debian's OpenSSH server on a free loopback port, with a host key and a client key made now. Only
 * that key is accepted (no passwords, no PAM); SFTP is sshd's internal-sftp.
 */
export function ensureSshd(): Promise<Sshd> {
  sshd ??= (async () => {
    const dir = tempDir('mlpipe-sshd-');
    const keygen = (file: string, type = 'ed25519') => execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'mlpipe-test', '-f', file]);
    keygen(join(dir, 'host_key'));
    keygen(join(dir, 'host_key_ecdsa'), 'ecdsa');
    keygen(join(dir, 'client_key'));
    const publicHalf = (file: string) => readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const hostKeys = { ed25519: publicHalf(join(dir, 'host_key')), ecdsa: publicHalf(join(dir, 'host_key_ecdsa')) };
    const publicKey = execFileSync('cat', [join(dir, 'client_key.pub')], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'authorized_keys'), `${publicKey}\n`, { mode: 0o600 });
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `HostKey ${join(dir, 'host_key_ecdsa')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'MaxSessions 40',
        'MaxStartups 40',
        'LogLevel ERROR',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    // sshd's privilege separation needs this folder when it runs as root.
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const child = spawn(SSHD, ['-D', '-e', '-f', config, '-p', String(port)], { stdio: 'ignore' });
    children.push(child);
    await waitForPort(port, child, 'sshd', 'SSH-2.0');
    const user = userInfo().username;
    const keyfile = join(dir, 'client_key');
    process.env.MLPIPE_TEST_SSH_PORT = String(port);
    process.env.MLPIPE_TEST_SSH_KEY = keyfile;
    return { port, user, keyfile, publicKey, hostKeys };
  })();
  return sshd;
}

/** Stops the servers this process started (afterAll of each test file that starts one). */
export async function stopServers(): Promise<void> {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  azurite = undefined;
  sshd = undefined;
}

/** A store on the test server of `kind`, from the MLPIPE_TEST_* variables (also in a child process). */
export function openTestStore(kind: CloudKind, url: string): ObjectStore {
  const env = process.env;
  if (kind === 'gs') return new GcsStore({ url, endpointUrl: env.MLPIPE_TEST_GCS_ENDPOINT, projectId: 'test' });
  if (kind === 'azure') return new AzureStore({ url, connectionString: env.MLPIPE_TEST_AZURE_CONNECTION_STRING });
  return new SshStore({ url, keyfile: env.MLPIPE_TEST_SSH_KEY, allowAgent: false });
}

/** A fresh, empty remote of `kind` under `name`: its URL and how to write bytes into it behind the store's back. */
export async function cloudRemote(kind: CloudKind, name: string): Promise<{ url: string; put(key: string, bytes: Buffer): Promise<void> }> {
  if (kind === 'gs') {
    const bucket = new Storage({ apiEndpoint: GCS_ENDPOINT, projectId: 'test' }).bucket(GCS_BUCKET);
    return { url: `gs://${GCS_BUCKET}/${name}`, put: async (key, bytes) => void (await bucket.file(`${name}/${key}`).save(bytes, { resumable: false })) };
  }
  if (kind === 'azure') {
    const container = await azureContainer('mlpipe-test');
    return {
      url: `azure://mlpipe-test/${name}`,
      put: async (key, bytes) => void (await container.getBlockBlobClient(`${name}/${key}`).uploadData(bytes)),
    };
  }
  const { port, user } = await ensureSshd();
  const root = join(tempDir('mlpipe-sftp-'), name);
  return {
    url: `ssh://${user}@127.0.0.1:${port}${root}`,
    put: async (key, bytes) => {
      const path = join(root, key);
      mkdirSync(join(path, '..'), { recursive: true });
      execFileSync('rm', ['-f', path]);
      writeFileSync(path, bytes);
    },
  };
}
