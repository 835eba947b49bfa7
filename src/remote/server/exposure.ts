import { isIP } from 'node:net';
import { MlpipeError } from '../../errors.js';

/**
 * Whether `host` only accepts connections from this machine. Names other than `localhost` are not
 * resolved: a name could point anywhere, so it counts as exposed.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * A remote server reachable from other machines with no token lets anyone on the network store
 * objects (verified against their names, but filling the team's disk). The README promises a token
 * for uploads, so an exposed anonymous server needs an explicit opt-in; loopback stays allowed.
 */
export function checkExposure(options: { host: string; token?: string; allowAnonymousUploads?: boolean }): void {
  if (options.token || options.allowAnonymousUploads || isLoopbackHost(options.host)) return;
  throw new MlpipeError('E_USAGE', `refusing to serve uploads on ${options.host} without a token`, {
    expected: 'a token (--token T or $MLPIPE_REMOTE_TOKEN) when listening beyond 127.0.0.1',
    received: `--host ${options.host} and no token`,
    hint: 'set a token (`export MLPIPE_REMOTE_TOKEN=$(openssl rand -hex 24)`), or pass --allow-anonymous-uploads if open uploads are really meant',
    data: { host: options.host },
  });
}
