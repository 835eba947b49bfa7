import { MlpipeError } from '../errors.js';
import type { AnnotatedTag, CommitInfo, Stamp } from './git-tags.js';
import { type Action, type ParsedTag, parseTagName } from './names.js';
import { compareSemver, isSemver } from './semver.js';

/**
 * The registry state GTO 1.8 derives from git tags (`gto:gto/base.py`, `gto:gto/tag.py`,
 * `gto:gto/index.py`), rebuilt with the same rules so that `show`, `history` and the version a
 * stage points to agree with `gto`: events are ordered by time; a version is active while its last
 * registration/deregistration is a registration; a stage belongs to a version while that version's
 * last event for the stage is an assignment; among active versions the most recent assignment
 * wins a stage; `latest` is the highest active registered semver; an artifact is deprecated while
 * its newest event is a deprecation.
 */
export type EventKind = 'commit' | 'creation' | 'deprecation' | 'registration' | 'deregistration' | 'assignment' | 'unassignment';

const PRIORITY: Record<EventKind, number> = {
  commit: 0,
  creation: 1,
  deprecation: 2,
  registration: 3,
  deregistration: 4,
  assignment: 5,
  unassignment: 6,
};
const ADDITION: Record<EventKind, boolean> = {
  commit: true,
  creation: true,
  deprecation: false,
  registration: true,
  deregistration: false,
  assignment: true,
  unassignment: false,
};

export interface RegistryEvent {
  kind: EventKind;
  artifact: string;
  createdAt: Stamp;
  author: string;
  authorEmail: string;
  message: string;
  commit: string;
  /** The tag that made the event (absent for the `commit` enrichment). */
  tag?: string;
  version?: string;
  stage?: string;
  committer?: string;
  committerEmail?: string;
}

export const priorityOf = (e: RegistryEvent): number => PRIORITY[e.kind];
export const isAddition = (e: RegistryEvent): boolean => ADDITION[e.kind];
export const refOf = (e: RegistryEvent): string => e.tag ?? e.commit;

/** Python's `sorted(events, key=created_at)[::-1]` (stable ascending, then reversed). */
export function byTime<T extends { createdAt: Stamp }>(events: T[], ascending = false): T[] {
  const sorted = [...events].sort((a, b) => a.createdAt.epoch - b.createdAt.epoch);
  return ascending ? sorted : sorted.reverse();
}

export class VStage {
  assignments: RegistryEvent[] = [];
  unassignments: RegistryEvent[] = [];
  constructor(
    readonly artifact: string,
    readonly commit: string,
    readonly version: string,
    readonly stage: string,
  ) {}

  events(ascending = false): RegistryEvent[] {
    return byTime([...this.assignments, ...this.unassignments], ascending);
  }
  get isActive(): boolean {
    return this.events()[0]?.kind === 'assignment';
  }
  get activatedAt(): Stamp | undefined {
    const first = this.events()[0];
    return first?.kind === 'assignment' ? first.createdAt : undefined;
  }
  /** GTO's `authoring_event`: the newest assignment (a stage always has one: it is made by one). */
  get authoring(): RegistryEvent {
    return (this.events().find(isAddition) ?? this.events()[0]) as RegistryEvent;
  }
}

export class Version {
  enrichments: RegistryEvent[] = [];
  registrations: RegistryEvent[] = [];
  deregistrations: RegistryEvent[] = [];
  stages = new Map<string, VStage>();
  constructor(
    readonly artifact: string,
    readonly commit: string,
    readonly version: string,
  ) {}

  add(event: RegistryEvent): void {
    if (event.kind === 'registration') this.registrations = byTime([...this.registrations, event], true);
    else if (event.kind === 'deregistration') this.deregistrations = byTime([...this.deregistrations, event], true);
    else if (event.kind === 'commit') this.enrichments = byTime([...this.enrichments, event], true);
    else if (event.kind === 'assignment' || event.kind === 'unassignment') {
      const stage = event.stage as string;
      let vs = this.stages.get(stage);
      if (!vs) {
        vs = new VStage(this.artifact, this.commit, this.version, stage);
        this.stages.set(stage, vs);
      }
      if (event.kind === 'assignment') vs.assignments = byTime([...vs.assignments, event], true);
      else vs.unassignments = byTime([...vs.unassignments, event], true);
    }
  }
  events(direct = true, indirect = true, ascending = false): RegistryEvent[] {
    return byTime(
      [
        ...(direct ? [...this.registrations, ...this.deregistrations] : []),
        ...(indirect ? [...this.enrichments, ...[...this.stages.values()].flatMap((s) => s.events())] : []),
      ],
      ascending,
    );
  }
  get isActive(): boolean {
    const direct = this.events(true, false);
    if (direct.length > 0) return direct[0]?.kind === 'registration';
    return this.events(false, true).length > 0;
  }
  get activatedAt(): Stamp {
    return (this.registrations[0] ?? (this.events(true, true, true)[0] as RegistryEvent)).createdAt;
  }
  get isRegistered(): boolean {
    return this.registrations.length > 0;
  }
  get discovered(): boolean {
    return this.events(true, false).length === 0;
  }
  get authoring(): RegistryEvent {
    const additions = this.events(true, false).filter(isAddition);
    if (additions.length > 0) return additions[0] as RegistryEvent;
    const indirect = this.events(false, true);
    return (indirect.find((e) => e.kind !== 'commit') ?? indirect[0]) as RegistryEvent;
  }
  /** Stages in which this version is active, oldest activation first. */
  activeStages(ascending = false): VStage[] {
    const list = [...this.stages.values()].filter((s) => s.isActive);
    return byTimeKey(list, (s) => (s.activatedAt as Stamp).epoch, ascending);
  }
}

