import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseByteSize } from '../../core/size.js';
import { MlpipeError } from '../../errors.js';
import { runGit } from './git/run.js';
import type { ObjectStore } from './types.js';

/** A remote as configured: its name, URL and the other keys of its config section (lower-case). */
export interface RemoteSpec {
  name: string;
  url: string;
  options: Record<string, string>;
}

export interface OpenStoreContext {
  /** Relative local URLs are relative to this folder: `.dvc/`, the config file's folder (dvc-format.md §3.5). */
  configDir: string;
  /** The repository root, for the git remote's default (the project's `origin`). */
  repoRoot: string;
  /** Scratch space that survives between runs (`.dvc/tmp`), for the git remote's local side. */
  tmpDir: string;
}

export type RemoteKind = 'local' | 's3' | 'gs' | 'azure' | 'ssh' | 'http' | 'webdav' | 'git';

/** `git` alone means the project's origin; `git+URL` any other git repository. */
export function remoteKind(url: string): RemoteKind {
  if (url === 'git' || url.startsWith('git+')) return 'git';
  if (/^s3:\/\//i.test(url)) return 's3';
  if (/^gs:\/\//i.test(url)) return 'gs';
  if (/^azure:\/\//i.test(url)) return 'azure';
  if (/^ssh:\/\//i.test(url)) return 'ssh';
  // A remote DVC knows and mlpipe only configures: `remote add`/`modify` write it, push/pull refuse it.
  if (/^webdavs?:\/\//i.test(url)) return 'webdav';
  if (/^https?:\/\//i.test(url)) return 'http';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new MlpipeError('E_BAD_INPUT', `remote URL ${url} uses a scheme mlpipe does not support`, {
      expected: 'a folder path, s3://bucket/path, gs://bucket/path, azure://container/path, ssh://user@host/path, http(s)://host/path, git (the project origin) or git+URL',
      received: url,
    });
  }
  return 'local';
}

/** Parses sizes such as `50MiB`, `100M`, `2GiB` or a plain byte count. */
export function parseSize(text: string): number {
  const n = parseByteSize(text);
  if (n === undefined) {
    throw new MlpipeError('E_BAD_INPUT', `not a size: ${text}`, { expected: 'a byte count or e.g. 50MiB', received: text });
  }
  return n;
}

function bool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : /^(true|1|yes|on)$/i.test(value);
}

/** A path option as DVC reads it: `~` is the home folder, a relative path is relative to `.dvc/`. */
function pathOption(value: string | undefined, configDir: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  return resolve(configDir, value);
}

function intOption(spec: RemoteSpec, key: string): number | undefined {
  const value = spec.options[key];
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new MlpipeError('E_BAD_INPUT', `remote ${spec.name}: ${key} must be a whole number`, { received: value });
  }
  return Number(value);
}

/** Builds the store for a configured remote; store modules load lazily (the S3 SDK is heavy). */
export async function openStore(spec: RemoteSpec, ctx: OpenStoreContext): Promise<ObjectStore> {
  const o = spec.options;
  switch (remoteKind(spec.url)) {
    case 'local': {
      const { LocalStore } = await import('./local.js');
      const root = isAbsolute(spec.url) ? spec.url : resolve(ctx.configDir, spec.url);
      return new LocalStore(root, spec.url);
    }
    case 's3': {
      const { S3Store } = await import('./s3.js');
      return new S3Store({
        url: spec.url,
        endpointUrl: o.endpointurl,
        region: o.region,
        accessKeyId: o.access_key_id,
        secretAccessKey: o.secret_access_key,
        sessionToken: o.session_token,
      });
    }
    case 'gs': {
      const { GcsStore } = await import('./gcs.js');
      return new GcsStore({
        url: spec.url,
        projectId: o.projectname,
        keyFilename: pathOption(o.credentialpath, ctx.configDir),
        endpointUrl: o.endpointurl,
      });
    }
    case 'azure': {
      const { AzureStore } = await import('./azure.js');
      return new AzureStore({
        url: spec.url,
        accountName: o.account_name,
        accountKey: o.account_key,
        connectionString: o.connection_string,
        sasToken: o.sas_token,
        allowAnonymousLogin: bool(o.allow_anonymous_login),
      });
    }
    case 'ssh': {
      const { SshStore } = await import('./ssh.js');
      const { askOnTerminal } = await import('./prompt.js');
      return new SshStore({
        url: spec.url,
        user: o.user,
        port: intOption(spec, 'port'),
        keyfile: pathOption(o.keyfile, ctx.configDir),
        passphrase: o.passphrase,
        password: o.password,
        allowAgent: bool(o.allow_agent),
        askPassword: bool(o.ask_password) ? (prompt) => askOnTerminal(prompt, spec.name) : undefined,
        timeout: intOption(spec, 'timeout'),
      });
    }
    case 'webdav':
      throw new MlpipeError('E_BAD_INPUT', `remote ${spec.name}: mlpipe cannot transfer to WebDAV remotes (only configure them)`, {
        expected: 'a folder, s3://, gs://, azure://, ssh://, http(s)://, git or git+URL remote',
        received: spec.url,
        hint: 'use DVC for this remote, or add another one with `mlpipe remote add NAME URL`',
      });
    case 'http': {
      const { HttpStore } = await import('./http.js');
      const method = o.method?.toUpperCase();
      const auth = o.auth?.toLowerCase();
      if (method !== undefined && method !== 'POST' && method !== 'PUT') {
        throw new MlpipeError('E_BAD_INPUT', `remote ${spec.name}: method must be POST or PUT`, { received: o.method });
      }
      if (auth !== undefined && auth !== 'basic' && auth !== 'custom') {
        throw new MlpipeError('E_BAD_INPUT', `remote ${spec.name}: auth must be basic or custom`, { received: o.auth });
      }
      return new HttpStore({
        url: spec.url,
        method,
        auth,
        user: o.user,
        password: o.password,
        customAuthHeader: o.custom_auth_header,
        sslVerify: bool(o.ssl_verify),
        readTimeout: o.read_timeout === undefined ? undefined : Number(o.read_timeout),
      });
    }
    case 'git': {
      const { GitStore } = await import('./git/store.js');
      const url = spec.url === 'git' ? await originUrl(ctx.repoRoot, spec.name) : gitUrl(spec.url.slice(4), ctx.configDir);
      const branch = o.branch ?? 'mlpipe-storage';
      const key = createHash('sha1').update(`${url}#${branch}`).digest('hex').slice(0, 16);
      return new GitStore({
        url,
        branch,
        workDir: join(ctx.tmpDir, 'git-remotes', key),
        maxObjectBytes: o.max_object_size === undefined ? undefined : parseSize(o.max_object_size),
      });
    }
  }
}

/** A relative path (no scheme, not scp-like `host:path`) is a local repository relative to `base`. */
function gitUrl(url: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url) || isAbsolute(url)) return url;
  return resolve(base, url);
}

async function originUrl(repoRoot: string, name: string): Promise<string> {
  const res = await runGit(['remote', 'get-url', 'origin'], { cwd: repoRoot });
  if (res.code !== 0) {
    throw new MlpipeError('E_REMOTE_NOT_FOUND', `remote ${name} stores data on the project's git origin, and there is none`, {
      expected: 'a git remote named origin (`git remote -v`)',
      received: res.stderr.trim(),
      hint: `add one with \`git remote add origin URL\`, or point the remote elsewhere: \`mlpipe remote modify ${name} url git+URL\``,
    });
  }
  // A relative origin (`git remote add origin ../data.git`) is relative to the work tree.
  return gitUrl(res.stdout.trim(), repoRoot);
}
