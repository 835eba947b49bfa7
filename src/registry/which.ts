import { MlpipeError } from '../errors.js';
import { resolveCommit } from './git-tags.js';
import { parseShortcut } from './names.js';
import { resolveVersion } from './resolve.js';
import type { RegistryState } from './state.js';

/**
 * The model a deployment or an inference run should use, from what a person typed: `NAME#STAGE`,
 * `NAME@latest`, `NAME@vX.Y.Z`, or any git ref; with nothing typed, the version in `stage` (prod),
 * else the latest registered version, else the fallback ref (main). The workflows call this.
 */
export interface Which {
  commit: string;
  /** The registration tag of the version, or the git ref as given. */
  ref: string;
  version: string | null;
  how: 'stage' | 'version' | 'latest' | 'ref' | 'fallback';
}

export interface WhichOptions {
  query?: string;
  /** The artifact to look up when no query is given. */
  name?: string;
  stage?: string;
  fallback?: string;
}

export function which(gitRoot: string, state: RegistryState, o: WhichOptions): Which {
  const fromVersion = (query: string, how: Which['how']): Which => {
    const v = resolveVersion(state, query);
    return { commit: v.commit, ref: v.authoring.tag ?? v.commit, version: v.version, how };
  };
  const query = o.query?.trim();
  if (query) {
    const s = parseShortcut(query);
    if (s.shortcut && state.artifacts.has(s.name)) return fromVersion(query, s.stage ? 'stage' : s.latest ? 'latest' : 'version');
    return { commit: resolveCommit(gitRoot, query), ref: query, version: null, how: 'ref' };
  }
  if (!o.name) throw new MlpipeError('E_USAGE', 'give a model (NAME#STAGE, NAME@latest, NAME@vX.Y.Z or a git ref), or --name for the defaults');
  const artifact = state.artifacts.get(o.name);
  const stage = o.stage ?? 'prod';
  if (artifact?.isActive && artifact.inStage(stage)) return fromVersion(`${o.name}#${stage}`, 'stage');
  if (artifact?.isActive && artifact.latest(true)) return fromVersion(`${o.name}@latest`, 'latest');
  const fallback = o.fallback ?? 'main';
  return { commit: resolveCommit(gitRoot, fallback), ref: fallback, version: null, how: 'fallback' };
}