function byTimeKey<T>(list: T[], key: (x: T) => number, ascending: boolean): T[] {
  const sorted = [...list].sort((a, b) => key(a) - key(b));
  return ascending ? sorted : sorted.reverse();
}

export type VersionSort = 'semver' | 'timestamp';

/** GTO's `sort_versions`: semver versions (descending), then the others by name. */
export function sortVersions(versions: Version[], sort: VersionSort, ascending = false): Version[] {
  if (sort === 'timestamp') return byTimeKey(versions, (v) => v.authoring.createdAt.epoch, ascending);
  const semver = [...versions].filter((v) => isSemver(v.version)).sort((a, b) => compareSemver(a.version, b.version));
  const other = [...versions].filter((v) => !isSemver(v.version)).sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  return [...(ascending ? semver : semver.reverse()), ...(ascending ? other : other.reverse())];
}

export interface VersionFilter {
  activeOnly?: boolean;
  includeNonExplicit?: boolean;
  includeDiscovered?: boolean;
  sort?: VersionSort;
}

export class Artifact {
  versions: Version[] = [];
  creations: RegistryEvent[] = [];
  deprecations: RegistryEvent[] = [];
  constructor(readonly name: string) {}

  add(event: RegistryEvent): void {
    if (event.kind === 'creation') this.creations = byTime([...this.creations, event], true);
    else if (event.kind === 'deprecation') this.deprecations = byTime([...this.deprecations, event], true);
    else this.findOrCreateVersion(event.version as string, event.commit).add(event);
  }
  events(ascending = false): RegistryEvent[] {
    return byTime([...this.creations, ...this.deprecations, ...this.versions.flatMap((v) => v.events())], ascending);
  }
  get isActive(): boolean {
    const events = this.events();
    return events.length > 0 && events[0]?.kind !== 'deprecation';
  }
  get isRegistered(): boolean {
    return !this.events().every((e) => e.kind === 'commit');
  }

  /** Versions with a registration or deregistration (GTO skips "discovered" ones unless asked). */
  find(criteria: { version?: string; commit?: string; includeDiscovered?: boolean }): Version[] {
    return this.versions.filter(
      (v) =>
        (criteria.version === undefined || v.version === criteria.version) &&
        (criteria.commit === undefined || v.commit === criteria.commit) &&
        (criteria.includeDiscovered || !v.discovered),
    );
  }
  findOrCreateVersion(version: string, commit: string): Version {
    const found = this.find({ version, commit, includeDiscovered: true })[0];
    if (found) return found;
    const v = new Version(this.name, commit, version);
    this.versions.push(v);
    return v;
  }
  /** The one explicit version at a commit (GTO refuses to guess between several). */
  versionAt(commit: string): Version | undefined {
    const found = this.find({ commit });
    if (found.length > 1) {
      throw new MlpipeError('E_CONFLICT', `artifact '${this.name}' has several versions at commit ${commit.slice(0, 7)}: ${found.map((v) => v.version).join(', ')}`, {
        hint: 'deregister all but one with `mlpipe models deprecate NAME VERSION`',
      });
    }
    return found[0];
  }

  getVersions(filter: VersionFilter = {}): Version[] {
    const { activeOnly = true, includeNonExplicit = false, includeDiscovered = false, sort = 'semver' } = filter;
    const list = this.versions.filter(
      (v) =>
        !activeOnly ||
        (v.isActive && ((v.isRegistered && !v.discovered) || (includeDiscovered && v.discovered) || (includeNonExplicit && !v.isRegistered))),
    );
    return sortVersions(list, sort);
  }
  latest(registeredOnly = true): Version | undefined {
    return this.getVersions({ includeNonExplicit: !registeredOnly })[0];
  }

