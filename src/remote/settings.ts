import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import {
  type Config,
  type ConfigValue,
  getConfigValue,
  namedSection,
  parseConfig,
  serializeConfig,
  setConfigValue,
  unsetConfigValue,
} from '../core/formats/config.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { openRepo } from '../core/repo/open.js';
import { MlpipeError, isErrnoException } from '../errors.js';
import { PATH_KEYS, checkValue, dvcOrder, remoteOptionKeys, storedPath } from './config.js';

/**
 * `mlpipe config`: DVC's `dvc config` over the same four files (dvc-format.md §3.5): system
 * (`$DVC_SYSTEM_CONFIG_DIR` or /etc/xdg/dvc), global (`$DVC_GLOBAL_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/dvc`, else ~/.config/dvc), repo (`.dvc/config`) and local (`.dvc/config.local`).
 * Names are `section.option` (core, cache) or `remote.NAME.option`, as DVC spells them.
 */
export type ConfigLevel = 'system' | 'global' | 'repo' | 'local';
const LEVELS: ConfigLevel[] = ['system', 'global', 'repo', 'local'];

/** Options of the plain sections mlpipe writes, with DVC's value types. */
const SECTIONS: Record<string, Record<string, 'bool' | 'int' | 'str' | 'path'>> = {
  core: {
    remote: 'str', checksum_jobs: 'int', interactive: 'bool', analytics: 'bool', hardlink_lock: 'bool', no_scm: 'bool',
    autostage: 'bool', check_update: 'bool', site_cache_dir: 'path',
  },
  cache: {
    dir: 'path', type: 'str', protected: 'bool', shared: 'str', slow_link_warning: 'bool', local: 'str', s3: 'str', gs: 'str',
    ssh: 'str', azure: 'str', hdfs: 'str', webhdfs: 'str',
  },
};
const CACHE_TYPES = ['reflink', 'hardlink', 'symlink', 'copy'];

interface Parsed {
  /** `core`, `remote "name"` */
  section: string;
  key: string;
  /** `core.autostage`, `remote.name.key` */
  name: string;
  type: 'bool' | 'int' | 'str' | 'path';
}

function parseName(name: string): Parsed {
  const parts = name.toLowerCase().split('.');
  const bad = (why: string) =>
    new MlpipeError('E_BAD_INPUT', `'${name}' is not a config option: ${why}`, {
      expected: `core.OPTION, cache.OPTION or remote.NAME.OPTION (core: ${Object.keys(SECTIONS.core ?? {}).join(', ')}; cache: ${Object.keys(SECTIONS.cache ?? {}).join(', ')})`,
      received: name,
    });
  if (parts[0] === 'remote') {
    if (parts.length !== 3 || !parts[1] || !parts[2]) throw bad('a remote option is remote.NAME.OPTION');
    const key = parts[2];
    if (!remoteOptionKeys().has(key)) throw bad(`no remote type has an option '${key}'`);
    return { section: namedSection('remote', parts[1]), key, name: parts.join('.'), type: PATH_KEYS.has(key) ? 'path' : 'str' };
  }
  const section = SECTIONS[parts[0] ?? ''];
  if (parts.length !== 2 || !section) throw bad('mlpipe edits the core, cache and remote sections');
  const type = section[parts[1] as string];
  if (!type) throw bad(`the ${parts[0]} section has no option '${parts[1]}'`);
  return { section: parts[0] as string, key: parts[1] as string, name: parts.join('.'), type };
}

function checkTyped(p: Parsed, value: string): void {
  if (p.type === 'bool' && !/^(true|false)$/i.test(value)) {
    throw new MlpipeError('E_BAD_INPUT', `${p.name} must be true or false`, { expected: 'true or false', received: value });
  }
  if (p.type === 'int' && !/^\d+$/.test(value)) {
    throw new MlpipeError('E_BAD_INPUT', `${p.name} must be a whole number`, { expected: 'a whole number', received: value });
  }
  if (p.name === 'cache.type' && !value.split(',').every((t) => CACHE_TYPES.includes(t.trim()))) {
    throw new MlpipeError('E_BAD_INPUT', 'cache.type must list link types', { expected: CACHE_TYPES.join(', '), received: value });
  }
  if (p.section.startsWith('remote ')) checkValue(p.name, p.key, value);
}

/** The file of a level; repo and local need a repository (found from `cwd`). */
export function configFile(level: ConfigLevel, cwd: string): { path: string; label: string } {
  const env = process.env;
  if (level === 'system') return { path: join(env.DVC_SYSTEM_CONFIG_DIR ?? '/etc/xdg/dvc', 'config'), label: '' };
  if (level === 'global') {
    const dir = env.DVC_GLOBAL_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'dvc');
    return { path: join(dir, 'config'), label: '' };
  }
  const repo = openRepo(cwd);
  repo.close();
  const path = join(repo.dvcDir, level === 'repo' ? 'config' : 'config.local');
  return { path, label: relative(cwd, path) };
}

