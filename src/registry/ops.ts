import { spawnSync } from 'node:child_process';
import { MlpipeError } from '../errors.js';
import { createAnnotatedTag, listTagNames, resolveCommit } from './git-tags.js';
import { loadState } from './load.js';
import { assertArtifactName, assertStageName, assertVersion, nameToTag, parseTagName } from './names.js';
import { type Bump, MINIMAL_VERSION, bumpSemver } from './semver.js';
import { Artifact, type RegistryState, type Version } from './state.js';

/**
 * The registry's writes: each one checks the current state, then creates one annotated tag named
 * and worded exactly as GTO 1.8 does (`gto:gto/registry.py`). Registration, deregistration and
 * deprecation tags are "simple" (`churn@v1.0.0`, `churn@v1.0.1!`, `churn@deprecated`); stage tags
 * carry a counter, one more than the highest `#N` of any tag of the artifact
 * (`churn#prod#1`, `churn#staging!#3`).
 */
export interface TagCreated {
  tag: string;
  artifact: string;
  version: string;
  commit: string;
  stage?: string;
  event: 'registration' | 'deregistration' | 'assignment' | 'unassignment' | 'deprecation';
  /** GTO's line, e.g. "Created git tag 'churn@v1.0.0' that registers version". */
  summary: string;
  pushed: boolean;
}

interface Common {
  /** Tag message instead of GTO's default. */
  message?: string;
  /** Push the tag to `origin` right away. */
  push?: boolean;
  force?: boolean;
}

function artifactOf(state: RegistryState, name: string): Artifact {
  return state.artifacts.get(name) ?? new Artifact(name);
}

function nextCounter(gitRoot: string, name: string): number {
  let max = 0;
  for (const t of listTagNames(gitRoot)) {
    const p = parseTagName(t);
    if (p && p.name === name && p.counter !== undefined && p.counter > max) max = p.counter;
  }
  return max + 1;
}

function write(gitRoot: string, created: Omit<TagCreated, 'pushed'>, message: string, push: boolean | undefined): TagCreated {
  createAnnotatedTag(gitRoot, created.tag, created.commit, message);
  if (push) pushTag(gitRoot, created.tag);
  return { ...created, pushed: Boolean(push) };
}

