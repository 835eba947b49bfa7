import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client as SshClient, ConnectConfig, SFTPWrapper } from 'ssh2';
import { objectRelPath } from '../../core/odb/layout.js';
import { MlpipeError, isErrnoException } from '../../errors.js';
import { networkError, remoteError } from '../errors.js';
import { checkVerified } from '../verify.js';
import { forEachLimit } from '../pool.js';
import { blobKeyType, defaultKnownHostsFiles, knownHostKeys, preferredHostKeyAlgorithms } from './known-hosts.js';
import type { ObjectStore, RunStore } from './types.js';

export interface SshStoreOptions {
  /** `ssh://[user@]host[:port]/absolute/path` */
  url: string;
  /** DVC's options; `user` and `port` override the URL's. */
  user?: string;
  port?: number;
  /** Private key file (absolute, `~` expanded); else the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa. */
  keyfile?: string;
  passphrase?: string;
  password?: string;
  /** Use the ssh-agent at $SSH_AUTH_SOCK (default true, as DVC). */
  allowAgent?: boolean;
  /** Asks for the password (or key passphrase) on the terminal; fails without one. */
  askPassword?: (prompt: string) => Promise<string>;
  /** Seconds to wait for the connection (DVC's `timeout`, default 30). */
  timeout?: number;
  /** known_hosts files to check the server's key against (default: ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts). */
  knownHostsFiles?: readonly string[];
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
/** SFTP channels per connection: requests on each are pipelined, and OpenSSH allows 10 sessions. */
const CHANNELS = 4;

interface Session {
  client: SshClient;
  channels: SFTPWrapper[];
}

/**
 * A folder on an SSH server, over SFTP, in DVC's layout (`<path>/files/md5/XX/...`). An object is
 * written to a `.tmp` name next to its place and renamed into place (OpenSSH's posix-rename), so a
 * killed push leaves at most a `.tmp` file, which listing ignores.
 */
export class SshStore implements ObjectStore {
  readonly location: string;
  readonly maxObjectBytes = undefined;
  readonly defaultJobs = 8;
  private readonly root: string;
  private readonly connect: ConnectConfig;
  private readonly options: SshStoreOptions;
  private session: Promise<Session> | undefined;
  private next = 0;
  private readonly madeDirs = new Set<string>();

  constructor(options: SshStoreOptions) {
    const m = /^ssh:\/\/(?:([^@/]+)@)?([^/:]+|\[[^\]]+\])(?::(\d+))?(\/.*)?$/.exec(options.url);
    if (!m) throw remoteError('E_BAD_INPUT', options.url, 'not an SSH URL', { expected: 'ssh://[user@]host[:port]/path' });
    this.options = options;
    this.location = options.url;
    this.root = posix.normalize(m[4] ?? '/').replace(/\/+$/, '') || '/';
    const host = (m[2] as string).replace(/^\[|\]$/g, '');
    const port = options.port ?? (m[3] ? Number(m[3]) : 22);
    const username = options.user ?? (m[1] ? decodeURIComponent(m[1]) : (process.env.USER ?? process.env.LOGNAME ?? 'root'));
    this.connect = { host, port, username, readyTimeout: (options.timeout ?? 30) * 1000, keepaliveInterval: 15_000 };
  }

  private path(oid: string): string {
    return posix.join(this.root, objectRelPath(oid));
  }

  /** One connection per store, opened on first use; CHANNELS SFTP sessions on it, used in turn. */
  private sftp(): Promise<SFTPWrapper> {
    this.session ??= this.open().catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session.then((s) => s.channels[this.next++ % s.channels.length] as SFTPWrapper);
  }

