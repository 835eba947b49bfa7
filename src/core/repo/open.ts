import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { MlpipeError } from '../../errors.js';
import { type Config, type ConfigValue, getConfigValue, mergeConfigs, parseConfig } from '../formats/config.js';
import { LocalOdb } from '../odb/local.js';
import { requireRepoRoot } from './find-root.js';
import { DvcIgnore } from './ignore.js';
import { RepoLock } from './lock.js';
import { StateDb } from './state.js';

/** How a workspace file is materialised from the cache (`cache.type`, §2.3). */
export type LinkType = 'reflink' | 'hardlink' | 'symlink' | 'copy';

export interface Repo {
  /** Absolute path of the folder holding `.dvc/`. */
  root: string;
  dvcDir: string;
  /** `.dvc/config` merged with `.dvc/config.local` (keys lower-cased). */
  config: Config;
  cache: LocalOdb;
  /** `cache.type` in order of preference (default reflink, copy). */
  linkTypes: LinkType[];
  /** Root of the git work tree, or undefined (no git, or `core.no_scm`). */
  gitRoot: string | undefined;
  ignore: DvcIgnore;
  /** The hash cache, opened on first use. */
  state(): StateDb;
  lock: RepoLock;
  /** Runs `fn` holding the repo lock (E_LOCKED if another process has it). */
  withLock<T>(fn: () => Promise<T> | T): Promise<T>;
  close(): void;
}

const require = createRequire(import.meta.url);

/** Opens the repository containing `cwd` (E_NOT_A_REPO when there is none). */
export function openRepo(cwd: string): Repo {
  const root = requireRepoRoot(cwd);
  const dvcDir = join(root, '.dvc');
  const config = mergeConfigs(readConfig(join(dvcDir, 'config')), readConfig(join(dvcDir, 'config.local')));
  const cacheDir = pathValue(getConfigValue(config, 'cache', 'dir'));
  const cache = new LocalOdb(cacheDir ? resolve(dvcDir, cacheDir) : join(dvcDir, 'cache'));
  const noScm = String(getConfigValue(config, 'core', 'no_scm') ?? '').toLowerCase() === 'true';
  const lock = new RepoLock(join(dvcDir, 'tmp', 'lock'));
  let state: StateDb | undefined;
  return {
    root,
    dvcDir,
    config,
    cache,
    linkTypes: parseLinkTypes(getConfigValue(config, 'cache', 'type')),
    gitRoot: noScm ? undefined : findGitRootOf(root),
    ignore: new DvcIgnore(root),
    state() {
      if (!state) {
        const Database = require('better-sqlite3') as typeof BetterSqlite3;
        state = new StateDb(Database, join(dvcDir, 'tmp', 'mlpipe-state.db'), sqliteAddon());
      }
      return state;
    },
    lock,
    withLock: (fn) => lock.with(fn),
    close() {
      state?.close();
      state = undefined;
    },
  };
}

/**
 * better-sqlite3's compiled addon where `npm install` builds it. Without this path the package finds
 * it through `bindings`, which probes a dozen candidate paths by throwing and catching errors: 10-20
 * ms of every command that opens the state DB (a no-op `status`). Elsewhere (another layout, a
 * prebuilt binary) the package's own lookup is kept.
 */
function sqliteAddon(): string | undefined {
  try {
    const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    return existsSync(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}

/** Opens the repository containing `cwd`, runs `fn`, and closes it (the state DB) whatever happens. */
export async function withRepo<T>(cwd: string, fn: (repo: Repo) => Promise<T>): Promise<T> {
  const repo = openRepo(cwd);
  try {
    return await fn(repo);
  } finally {
    repo.close();
  }
}

function readConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Map();
  }
  return parseConfig(text, path);
}

function pathValue(v: ConfigValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v.replace(/^~(?=\/|$)/, process.env.HOME ?? '~') : undefined;
}

const LINK_TYPES: LinkType[] = ['reflink', 'hardlink', 'symlink', 'copy'];

/** `cache.type`: a configobj list or a comma-separated string (§2.3, §3.5). */
export function parseLinkTypes(value: ConfigValue | undefined): LinkType[] {
  if (value === undefined) return ['reflink', 'copy'];
  const items = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const item of items) {
    if (!LINK_TYPES.includes(item as LinkType)) {
      throw new MlpipeError('E_BAD_INPUT', `unknown cache.type ${JSON.stringify(item)}`, {
        expected: 'a comma-separated list of reflink, hardlink, symlink, copy',
        received: String(value),
        hint: 'fix `type` under [cache] in .dvc/config',
      });
    }
  }
  return items.length ? (items as LinkType[]) : ['reflink', 'copy'];
}

/** The nearest folder from `start` upward holding `.git` (a folder, or a file for worktrees). */
export function findGitRootOf(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