export function pushTag(gitRoot: string, tag: string): void {
  const r = spawnSync('git', ['push', 'origin', `refs/tags/${tag}`], { cwd: gitRoot, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new MlpipeError('E_REMOTE', `git push of tag '${tag}' failed: ${r.stderr.trim().split('\n').pop() ?? ''}`, {
      hint: `the tag exists locally; push it later with: git push origin ${tag}`,
    });
  }
}

export interface RegisterOptions extends Common {
  name: string;
  /** Commit-ish to register; default HEAD. */
  rev?: string;
  version?: string;
  bump?: Bump;
}

export function register(gitRoot: string, o: RegisterOptions): TagCreated {
  assertArtifactName(o.name);
  if (o.version !== undefined && o.bump !== undefined) {
    throw new MlpipeError('E_USAGE', 'Need to specify either version or single bump argument', { hint: 'use --version vX.Y.Z or one --bump-* flag' });
  }
  const commit = resolveCommit(gitRoot, o.rev ?? 'HEAD');
  const artifact = artifactOf(loadState(gitRoot), o.name);
  const found = artifact.versionAt(commit);
  let version = o.version;
  if (found) {
    if (!o.force && found.isRegistered && found.isActive) {
      throw new MlpipeError('E_CONFLICT', `'${o.name}' is already registered in this commit with version '${found.version}'`, {
        hint: 'register another commit (pass REF), or deregister first: mlpipe models deprecate NAME VERSION',
      });
    }
    if (version === undefined) version = found.version;
    else if (found.version !== version) throw new MlpipeError('E_CONFLICT', `For this REF you can only register ${found.version}`);
  }
  if (version !== undefined) {
    assertVersion(version);
    if (artifact.find({ version })[0] !== found) {
      throw new MlpipeError('E_CONFLICT', `Version '${version}' already was registered.`, {
        hint: 'pick another version, or let mlpipe bump the latest one (--bump-patch, the default)',
      });
    }
  } else {
    const last = artifact.latest(true);
    if (last) version = bumpSemver(last.version, o.bump ?? 'patch');
    else if (o.bump) throw new MlpipeError('E_USAGE', "Can't apply bump, because this is the first version being registered");
    else version = MINIMAL_VERSION;
  }
  const tag = `${nameToTag(o.name)}@${version}`;
  return write(
    gitRoot,
    { tag, artifact: o.name, version, commit, event: 'registration', summary: `Created git tag '${tag}' that registers version` },
    o.message ?? `Registering artifact ${o.name} version ${version}`,
    o.push,
  );
}

export interface AssignOptions extends Common {
  name: string;
  stage: string;
  version?: string;
  /** Commit-ish whose version gets the stage (registered on the way if it has none); default HEAD. */
  rev?: string;
}

/** Assigns a stage; returns the registration it made first when the commit had no version. */
export function assign(gitRoot: string, o: AssignOptions): TagCreated[] {
  assertArtifactName(o.name);
  assertStageName(o.stage);
  if (o.version !== undefined && o.rev !== undefined) {
    throw new MlpipeError('E_USAGE', 'One and only one of (version, rev) must be specified.', { hint: 'pass --version V or a REF, not both' });
  }
  const created: TagCreated[] = [];
  let state = loadState(gitRoot);
  let found: Version | undefined;
  if (o.version !== undefined) {
    assertVersion(o.version);
    found = artifactOf(state, o.name).find({ version: o.version })[0];
    if (!found) throw new MlpipeError('E_NOT_FOUND', `Version '${o.version}' is not registered`, { hint: `list versions: mlpipe models show ${o.name}` });
  } else {
    const commit = resolveCommit(gitRoot, o.rev ?? 'HEAD');
    found = artifactOf(state, o.name).versionAt(commit);
    if (!found) {
      created.push(register(gitRoot, { name: o.name, rev: commit, push: o.push }));
      state = loadState(gitRoot);
      found = artifactOf(state, o.name).versionAt(commit) as Version;
    }
  }
  if (!o.force && found.activeStages().some((s) => s.stage === o.stage)) {
    throw new MlpipeError(
      'E_CONFLICT',
      `Version '${found.version}' is already in stage '${o.stage}'. Use the '--force' flag to create a new Git tag nevertheless.`,
    );
  }
  const tag = `${nameToTag(o.name)}#${o.stage}#${nextCounter(gitRoot, o.name)}`;
  created.push(
    write(
      gitRoot,
      {
        tag,
        artifact: o.name,
        version: found.version,
        commit: found.commit,
        stage: o.stage,
        event: 'assignment',
        summary: `Created git tag '${tag}' that assigns stage to version '${found.version}'`,
      },
      o.message ?? `Assigning stage ${o.stage} to artifact ${o.name} version ${found.version}`,
      o.push,
    ),
  );
  return created;
}

export interface DeprecateOptions extends Common {
  name: string;
  version?: string;
  stage?: string;
}

/**
 * GTO 1.8's one verb for three undo actions: with VERSION and STAGE it unassigns the stage, with
 * VERSION it deregisters the version, with the name alone it deprecates the artifact.
 */
export function deprecate(gitRoot: string, o: DeprecateOptions): TagCreated {
  assertArtifactName(o.name);
  const state = loadState(gitRoot);
  if (o.stage !== undefined && o.version === undefined) {
    throw new MlpipeError('E_USAGE', 'a stage is unassigned from a version: pass NAME VERSION STAGE', { hint: 'e.g. mlpipe models deprecate churn v1.0.1 staging' });
  }
  if (o.version !== undefined) {
    assertVersion(o.version);
    const v = artifactOf(state, o.name).find({ version: o.version })[0];
    if (!v) throw new MlpipeError('E_NOT_FOUND', `No versions found for '${o.name}' named '${o.version}'`, { hint: `list versions: mlpipe models show ${o.name}` });
    if (o.stage !== undefined) return unassign(gitRoot, v, o.stage, o);
    if (!o.force && !v.isRegistered) throw new MlpipeError('E_CONFLICT', `The version at ref '${v.commit}' is not registered`);
    if (!o.force && !v.isActive) throw new MlpipeError('E_CONFLICT', `The version at ref '${v.commit}' was deregistered already`);
    const tag = `${nameToTag(o.name)}@${v.version}!`;
    return write(
      gitRoot,
      { tag, artifact: o.name, version: v.version, commit: v.commit, event: 'deregistration', summary: `Created git tag '${tag}' that deregisters version` },
      o.message ?? `Deregistering artifact ${o.name} version ${v.version}`,
      o.push,
    );
  }
  const artifact = state.artifacts.get(o.name);
  if (!artifact) throw new MlpipeError('E_NOT_FOUND', `artifact '${o.name}' is not in the registry`, { hint: 'list artifacts: mlpipe models show' });
  if (!o.force && !artifact.isActive) throw new MlpipeError('E_CONFLICT', 'Artifact was deprecated already');
  const commit = artifact.events()[0]?.commit ?? resolveCommit(gitRoot, 'HEAD');
  const tag = `${nameToTag(o.name)}@deprecated`;
  return write(
    gitRoot,
    { tag, artifact: o.name, version: '', commit, event: 'deprecation', summary: `Created git tag '${tag}' that deprecates artifact` },
    o.message ?? `Deprecating artifact '${o.name}'`,
    o.push,
  );
}

function unassign(gitRoot: string, v: Version, stage: string, o: DeprecateOptions): TagCreated {
  assertStageName(stage);
  // GTO checks only that the stage was ever assigned; a stage that is no longer active cannot be
  // unassigned again (it would record an event that changes nothing).
  if (!o.force && !v.activeStages().some((s) => s.stage === stage)) {
    throw new MlpipeError('E_CONFLICT', `Stage '${stage}' is not assigned to a version '${v.version}'`, { hint: `see the stages: mlpipe models show ${o.name}` });
  }
  const tag = `${nameToTag(o.name)}#${stage}!#${nextCounter(gitRoot, o.name)}`;
  return write(
    gitRoot,
    { tag, artifact: o.name, version: v.version, commit: v.commit, stage, event: 'unassignment', summary: `Created git tag '${tag}' that unassigns stage from version '${v.version}'` },
    o.message ?? `Unassigning stage '${stage}' to artifact '${o.name}' version '${v.version}'`,
    o.push,
  );
}