  private async open(): Promise<Session> {
    const hostKey = this.hostKeyCheck();
    const config = { ...this.connect, ...hostKey.config, ...(await this.credentials()) };
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject).connect(config);
    }).catch((err: unknown) => {
      client.end();
      throw hostKey.refusal() ?? this.mapError(err, `the connection to ${this.connect.host}:${this.connect.port}`);
    });
    // A dropped connection is reopened by the next call (the transfer retries transient failures).
    client.on('error', () => undefined);
    client.once('close', () => {
      this.session = undefined;
    });
    const channels = await Promise.all(
      Array.from({ length: CHANNELS }, () => new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))))),
    ).catch((err: unknown) => {
      client.end();
      throw this.mapError(err, 'the SFTP subsystem');
    });
    return { client, channels };
  }

  /**
   * The server's key is checked against known_hosts as OpenSSH does, except that a host with no entry
   * is accepted, as DVC accepts every host (dvc-ssh connects with asyncssh's `known_hosts=None`): a
   * host whose recorded keys all differ from the one presented, or a revoked key, is refused.
   */
  private hostKeyCheck(): { config: Partial<ConnectConfig>; refusal(): MlpipeError | undefined } {
    const { host, port } = this.connect as { host: string; port: number };
    const known = knownHostKeys(host, port, this.options.knownHostsFiles ?? defaultKnownHostsFiles());
    let refusal: MlpipeError | undefined;
    const name = port === 22 ? host : `[${host}]:${port}`;
    const hostVerifier = (key: Buffer): boolean => {
      if (known.revoked.some((k) => k.equals(key))) {
        refusal = remoteError('E_REMOTE_AUTH', this.location, `the SSH server ${name} presented a host key marked @revoked in known_hosts`, {
          hint: 'do not use this server until its administrator has replaced the key',
        });
        return false;
      }
      if (known.keys.length === 0 || known.keys.some((k) => k.blob.equals(key))) return true;
      const where = known.keys.map((k) => `${k.file}:${k.line}`).join(', ');
      refusal = remoteError('E_REMOTE_AUTH', this.location, `the SSH server ${name} presented a ${blobKeyType(key) ?? 'host'} key that does not match known_hosts (${where}): it may be an impostor`, {
        expected: known.keys.map((k) => k.type).join(' or '),
        hint: `if the server's key really changed, remove the old entry with \`ssh-keygen -R '${name}'\` and record the new one (for example by connecting once with ssh)`,
      });
      return false;
    };
    const algs = preferredHostKeyAlgorithms(known.keys.map((k) => k.type));
    const config: Partial<ConnectConfig> = { hostVerifier };
    // ssh2 applies the keys in this order: take the known types out of the default list, put them first.
    if (algs.length > 0) config.algorithms = { serverHostKey: { remove: algs, prepend: algs, append: [] } };
    return { config, refusal: () => refusal };
  }

  /** DVC's order: key file (or default keys), agent, password; ask_password prompts on the terminal. */
  private async credentials(): Promise<Partial<ConnectConfig>> {
    const o = this.options;
    const out: Partial<ConnectConfig> = {};
    const keyfile = o.keyfile ?? defaultKeyfile();
    if (keyfile) {
      try {
        out.privateKey = readFileSync(keyfile);
      } catch (err) {
        if (o.keyfile !== undefined) {
          throw remoteError('E_BAD_INPUT', this.location, `cannot read the key file ${keyfile}`, {
            received: err instanceof Error ? err.message : String(err),
            hint: 'fix it with `mlpipe remote modify NAME keyfile PATH`',
          });
        }
      }
      if (o.passphrase) out.passphrase = o.passphrase;
    }
    if (o.allowAgent !== false && process.env.SSH_AUTH_SOCK) out.agent = process.env.SSH_AUTH_SOCK;
    if (o.password !== undefined) out.password = o.password;
    else if (o.askPassword) out.password = await o.askPassword(`${this.connect.username}@${this.connect.host}'s password: `);
    return out;
  }

  async exists(oids: readonly string[]): Promise<Set<string>> {
    const byPrefix = new Map<string, string[]>();
    for (const oid of oids) byPrefix.set(oid.slice(0, 2), [...(byPrefix.get(oid.slice(0, 2)) ?? []), oid]);
    const found = new Set<string>();
    // A lone probe still proves the connection works, so bad credentials surface here and not as "absent".
    await this.sftp();
    await forEachLimit([...byPrefix], this.defaultJobs, async ([prefix, group]) => {
      const names = new Set(await this.readdir(posix.join(this.root, 'files', 'md5', prefix)));
      for (const oid of group) if (names.has(oid.slice(2))) found.add(oid);
    });
    return found;
  }

  async list(): Promise<Set<string>> {
    const base = posix.join(this.root, 'files', 'md5');
    const prefixes = (await this.readdir(base)).filter((p) => /^[0-9a-f]{2}$/.test(p));
    const found = new Set<string>();
    await forEachLimit(prefixes, this.defaultJobs, async (prefix) => {
      for (const name of await this.readdir(posix.join(base, prefix))) found.add(prefix + name);
    });
    return found;
  }

  /** Object names in a folder (a writer's `.tmp` file is not an object); [] when the folder is absent. */
  private async readdir(dir: string): Promise<string[]> {
    const sftp = await this.sftp();
    return new Promise((resolve, reject) =>
      sftp.readdir(dir, (err, list) => {
        if (err && sftpCode(err) === NO_SUCH_FILE) resolve([]);
        else if (err) reject(this.mapError(err, dir));
        else resolve(list.map((e) => e.filename).filter((n) => !n.endsWith('.tmp')));
      }),
    );
  }

  async upload(oid: string, sourcePath: string, size: number): Promise<void> {
    // Push verifies what it sends (verify.ts): fastPut reads the file itself, so it is hashed first.
    checkVerified(sourcePath, oid);
    await this.put(this.path(oid), sourcePath, size);
  }

  /** Writes a file to a temp name beside `final` and renames it into place (never half-visible). */
  private async put(final: string, sourcePath: string, size: number): Promise<void> {
    const tmp = `${final}.${randomBytes(6).toString('hex')}.tmp`;
    const sftp = await this.sftp();
    await this.mkdirs(sftp, posix.dirname(final));
    try {
      await call<void>((cb) =>
        sftp.fastPut(sourcePath, tmp, { concurrency: size > 1 << 20 ? 16 : 1, chunkSize: 32 * 1024 }, cb as (e?: Error | null) => void),
      );
      // posix-rename replaces atomically; a plain SFTP rename refuses an existing target, which is then the same object.
      await call<void>((cb) => sftp.ext_openssh_rename(tmp, final, cb as (e?: Error | null) => void));
    } catch (err) {
      sftp.unlink(tmp, () => undefined);
      throw this.mapError(err, final);
    }
  }

  private async mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
    if (this.madeDirs.has(dir) || dir === '/' || dir === '.') return;
    const mkdir = () => call<void>((cb) => sftp.mkdir(dir, cb as (e?: Error | null) => void));
    try {
      await mkdir();
    } catch (err) {
      if (sftpCode(err) === NO_SUCH_FILE) {
        await this.mkdirs(sftp, posix.dirname(dir));
        await mkdir().catch(() => undefined); // another upload may have made it meanwhile
      } else {
        // OpenSSH answers a plain FAILURE when the folder exists: check that it does.
        const isDir = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb as never)).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (!isDir) throw this.mapError(err, dir);
      }
    }
    this.madeDirs.add(dir);
  }

  async download(oid: string): Promise<Readable> {
    const path = this.path(oid);
    const sftp = await this.sftp();
    const handle = await call<Buffer>((cb) => sftp.open(path, 'r', cb as never)).catch((err: unknown) => {
      throw this.mapError(err, path);
    });
    const stream = sftp.createReadStream(path, { handle, autoClose: true });
    // After the last byte the stream closes its remote handle on its own; if the session ends first
    // (store.close() right after a fetch), that close fails with "No response from server" and the
    // stream emits it when its consumer has already detached: an uncaught exception for bytes that
    // were all delivered. Errors while reading still reach the consumer's own listener.
    stream.on('error', () => {});
    return stream;
  }

  async commit(): Promise<void> {}

  /** DVC's run-cache entries in `runs/XX/key/value` beside `files/` (as a folder remote holds them). */
  readonly runs: RunStore = {
    list: async () => {
      const base = posix.join(this.root, 'runs');
      const out: string[] = [];
      for (const prefix of await this.readdir(base)) {
        for (const key of await this.readdir(posix.join(base, prefix))) {
          for (const value of await this.readdir(posix.join(base, prefix, key))) out.push(`${prefix}/${key}/${value}`);
        }
      }
      return out;
    },
    upload: async (rel, sourcePath) => {
      await this.put(posix.join(this.root, 'runs', rel), sourcePath, 0);
    },
    read: async (rel) => {
      const path = posix.join(this.root, 'runs', rel);
      const sftp = await this.sftp();
      return call<Buffer>((cb) => sftp.readFile(path, cb as never)).catch((err: unknown) => {
        throw this.mapError(err, path);
      });
    },
  };

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) (await session.catch(() => undefined))?.client.end();
  }

  private mapError(err: unknown, what: string): MlpipeError {
    if (err instanceof MlpipeError) return err;
    const code = sftpCode(err);
    const detail = err instanceof Error ? err.message : String(err);
    if (code === NO_SUCH_FILE) return remoteError('E_NOT_FOUND', this.location, `${what} is not on the remote`, { cause: err });
    if (code === PERMISSION_DENIED) {
      return remoteError('E_REMOTE_AUTH', this.location, `no permission for ${what} on the server`, {
        hint: `check that ${this.connect.username} may write to ${this.root}`,
        cause: err,
      });
    }
    if ((err as { level?: string })?.level === 'client-authentication') {
      return remoteError('E_REMOTE_AUTH', this.location, `the SSH server refused the credentials of ${this.connect.username}`, {
        hint: 'set keyfile (or password with --local) with `mlpipe remote modify NAME KEY VALUE`, or load the key into ssh-agent',
        cause: err,
      });
    }
    if (/no space|quota/i.test(detail)) {
      return remoteError('E_REMOTE_TOO_LARGE', this.location, 'the disk of the remote is full (or over quota)', { cause: err });
    }
    if (isErrnoException(err)) return networkError(this.location, err);
    return remoteError('E_REMOTE', this.location, `SFTP request for ${what} failed: ${detail}`, {
      // The connection went away (server restart, network): a new one is opened on retry.
      transient: /No response|Not connected|closed|ECONNRESET|Channel/i.test(detail),
      cause: err,
    });
  }
}

function sftpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

function call<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

function defaultKeyfile(): string | undefined {
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const path = posix.join(homedir(), '.ssh', name);
    try {
      readFileSync(path);
      return path;
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}
