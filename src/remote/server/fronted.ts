import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { listRemotes, resolveRemote } from '../config.js';
import { type RemoteSpec, openStore, remoteKind } from '../stores/open.js';
import type { ObjectStore } from '../stores/types.js';

/**
 * The store behind `remote serve --store X`: X is a URL (options from `--store-option k=v` and the
 * SDKs' environment variables) or the name of a remote configured in the project at `cwd` (its
 * options, secrets from config.local included). Uploads in flight wait in a fresh scratch folder.
 */
export async function openFrontedStore(options: { cwd: string; store: string; options: string[] }): Promise<{ store: ObjectStore; scratchDir: string }> {
  const extra: Record<string, string> = {};
  for (const kv of options.options) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new MlpipeError('E_USAGE', `--store-option needs KEY=VALUE`, { received: kv });
    extra[kv.slice(0, eq).toLowerCase()] = kv.slice(eq + 1);
  }
  let spec: RemoteSpec;
  let configDir = options.cwd;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(options.store)) {
    spec = { name: options.store, url: options.store, options: extra };
  } else {
    const known = (() => {
      try {
        return listRemotes({ cwd: options.cwd }).map((r) => r.name);
      } catch {
        return [];
      }
    })();
    if (!known.includes(options.store.toLowerCase())) {
      throw new MlpipeError('E_BAD_INPUT', `--store ${options.store} is neither a URL nor a remote of this project`, {
        expected: `s3://, gs://, azure://, ssh:// URL${known.length ? `, or one of: ${known.join(', ')}` : ''}`,
        received: options.store,
      });
    }
    const resolved = resolveRemote(options.cwd, options.store);
    spec = { ...resolved.spec, options: { ...resolved.spec.options, ...extra } };
    configDir = resolved.dvcDir;
  }
  const kind = remoteKind(spec.url);
  if (kind === 'http' || kind === 'git') {
    throw new MlpipeError('E_BAD_INPUT', `remote serve cannot front a ${kind} remote`, {
      expected: 'a bucket (s3://, gs://, azure://), an ssh:// folder or a local folder',
      received: spec.url,
    });
  }
  const scratchDir = mkdtempSync(join(tmpdir(), 'mlpipe-serve-'));
  const store = await openStore(spec, { configDir, repoRoot: options.cwd, tmpDir: scratchDir });
  return { store, scratchDir };
}
