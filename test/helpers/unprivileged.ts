import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MLPIPE_BIN } from './cli.js';

/**
 * Permission tests need a user that file modes apply to. Root ignores them (chmod 000 does not stop
 * root), so under root the CLI runs as `nobody` through setpriv; any other user is already bound by
 * them and runs it directly.
 */
const ROOT = process.getuid?.() === 0;
const SETPRIV = ['/usr/bin/setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** argv that runs the built CLI with `args` as a user file permissions apply to. */
export function unprivilegedCli(args: string[]): string[] {
  return ROOT ? [...SETPRIV, process.execPath, MLPIPE_BIN, ...args] : [process.execPath, MLPIPE_BIN, ...args];
}

/**
 * Whether such a user can run the CLI here: not root, or root with setpriv and a checkout that
 * `nobody` can read (a checkout under /root is not).
 */
export function unprivilegedAvailable(): boolean {
  if (!ROOT) return true;
  if (!existsSync(SETPRIV[0]!)) return false;
  const [cmd, ...rest] = unprivilegedCli(['--version']);
  return spawnSync(cmd!, rest, { stdio: 'ignore' }).status === 0;
}