  /**
   * Which versions hold each stage (GTO's `get_vstages`, defaults: every assignment of a version,
   * one version per stage). With `timestamp` order the most recently assigned version wins.
   */
  stageMap(options: { registeredOnly?: boolean; versionsPerStage?: number; sort?: VersionSort } = {}): Map<string, VStage[]> {
    const { registeredOnly = false, versionsPerStage = 1, sort = 'semver' } = options;
    const versions = this.getVersions({ includeNonExplicit: !registeredOnly, sort });
    let assignments = versions.flatMap((v) => v.activeStages(true));
    if (sort === 'timestamp') assignments = byTimeKey(assignments, (a) => a.authoring.createdAt.epoch, false);
    const stages = new Map<string, VStage[]>();
    for (const a of assignments) {
      const list = stages.get(a.stage) ?? [];
      stages.set(a.stage, list);
      if (versionsPerStage > -1 && list.length >= versionsPerStage) continue;
      if (!list.some((x) => x.version === a.version)) list.push(a);
    }
    return stages;
  }
  /** The version that holds `stage` now, if any. */
  inStage(stage: string): Version | undefined {
    const vs = this.stageMap({ sort: 'timestamp' }).get(stage)?.[0];
    return vs ? this.versions.find((v) => v.version === vs.version && v.commit === vs.commit) : undefined;
  }
}

export interface RegistryState {
  artifacts: Map<string, Artifact>;
}

const MANAGER_ORDER: Action[][] = [
  ['create', 'deprecate'],
  ['register', 'deregister'],
  ['assign', 'unassign'],
];

const KIND_OF: Record<Action, EventKind> = {
  create: 'creation',
  deprecate: 'deprecation',
  register: 'registration',
  deregister: 'deregistration',
  assign: 'assignment',
  unassign: 'unassignment',
};

/**
 * Builds the state from annotated tags and the commits they point to. Tags are indexed by kind
 * (artifact, then version, then stage tags), each kind in time order, as GTO's managers do; a
 * stage tag on a commit takes that commit's registered version.
 */
export function buildState(tags: AnnotatedTag[], commits: Map<string, CommitInfo>): RegistryState {
  const state: RegistryState = { artifacts: new Map() };
  const parsed = tags.flatMap((t) => {
    const p = parseTagName(t.name);
    return p ? [{ tag: t, p }] : [];
  });
  const ordered = [...parsed].sort((a, b) => a.tag.time.epoch - b.tag.time.epoch);
  const artifactOf = (name: string): Artifact => {
    let a = state.artifacts.get(name);
    if (!a) {
      a = new Artifact(name);
      state.artifacts.set(name, a);
    }
    return a;
  };
  for (const actions of MANAGER_ORDER) {
    for (const { tag, p } of ordered.filter((x) => actions.includes(x.p.action))) {
      if (p.action === 'create') continue; // GTO 1.8 parses `@created` but writes no such tag and indexes none
      const artifact = artifactOf(p.name);
      artifact.add(eventOf(tag, p, artifact));
    }
  }
  for (const artifact of state.artifacts.values()) {
    for (const v of artifact.versions) {
      const c = commits.get(v.commit);
      if (!c) continue;
      v.add({
        kind: 'commit',
        artifact: artifact.name,
        version: v.version,
        createdAt: c.time,
        author: c.authorName,
        authorEmail: c.authorEmail,
        message: c.message,
        commit: c.sha,
        committer: c.committerName,
        committerEmail: c.committerEmail,
      });
    }
  }
  return state;
}

function eventOf(tag: AnnotatedTag, p: ParsedTag, artifact: Artifact): RegistryEvent {
  const base = {
    kind: KIND_OF[p.action],
    artifact: p.name,
    createdAt: tag.time,
    author: tag.taggerName,
    authorEmail: tag.taggerEmail,
    message: tag.message.trim(),
    commit: tag.target,
    tag: tag.name,
  };
  if (p.action === 'register' || p.action === 'deregister') return { ...base, version: p.version as string };
  if (p.action === 'assign' || p.action === 'unassign') {
    const version = artifact.versionAt(tag.target)?.version ?? tag.target;
    return { ...base, version, stage: p.stage as string };
  }
  return base;
}

/** Stages in use across the registry, sorted (GTO's `get_stages` without a config). */
export function usedStages(state: RegistryState): string[] {
  const set = new Set<string>();
  for (const a of state.artifacts.values()) for (const s of a.stageMap().keys()) set.add(s);
  return [...set].sort();
}

export function findArtifact(state: RegistryState, name: string): Artifact {
  const a = state.artifacts.get(name);
  if (!a) {
    throw new MlpipeError('E_NOT_FOUND', `artifact '${name}' is not in the registry`, {
      expected: `an artifact with registry tags (${[...state.artifacts.keys()].join(', ') || 'none yet'})`,
      received: name,
      hint: `register a version first: mlpipe models register ${name}`,
    });
  }
  return a;
}
