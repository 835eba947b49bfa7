import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ServerHostKeyAlgorithm } from 'ssh2';

/**
 * OpenSSH's known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), read to check the key an SSH
 * remote presents. Lines are `[marker] patterns keytype base64-key [comment]`; patterns are a comma
 * list of host names with `*` and `?` wildcards and `!` negations, `[host]:port` for a port other
 * than 22, or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. `@revoked` marks a
 * key never to accept; `@cert-authority` lines (host certificates) are not used here.
 */
export interface KnownHostKeys {
  /** Keys recorded for the host, as the SSH wire blobs that known_hosts stores in base64. */
  keys: { type: string; blob: Buffer; file: string; line: number }[];
  revoked: Buffer[];
}

/** The files OpenSSH reads by default: the user's, then the system's. */
export function defaultKnownHostsFiles(): string[] {
  return [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** The keys that `files` record for `host` on `port` (missing files are empty). */
export function knownHostKeys(host: string, port: number, files: readonly string[]): KnownHostKeys {
  const name = port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
  const out: KnownHostKeys = { keys: [], revoked: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split('\n').forEach((raw, i) => {
      const fields = raw.trim().split(/\s+/);
      if (fields[0] === '' || fields[0]?.startsWith('#')) return;
      const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
      const [patterns, type, key] = fields;
      if (!patterns || !type || !key || marker === '@cert-authority') return;
      if (!hostMatches(patterns, name)) return;
      const blob = Buffer.from(key, 'base64');
      if (marker === '@revoked') out.revoked.push(blob);
      else if (marker === undefined) out.keys.push({ type, blob, file, line: i + 1 });
    });
  }
  return out;
}

/** Whether a known_hosts pattern field names `name` (`host` or `[host]:port`). */
export function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of patterns.toLowerCase().split(',')) {
    const negated = pattern.startsWith('!');
    if (!wildcardMatch(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

/** The key type named at the start of an SSH wire blob (`string type`, RFC 4253 §6.6). */
export function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  return n > 0 && 4 + n <= blob.length ? blob.toString('latin1', 4, 4 + n) : undefined;
}

/**
 * The host key algorithms to prefer so that a server holding several keys presents one the file
 * knows (the first algorithm of the client's list that the server supports wins, RFC 4253 §7.1).
 */
export function preferredHostKeyAlgorithms(types: readonly string[]): ServerHostKeyAlgorithm[] {
  const out: ServerHostKeyAlgorithm[] = [];
  for (const type of types) {
    const algs: ServerHostKeyAlgorithm[] = type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : isHostKeyType(type) ? [type] : [];
    for (const alg of algs) if (!out.includes(alg)) out.push(alg);
  }
  return out;
}

/** Host key types ssh2 can verify; others (ssh-dss, sk-*) are not preferred. */
const HOST_KEY_TYPES: readonly string[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];
const isHostKeyType = (type: string): type is ServerHostKeyAlgorithm => HOST_KEY_TYPES.includes(type);
