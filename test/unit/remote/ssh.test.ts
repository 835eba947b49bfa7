import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { askOnTerminal } from '../../../src/remote/stores/prompt.js';
import { SshStore } from '../../../src/remote/stores/ssh.js';
import { fetchObjects, pushObjects } from '../../../src/remote/transfer.js';
import { describeIf } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';
import { conformance } from './conformance.js';
import { FOO, dirCache, objectPath, writeCache } from './fixtures.js';
import { HAS_SSHD, cloudRemote, ensureSshd, stopServers } from './servers.js';

let run = 0;

describeIf(HAS_SSHD, "Debian's openssh-server (/usr/sbin/sshd)", 'SSH remote (OpenSSH sshd, SFTP)', () => {
  afterAll(stopServers);

  conformance(async () => {
    const remote = await cloudRemote('ssh', `run-${run++}`);
    const { keyfile } = await ensureSshd();
    return {
      open: async () => new SshStore({ url: remote.url, keyfile, allowAgent: false }),
      corrupt: (oid, bytes) => remote.put(`files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`, bytes),
      cleanup: async () => {},
    };
  });

  it('writes a large object through a temp name and leaves no temp file behind', async () => {
    const { port, user, keyfile } = await ensureSshd();
    const root = join(tempDir('mlpipe-sftp-'), 'big');
    const cacheDir = tempDir('mlpipe-cache-');
    const bytes = Buffer.alloc(3 * 2 ** 20 + 5);
    for (let i = 0; i + 4 <= bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    const oid = createHash('md5').update(bytes).digest('hex');
    mkdirSync(dirname(objectPath(cacheDir, oid)), { recursive: true });
    writeFileSync(objectPath(cacheDir, oid), bytes);
    // user and port as DVC options instead of in the URL
    const store = new SshStore({ url: `ssh://127.0.0.1${root}`, user, port, keyfile, allowAgent: false });
    expect((await pushObjects({ files: [oid], dirs: [] }, { cache: dirCache(cacheDir), store })).transferred).toBe(1);
    expect(readdirSync(join(root, 'files', 'md5', oid.slice(0, 2)))).toEqual([oid.slice(2)]);
    expect(readFileSync(objectPath(root, oid)).equals(bytes)).toBe(true);
    const fresh = tempDir('mlpipe-cache-');
    expect((await fetchObjects({ files: [oid], dirs: [] }, { cache: dirCache(fresh), store })).transferred).toBe(1);
    expect(readFileSync(objectPath(fresh, oid)).equals(bytes)).toBe(true);
    await store.close();
  });

  it('logs in with the key held by ssh-agent (allow_agent), and refuses a key the server does not know', async () => {
    const { port, user, keyfile } = await ensureSshd();
    const root = join(tempDir('mlpipe-sftp-'), 'agent');
    const cacheDir = tempDir('mlpipe-cache-');
    writeCache(cacheDir, [FOO]);
    const sock = join(tempDir('mlpipe-agent-'), 'agent.sock');
    const agentOut = execFileSync('/usr/bin/ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agentOut)?.[1]);
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      execFileSync('/usr/bin/ssh-add', ['-q', keyfile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = sock;
      // No keyfile: the default ~/.ssh keys (if any) are not authorized, the agent's key is.
      const viaAgent = new SshStore({ url: `ssh://${user}@127.0.0.1:${port}${root}` });
      expect((await pushObjects({ files: [FOO], dirs: [] }, { cache: dirCache(cacheDir), store: viaAgent })).transferred).toBe(1);
      await viaAgent.close();
      const other = join(tempDir('mlpipe-key-'), 'other');
      execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const refused = new SshStore({ url: `ssh://${user}@127.0.0.1:${port}${root}`, keyfile: other, allowAgent: false });
      await expect(refused.exists([FOO])).rejects.toMatchObject({
        code: 'E_REMOTE_AUTH',
        message: `remote ssh://${user}@127.0.0.1:${port}${root}: the SSH server refused the credentials of ${user}`,
      });
      await refused.close();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (agentPid) process.kill(agentPid);
    }
  });

  it('fails with what to set when ask_password has no terminal to ask on', async () => {
    const { port, user } = await ensureSshd();
    const store = new SshStore({
      url: `ssh://${user}@127.0.0.1:${port}/tmp/x`,
      allowAgent: false,
      askPassword: (prompt) => askOnTerminal(prompt, 'box'),
    });
    await expect(store.exists([FOO])).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'remote box asks for a password (ask_password) but there is no terminal',
      hint: 'set it instead: `mlpipe remote modify --local box password PASSWORD`, or use a keyfile',
    });
    await store.close();
  });

  it("checks the server's key against known_hosts: a recorded key connects, a different or @revoked one is refused", async () => {
    const { port, user, keyfile, hostKeys } = await ensureSshd();
    const url = `ssh://${user}@127.0.0.1:${port}${join(tempDir('mlpipe-sftp-'), 'known')}`;
    const dir = tempDir('mlpipe-known-hosts-');
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
    const otherKey = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const name = `[127.0.0.1]:${port}`;
    const open = (file: string) => new SshStore({ url, keyfile, allowAgent: false, knownHostsFiles: [join(dir, 'missing'), file] });
    const connect = async (file: string, lines?: string[]) => {
      if (lines) writeFileSync(file, `${lines.join('\n')}\n`);
      const store = open(file);
      try {
        return await store.exists([FOO]);
      } finally {
        await store.close();
      }
    };
    const file = (n: string) => join(dir, n);

    expect(await connect(file('plain'), [`# comment`, `${name} ${hostKeys.ed25519} root@server`])).toEqual(new Set());
    // Only the ecdsa key recorded: the client asks for ecdsa first, so the server presents that one.
    expect(await connect(file('ecdsa'), [`${name} ${hostKeys.ecdsa}`])).toEqual(new Set());
    // Hashed by OpenSSH itself.
    writeFileSync(file('hashed'), `${name} ${hostKeys.ed25519}\n`);
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-H', '-f', file('hashed')], { stdio: 'ignore' });
    expect(readFileSync(file('hashed'), 'utf8')).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    expect(await connect(file('hashed'))).toEqual(new Set());
    // Wildcards; a negated pattern takes the host out of the entry, which leaves no entry for it.
    expect(await connect(file('wildcard'), [`*.example.com,[127.0.0.?]:${port} ${hostKeys.ed25519}`])).toEqual(new Set());
    expect(await connect(file('negated'), [`[127.0.0.*]:*,!${name} ${otherKey}`])).toEqual(new Set());
    // No entry for this host (other ports and hosts): accepted, as DVC accepts every host.
    expect(await connect(file('unknown'), [`127.0.0.1 ${otherKey}`, `[127.0.0.1]:1 ${otherKey}`])).toEqual(new Set());

    await expect(connect(file('changed'), [`${name} ${otherKey}`])).rejects.toMatchObject({
      code: 'E_REMOTE_AUTH',
      message: `remote ${url}: the SSH server ${name} presented a ssh-ed25519 key that does not match known_hosts (${file('changed')}:1): it may be an impostor`,
      hint: `if the server's key really changed, remove the old entry with \`ssh-keygen -R '${name}'\` and record the new one (for example by connecting once with ssh)`,
    });
    await expect(connect(file('revoked'), [`@revoked * ${hostKeys.ed25519}`, `${name} ${hostKeys.ed25519}`])).rejects.toMatchObject({
      code: 'E_REMOTE_AUTH',
      message: `remote ${url}: the SSH server ${name} presented a host key marked @revoked in known_hosts`,
    });
  });

  it('says the server is unreachable when nothing listens', async () => {
    const store = new SshStore({ url: 'ssh://nobody@127.0.0.1:9/srv', allowAgent: false, password: 'x' });
    await expect(store.exists([FOO])).rejects.toMatchObject({
      code: 'E_REMOTE',
      message: 'remote ssh://nobody@127.0.0.1:9/srv: cannot reach the remote (ECONNREFUSED)',
    });
    await store.close();
  });
});