function readLevel(path: string): Config {
  try {
    return parseConfig(readFileSync(path, 'utf8'), path);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return new Map();
    throw err;
  }
}

function display(value: ConfigValue): string {
  return Array.isArray(value) ? value.join(',') : value;
}

/** A stored path as DVC prints it: `~` expanded, a relative one resolved against the file's folder. */
function resolvedPath(value: string, file: string): string {
  if (/^\w+:\/\//.test(value)) return value;
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  return resolve(dirname(file), value);
}

export interface ConfigEntry {
  /** The file, relative to the working directory for repo/local (what `--show-origin` prints). */
  file: string;
  level: ConfigLevel;
  name: string;
  value: string;
}

/**
 * Every option of the level (or of all levels, system first), flattened as DVC's `config --list`
 * prints them: remote sections before the plain ones, paths resolved.
 */
export function listConfig(options: { cwd: string; level?: ConfigLevel }): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (const level of options.level ? [options.level] : LEVELS) {
    let file: { path: string; label: string };
    try {
      file = configFile(level, options.cwd);
    } catch (err) {
      // Outside a repository, `--list` shows the system and global levels only.
      if (!options.level && err instanceof MlpipeError && err.code === 'E_NOT_A_REPO') continue;
      throw err;
    }
    const config = readLevel(file.path);
    const named = [...config].filter(([s]) => /^\s*(remote|machine|db)\s*"/.test(s));
    const plain = [...config].filter(([s]) => !/^\s*(remote|machine|db)\s*"/.test(s));
    for (const [section, values] of [...named, ...plain]) {
      const m = /^\s*(remote|machine|db)\s*"(.*)"\s*$/.exec(section);
      const prefix = m ? `${m[1]}.${m[2]}` : section;
      for (const [key, raw] of values) {
        const isPath = key === 'url' ? !/^\w+:\/\//.test(display(raw)) && m?.[1] === 'remote' : PATH_KEYS.has(key) || (section === 'cache' && key === 'dir');
        const value = isPath ? resolvedPath(display(raw), file.path) : display(raw);
        entries.push({ file: file.label || file.path, level, name: `${prefix}.${key}`, value });
      }
    }
  }
  return entries;
}

/** The value an option has: from the given level, else the last level that sets it (local wins). */
export function getConfig(options: { cwd: string; name: string; level?: ConfigLevel }): { name: string; value: string; level: ConfigLevel } {
  const p = parseName(options.name);
  const levels = options.level ? [options.level] : [...LEVELS].reverse();
  for (const level of levels) {
    let path: string;
    try {
      path = configFile(level, options.cwd).path;
    } catch (err) {
      if (!options.level && err instanceof MlpipeError && err.code === 'E_NOT_A_REPO') continue;
      throw err;
    }
    const value = getConfigValue(readLevel(path), p.section, p.key);
    if (value !== undefined) return { name: p.name, value: display(value), level };
  }
  throw new MlpipeError('E_NOT_FOUND', `option '${p.name}' is not set`, {
    hint: `set it with \`mlpipe config ${options.level && options.level !== 'repo' ? `--${options.level} ` : ''}${p.name} VALUE\``,
  });
}

/** Sets (or with `value` undefined, unsets) an option in one level's file (default: the repo's .dvc/config). */
export function setConfig(options: { cwd: string; name: string; value?: string; level?: ConfigLevel }): {
  name: string;
  value?: string;
  file: string;
} {
  const p = parseName(options.name);
  const level = options.level ?? 'repo';
  const file = configFile(level, options.cwd);
  const config = readLevel(file.path);
  const before = serializeConfig(dvcOrder(config));
  if (options.value === undefined) {
    if (!unsetConfigValue(config, p.section, p.key)) {
      throw new MlpipeError('E_NOT_FOUND', `option '${p.name}' is not set in ${file.label || file.path}`, {
        hint: 'see what is set with `mlpipe config --list --show-origin`',
      });
    }
  } else {
    checkTyped(p, options.value);
    const value = p.type === 'path' ? storedPath(options.value, options.cwd, dirname(file.path)) : options.value;
    setConfigValue(config, p.section, p.key, value);
  }
  const text = serializeConfig(dvcOrder(config));
  if (text !== before) {
    mkdirSync(dirname(file.path), { recursive: true }); // the global folder may not exist yet
    writeFileAtomic(file.path, text);
  }
  return { name: p.name, ...(options.value === undefined ? {} : { value: options.value }), file: file.label || file.path };
}
