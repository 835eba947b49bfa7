import { execFileSync } from 'node:child_process';
import { posix } from 'node:path';
import { MlpipeError } from '../errors.js';
import { parseLock } from '../core/formats/dvclock.js';
import type { Repo } from '../core/repo/open.js';
import { readFileAt } from '../core/repo/read-at.js';
import { resolveArtifact } from './artifacts.js';
import type { CardInput } from './card.js';
import type { MetricsAt } from './listing.js';
import { loadState } from './load.js';
import { parseShortcut } from './names.js';
import { resolveVersion } from './resolve.js';

function gitRead(gitRoot: string, commit: string, path: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${commit}:${path}`], { cwd: gitRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Everything a model card of NAME[@V|#STAGE] shows, read at the version's commit. */
export function loadCardInput(repo: Repo, query: string, metricsAt: MetricsAt): CardInput {
  const gitRoot = repo.gitRoot;
  if (!gitRoot) throw new MlpipeError('E_NOT_A_GIT_REPO', 'model cards read the registry, which lives in git tags', { hint: 'run inside a git work tree' });
  const state = loadState(gitRoot);
  const version = resolveVersion(state, query);
  const name = parseShortcut(query).name;
  const prefix = posix.relative(gitRoot.split('\\').join('/'), repo.root.split('\\').join('/'));
  const atCommit = (p: string) => gitRead(gitRoot, version.commit, prefix ? `${prefix}/${p}` : p);
  const decl = resolveArtifact(name, atCommit);
  const model = JSON.parse(readFileAt(repo, version.commit, posix.join(decl.repoPath, 'model.json')).toString('utf8')) as Record<string, unknown>;
  const lockText = atCommit(posix.join(posix.dirname(decl.ref.dvcYaml), 'dvc.lock'));
  const lockDeps: CardInput['lockDeps'] = [];
  if (lockText !== undefined) {
    for (const stage of parseLock(lockText).stages.values()) {
      if (!stage.outs.some((o) => o.path === decl.path || decl.path.startsWith(`${o.path}/`))) continue;
      for (const d of stage.deps) if (d.md5 && !/\.(?:m?js|cjs|ts|py|sh)$/.test(d.path)) lockDeps.push({ path: d.path, md5: d.md5 });
    }
  }
  const artifact = state.artifacts.get(name);
  const stages = artifact ? [...artifact.stageMap({ sort: 'timestamp' }).values()].flat().filter((s) => s.version === version.version).map((s) => s.stage) : [];
  return { name, version, stages, declaration: decl, model, lockDeps, metrics: metricsAt(version.commit) };
}
