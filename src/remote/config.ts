import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  type Config,
  type ConfigValue,
  getConfigValue,
  mergeConfigs,
  namedSection,
  namedSections,
  parseConfig,
  removeConfigSection,
  serializeConfig,
  setConfigValue,
  unsetConfigValue,
} from '../core/formats/config.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { openRepo } from '../core/repo/open.js';
import { MlpipeError, isErrnoException } from '../errors.js';
import { type RemoteKind, type RemoteSpec, remoteKind } from './stores/open.js';

/**
 * Remotes live where DVC reads them: `[ 'remote "name"' ]` sections of `.dvc/config` (secrets in
 * `.dvc/config.local`), with `core.remote` naming the default (dvc-format.md §3.5). The exception is
 * the git remote, which only mlpipe knows: a real DVC would take `git+...` for a folder path and
 * silently write into a folder of that name, and rejects keys it does not know. Git remotes (and the
 * default, when it is one) therefore go to `.dvc/mlpipe.config`, same syntax, a file DVC never reads.
 */
export const MLPIPE_CONFIG = 'mlpipe.config';

type FileId = 'config' | 'config.local' | typeof MLPIPE_CONFIG;

/** Keys DVC's config schema accepts per remote type (DVC refuses unknown ones), plus git's own. */
const COMMON_KEYS = ['url', 'jobs', 'checksum_jobs', 'verify', 'version_aware', 'worktree'];
const KEYS: Record<RemoteKind, string[]> = {
  local: COMMON_KEYS,
  s3: [
    ...COMMON_KEYS,
    'region', 'profile', 'credentialpath', 'configpath', 'endpointurl', 'access_key_id', 'secret_access_key',
    'session_token', 'use_ssl', 'ssl_verify', 'listobjects', 'sse', 'sse_kms_key_id', 'acl', 'read_timeout', 'connect_timeout',
  ],
  gs: [...COMMON_KEYS, 'projectname', 'credentialpath', 'endpointurl'],
  azure: [
    ...COMMON_KEYS,
    'account_name', 'account_key', 'connection_string', 'sas_token', 'tenant_id', 'client_id', 'client_secret',
    'allow_anonymous_login', 'exclude_environment_credential', 'exclude_visual_studio_code_credential',
    'exclude_shared_token_cache_credential', 'exclude_managed_identity_credential', 'timeout', 'read_timeout', 'connect_timeout',
  ],
  ssh: [
    ...COMMON_KEYS,
    'type', 'port', 'user', 'password', 'ask_password', 'passphrase', 'ask_passphrase', 'keyfile', 'timeout', 'gss_auth',
    'allow_agent', 'max_sessions',
  ],
  http: [
    ...COMMON_KEYS,
    'auth', 'custom_auth_header', 'user', 'password', 'ask_password', 'ssl_verify', 'method', 'read_timeout', 'connect_timeout',
  ],
  webdav: [
    ...COMMON_KEYS,
    'user', 'password', 'ask_password', 'token', 'custom_auth_header', 'cert_path', 'key_path', 'timeout', 'ssl_verify',
  ],
  git: ['url', 'branch', 'max_object_size', 'jobs'],
};

const FILES: FileId[] = ['config', 'config.local', MLPIPE_CONFIG];

/** Every option some remote type accepts (what `mlpipe config remote.NAME.OPTION` may set). */
export function remoteOptionKeys(): Set<string> {
  return new Set(Object.values(KEYS).flat());
}

interface ConfigFiles {
  root: string;
  dvcDir: string;
  files: Record<FileId, Config>;
  /** Each file as serialized when loaded: only files whose content changed are rewritten. */
  loaded: Record<FileId, string>;
}

function load(cwd: string): ConfigFiles {
  const repo = openRepo(cwd); // E_NOT_A_REPO outside a repository
  repo.close();
  const { root, dvcDir } = repo;
  const read = (name: FileId): Config => {
    try {
      return parseConfig(readFileSync(join(dvcDir, name), 'utf8'), `.dvc/${name}`);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return new Map();
      throw err;
    }
  };
  const files = { config: read('config'), 'config.local': read('config.local'), [MLPIPE_CONFIG]: read(MLPIPE_CONFIG) };
  const loaded = Object.fromEntries(FILES.map((id) => [id, serializeConfig(dvcOrder(files[id]))])) as Record<FileId, string>;
  return { root, dvcDir, files, loaded };
}

/**
 * DVC writes plain sections (`core`, `cache`, ...) first and the named ones (`remote "x"`) after
 * them (`_pack_remotes` in dvc/config.py), whatever order they were added in.
 */
