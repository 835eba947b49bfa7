import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MLPIPE_BIN } from './cli.js';

/**
 * Permission tests need a process that file modes apply to. Root ignores them (chmod 000 does not
 * stop root), so under root the CLI runs through setpriv: as `nobody` when that user can read the
 * checkout, else as root without the capabilities that bypass file modes (a checkout under /root,
 * which nobody cannot read). Any other user is already bound by them and runs it directly.
 */
const SETPRIV = '/usr/bin/setpriv';
const AS_NOBODY = [SETPRIV, '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
const NO_DAC_CAPS = 'dac_override,dac_read_search,fowner';
const AS_CAPLESS_ROOT = [SETPRIV, `--bounding-set=-${NO_DAC_CAPS.replaceAll(',', ',-')}`, `--inh-caps=-${NO_DAC_CAPS.replaceAll(',', ',-')}`];

function choosePrefix(): string[] | undefined {
  if (process.getuid?.() !== 0) return [];
  if (!existsSync(SETPRIV)) return undefined;
  for (const prefix of [AS_NOBODY, AS_CAPLESS_ROOT]) {
    const [cmd, ...rest] = [...prefix, process.execPath, MLPIPE_BIN, '--version'];
    if (spawnSync(cmd!, rest, { stdio: 'ignore' }).status === 0) return prefix;
  }
  return undefined;
}

const PREFIX = choosePrefix();

/**
 * The uid the CLI runs as when that is not the owner of the test's files: `nobody`'s (65534), to whom
 * a test hands its repository (chown) before making a folder read-only. Undefined when the CLI runs
 * as the files' owner (capless root, or a non-root user), for whom chmod alone does it.
 */
export const unprivilegedOwner: number | undefined = PREFIX === AS_NOBODY ? 65534 : undefined;

/** Whether the CLI can run here as a process that file permissions apply to. */
export const unprivilegedAvailable = PREFIX !== undefined;

/** argv that runs the built CLI with `args` as a process file permissions apply to. */
export function unprivilegedCli(args: string[]): string[] {
  return [...(PREFIX ?? []), process.execPath, MLPIPE_BIN, ...args];
}