export function dvcOrder(config: Config): Config {
  const named = (name: string) => /^\s*(remote|machine|db)\s*"/.test(name);
  const entries = [...config];
  return new Map([...entries.filter(([n]) => !named(n)), ...entries.filter(([n]) => named(n))]);
}

/** Rewrites (atomically) the files whose content changed. */
function save(cf: ConfigFiles): void {
  for (const id of FILES) {
    const text = serializeConfig(dvcOrder(cf.files[id]));
    if (text !== cf.loaded[id]) writeFileAtomic(join(cf.dvcDir, id), text);
  }
}

/** Every remote with its effective options (repo < local), and which file defines it. */
function remotesOf(cf: ConfigFiles): Map<string, { spec: RemoteSpec; file: FileId }> {
  const out = new Map<string, { spec: RemoteSpec; file: FileId }>();
  const dvc = mergeConfigs(cf.files.config, cf.files['config.local']);
  for (const [file, config] of [['config', dvc], [MLPIPE_CONFIG, cf.files[MLPIPE_CONFIG]]] as const) {
    for (const name of namedSections(config, 'remote')) {
      const section = config.get(namedSection('remote', name)) ?? new Map<string, ConfigValue>();
      const options = Object.fromEntries([...section].map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      const { url, ...rest } = options;
      if (url === undefined) continue;
      out.set(name, { spec: { name, url, options: rest }, file });
    }
  }
  return out;
}

/** The default remote: mlpipe.config's `core.remote` (a git remote) wins, else DVC's. */
function defaultOf(cf: ConfigFiles): string | undefined {
  const pick = (c: Config) => {
    const v = getConfigValue(c, 'core', 'remote');
    return typeof v === 'string' && v !== '' ? v.toLowerCase() : undefined;
  };
  return pick(cf.files[MLPIPE_CONFIG]) ?? pick(mergeConfigs(cf.files.config, cf.files['config.local']));
}

function notFound(name: string, known: string[]): MlpipeError {
  return new MlpipeError('E_NOT_FOUND', `remote '${name}' doesn't exist`, {
    expected: known.length ? `one of: ${known.join(', ')}` : 'a configured remote',
    received: name,
    hint: 'list them with `mlpipe remote list`, or add one with `mlpipe remote add NAME URL`',
  });
}

/** Remote options that name a local file: stored relative to `.dvc/` like a local URL (`_map_dirs` in dvc/config.py). */
export const PATH_KEYS = new Set(['credentialpath', 'keyfile', 'cert_path', 'key_path', 'gdrive_user_credentials_file', 'gdrive_service_account_json_file_path']);

/** Options DVC's schema types as `Bool` (only true/false) or as a whole number: other values are refused as DVC does. */
const BOOL_KEYS = new Set([
  'verify', 'version_aware', 'worktree', 'use_ssl', 'ssl_verify', 'listobjects', 'ask_password', 'ask_passphrase', 'gss_auth',
  'allow_agent', 'allow_anonymous_login', 'exclude_environment_credential', 'exclude_visual_studio_code_credential',
  'exclude_shared_token_cache_credential', 'exclude_managed_identity_credential',
]);
const INT_KEYS = new Set(['jobs', 'checksum_jobs', 'port', 'timeout', 'read_timeout', 'connect_timeout', 'max_sessions']);

/** Refuses a value DVC's config schema would refuse (DVC then fails on every command until fixed by hand). */
export function checkValue(where: string, key: string, value: string): void {
  if (BOOL_KEYS.has(key) && !/^(true|false)$/i.test(value)) {
    throw new MlpipeError('E_BAD_INPUT', `${where}: ${key} must be true or false`, { expected: 'true or false', received: value });
  }
  if (key === 'auth' && !/^(basic|digest|custom)$/.test(value)) {
    throw new MlpipeError('E_BAD_INPUT', `${where}: auth must be basic, digest or custom`, { expected: 'basic, digest or custom', received: value });
  }
  if (INT_KEYS.has(key) && !/^\d+$/.test(value)) {
    throw new MlpipeError('E_BAD_INPUT', `${where}: ${key} must be a whole number`, { expected: 'a whole number', received: value });
  }
}

/**
 * DVC stores a relative path relative to `.dvc/` (where it resolves it), `~` as typed, and an
 * absolute path or URL as it is (`Config._to_relpath`).
 */
export function storedPath(path: string, cwd: string, dvcDir: string): string {
  if (/^\w+:\/\//.test(path) || path === '~' || path.startsWith('~/') || isAbsolute(path)) return path;
  return relative(dvcDir, resolve(cwd, path)).split(sep).join('/');
}

/**
 * A relative local URL is stored relative to `.dvc/`, so `remote add s ../r` run at the repo root is
 * written as `url = ../../r` (golden file push-local-remote).
 */
function storedUrl(url: string, cwd: string, dvcDir: string): string {
  const kind = remoteKind(url);
  const rel = (p: string) => storedPath(p, cwd, dvcDir);
  if (kind === 'local') return rel(url);
  if (kind === 'git' && url.startsWith('git+') && !/^[a-z][a-z0-9+.-]*:\/\/|^[^/]+@[^/]+:/i.test(url.slice(4))) {
    return `git+${rel(url.slice(4))}`;
  }
  return url;
}

export interface AddRemoteOptions {
  cwd: string;
  name: string;
  url: string;
  /** Make it the default remote (`-d`). */
  default?: boolean;
  /** Write to `.dvc/config.local` (not committed). */
  local?: boolean;
  /** Replace an existing remote of that name. */
  force?: boolean;
}

export interface RemoteInfo {
  name: string;
  url: string;
  /** `unsupported`: a DVC remote type mlpipe cannot transfer with (gs://, ssh://, ...). */
  kind: RemoteKind | 'unsupported';
  default: boolean;
  /** The file that defines it, relative to the repo root. */
  file: string;
}

function fileFor(kind: RemoteKind, local: boolean | undefined, name: string): FileId {
  if (kind !== 'git') return local ? 'config.local' : 'config';
  if (local) {
    throw new MlpipeError('E_USAGE', `--local does not apply to the git remote '${name}'`, {
      hint: 'git remotes live in .dvc/mlpipe.config and need no secrets (git uses its own credentials)',
    });
  }
  return MLPIPE_CONFIG;
}

/** Points `core.remote` at `name` in the one place that should hold it, clearing the others. */
function placeDefault(cf: ConfigFiles, name: string | undefined, file: FileId): void {
  for (const id of FILES) unsetConfigValue(cf.files[id], 'core', 'remote');
  if (name !== undefined) setConfigValue(cf.files[file], 'core', 'remote', name);
}

export function addRemote(options: AddRemoteOptions): RemoteInfo {
  const cf = load(options.cwd);
  const name = options.name.toLowerCase();
  const kind = remoteKind(options.url);
  const file = fileFor(kind, options.local, name);
  const existing = remotesOf(cf).get(name);
  if (existing && !options.force) {
    throw new MlpipeError('E_CONFLICT', `remote '${name}' already exists`, {
      received: existing.spec.url,
      hint: `use \`mlpipe remote add -f ${name} URL\` to overwrite it, or \`mlpipe remote modify ${name} url URL\``,
    });
  }
  const wasDefault = defaultOf(cf) === name;
  const section = namedSection('remote', name);
  for (const id of FILES) removeConfigSection(cf.files[id], section);
  const url = storedUrl(options.url, options.cwd, cf.dvcDir);
  setConfigValue(cf.files[file], section, 'url', url);
  // A replaced default stays the default, moved to the file that now defines it.
  if (options.default || wasDefault) placeDefault(cf, name, file);
  save(cf);
  return { name, url, kind, default: defaultOf(cf) === name, file: `.dvc/${file}` };
}

export interface ModifyRemoteOptions {
  cwd: string;
  name: string;
  key: string;
  value?: string;
  unset?: boolean;
  local?: boolean;
}

export function modifyRemote(options: ModifyRemoteOptions): { name: string; key: string; value?: string; file: string } {
  const cf = load(options.cwd);
  const name = options.name.toLowerCase();
  const key = options.key.toLowerCase();
  const remotes = remotesOf(cf);
  const remote = remotes.get(name);
  if (!remote) throw notFound(name, [...remotes.keys()]);
  const kind = remoteKind(remote.spec.url);
  if (!KEYS[kind].includes(key)) {
    throw new MlpipeError('E_BAD_INPUT', `'${key}' is not an option of ${kind} remotes`, {
      expected: `one of: ${KEYS[kind].join(', ')}`,
      received: key,
      hint: 'DVC refuses a config with unknown keys, so mlpipe does not write them',
    });
  }
  if (key === 'url' && options.value !== undefined && (remoteKind(options.value) === 'git') !== (kind === 'git')) {
    throw new MlpipeError('E_BAD_INPUT', `cannot turn remote '${name}' into a different kind of remote`, {
      hint: `remove it and add it again: \`mlpipe remote remove ${name} && mlpipe remote add ${name} URL\``,
    });
  }
  const file = fileFor(kind, options.local, name);
  const section = namedSection('remote', name);
  if (options.unset) {
    if (key === 'url') throw new MlpipeError('E_BAD_INPUT', 'a remote needs its url', { hint: `mlpipe remote remove ${name}` });
    unsetConfigValue(cf.files[file], section, key);
  } else {
    if (options.value === undefined) throw new MlpipeError('E_USAGE', `missing the value for ${key}`);
    checkValue(`remote ${name}`, key, options.value);
    const value =
      key === 'url'
        ? storedUrl(options.value, options.cwd, cf.dvcDir)
        : PATH_KEYS.has(key)
          ? storedPath(options.value, options.cwd, cf.dvcDir)
          : options.value;
    setConfigValue(cf.files[file], section, key, value);
  }
  save(cf);
  return { name, key, ...(options.unset ? {} : { value: options.value }), file: `.dvc/${file}` };
}

export function listRemotes(options: { cwd: string }): RemoteInfo[] {
  const cf = load(options.cwd);
  const def = defaultOf(cf);
  const kindOf = (url: string) => {
    try {
      return remoteKind(url);
    } catch {
      return 'unsupported' as const;
    }
  };
  return [...remotesOf(cf).values()].map(({ spec, file }) => ({
    name: spec.name,
    url: spec.url,
    kind: kindOf(spec.url),
    default: spec.name === def,
    file: `.dvc/${file}`,
  }));
}

export function removeRemote(options: { cwd: string; name: string }): { name: string } {
  const cf = load(options.cwd);
  const name = options.name.toLowerCase();
  const remotes = remotesOf(cf);
  if (!remotes.has(name)) throw notFound(name, [...remotes.keys()]);
  const section = namedSection('remote', name);
  for (const id of FILES) {
    removeConfigSection(cf.files[id], section);
    if (getConfigValue(cf.files[id], 'core', 'remote') === name) unsetConfigValue(cf.files[id], 'core', 'remote');
  }
  save(cf);
  return { name };
}

/**
 * Renames a remote in every file that holds a part of it (its section moves to the end of each, as
 * DVC's rename does), and the default follows. DVC itself renames only the one file it is told
 * (`.dvc/config` by default) and leaves the `--local` secrets under the old name, after which every
 * DVC command fails (golden case remote-configs/rename-pitfall); moving both parts avoids that.
 */
export function renameRemote(options: { cwd: string; name: string; newName: string }): { name: string; newName: string; files: string[] } {
  const cf = load(options.cwd);
  const name = options.name.toLowerCase();
  const newName = options.newName.toLowerCase();
  const remotes = remotesOf(cf);
  if (!remotes.has(name)) throw notFound(name, [...remotes.keys()]);
  if (remotes.has(newName) || FILES.some((id) => cf.files[id].has(namedSection('remote', newName)))) {
    throw new MlpipeError('E_CONFLICT', `remote '${newName}' already exists`, {
      hint: `remove it first (\`mlpipe remote remove ${newName}\`) or pick another name`,
    });
  }
  const from = namedSection('remote', name);
  const to = namedSection('remote', newName);
  const files: string[] = [];
  for (const id of FILES) {
    const section = cf.files[id].get(from);
    if (section) {
      cf.files[id].delete(from);
      cf.files[id].set(to, section);
      files.push(`.dvc/${id}`);
    }
    if (getConfigValue(cf.files[id], 'core', 'remote') === name) setConfigValue(cf.files[id], 'core', 'remote', newName);
  }
  save(cf);
  return { name, newName, files };
}

/** Sets (or with `name` undefined, clears) the default remote. */
export function setDefaultRemote(options: { cwd: string; name?: string; local?: boolean }): { default?: string } {
  const cf = load(options.cwd);
  if (options.name === undefined) {
    placeDefault(cf, undefined, 'config');
    save(cf);
    return {};
  }
  const name = options.name.toLowerCase();
  const remotes = remotesOf(cf);
  const remote = remotes.get(name);
  if (!remote) throw notFound(name, [...remotes.keys()]);
  const file = fileFor(remoteKind(remote.spec.url), options.local, name);
  placeDefault(cf, name, file);
  save(cf);
  return { default: name };
}

/** The remote to use: `name` if given, else the default; clear errors when there is none. */
export function resolveRemote(cwd: string, name?: string): { spec: RemoteSpec; root: string; dvcDir: string } {
  const cf = load(cwd);
  const remotes = remotesOf(cf);
  const wanted = name?.toLowerCase() ?? defaultOf(cf);
  if (wanted === undefined) {
    throw new MlpipeError('E_REMOTE_NOT_FOUND', 'no remote given and no default remote is set', {
      hint: remotes.size
        ? `pass \`-r NAME\` (one of: ${[...remotes.keys()].join(', ')}) or set one with \`mlpipe remote default NAME\``
        : 'add one with `mlpipe remote add -d NAME URL`',
    });
  }
  const remote = remotes.get(wanted);
  if (!remote) throw notFound(wanted, [...remotes.keys()]);
  return { spec: remote.spec, root: cf.root, dvcDir: cf.dvcDir };
}
