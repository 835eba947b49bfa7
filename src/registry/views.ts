import type { Stamp } from './git-tags.js';
import { parseShortcut } from './names.js';
import { type Artifact, type RegistryEvent, type RegistryState, type VStage, type Version, isAddition, priorityOf, refOf, usedStages } from './state.js';
import type { Cell } from './table.js';

/**
 * What `gto show`, `gto history` and `gto check-ref` print, as data: the JSON documents have GTO's
 * keys in GTO's order (pydantic's `model_dump` of `gto:gto/base.py`), and the tables GTO's columns.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** `datetime.isoformat()`: 2024-01-01T00:15:00+00:00 (in the offset the time was recorded with). */
export function isoStamp(s: Stamp): string {
  const d = new Date((s.epoch + s.offset * 60) * 1000).toISOString().slice(0, 19);
  const sign = s.offset < 0 ? '-' : '+';
  const abs = Math.abs(s.offset);
  return `${d}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
/** `str(datetime)`: 2024-01-01 00:15:00+00:00. */
export const tableStamp = (s: Stamp): string => isoStamp(s).replace('T', ' ');

function eventDump(e: RegistryEvent, withEvent: boolean, exclude: string[] = []): { [key: string]: Json } {
  const out: { [key: string]: Json } = {
    priority: priorityOf(e),
    addition: isAddition(e),
    artifact: e.artifact,
    created_at: isoStamp(e.createdAt),
    author: e.author,
    author_email: e.authorEmail,
    message: e.message,
    commit_hexsha: e.commit,
  };
  if (e.kind === 'commit') {
    Object.assign(out, { version: e.version as string, enrichments: [], committer: e.committer as string, committer_email: e.committerEmail as string });
  } else {
    out.tag = e.tag as string;
    if (e.version !== undefined && e.kind !== 'deprecation' && e.kind !== 'creation') out.version = e.version;
    if (e.stage !== undefined) out.stage = e.stage;
  }
  if (withEvent) out.event = e.kind;
  for (const k of exclude) delete out[k];
  return out;
}

function authored(e: RegistryEvent): { [key: string]: Json } {
  return { created_at: isoStamp(e.createdAt), author: e.author, author_email: e.authorEmail, message: e.message, ref: refOf(e) };
}

function vstageDump(s: VStage): { [key: string]: Json } {
  const activatedAt = s.activatedAt;
  return {
    artifact: s.artifact,
    commit_hexsha: s.commit,
    version: s.version,
    stage: s.stage,
    assignments: s.assignments.map((e) => eventDump(e, true)),
    unassignments: s.unassignments.map((e) => eventDump(e, true)),
    is_active: s.isActive,
    activated_at: activatedAt ? isoStamp(activatedAt) : null,
    ...authored(s.authoring),
  };
}

function versionDump(v: Version, stages: VStage[]): { [key: string]: Json } {
  return {
    artifact: v.artifact,
    commit_hexsha: v.commit,
    version: v.version,
    enrichments: v.enrichments.map((e) => eventDump(e, false)),
    registrations: v.registrations.map((e) => eventDump(e, false)),
    deregistrations: v.deregistrations.map((e) => eventDump(e, false)),
    stages: stages.map(vstageDump),
    is_active: v.isActive,
    activated_at: isoStamp(v.activatedAt),
    ...authored(v.authoring),
    discovered: v.discovered,
  };
}

export interface ShowOptions {
  /** Include deprecated artifacts (GTO's -d). */
  deprecated?: boolean;
}

/** `gto show --json`: artifact -> latest version and the version in each stage. */
export function showRegistry(state: RegistryState, o: ShowOptions = {}): { [name: string]: Json } {
  const stages = usedStages(state);
  const out: { [name: string]: Json } = {};
  for (const a of state.artifacts.values()) {
    if (!a.isActive && !o.deprecated) continue;
    const map = a.stageMap({ sort: 'timestamp' });
    const stageOut: { [stage: string]: Json } = {};
    for (const s of stages) stageOut[s] = (map.get(s) ?? []).map((x) => x.version).join(', ') || null;
    out[a.name] = { version: a.latest(true)?.version ?? null, stage: stageOut, registered: a.isRegistered, active: a.isActive };
  }
  return out;
}

export function showRegistryTable(state: RegistryState, o: ShowOptions = {}): { headers: string[]; rows: Cell[][] } {
  const stages = usedStages(state);
  const data = showRegistry(state, o) as Record<string, { version: string | null; stage: Record<string, string | null>; registered: boolean }>;
  const rows = Object.keys(data)
    .sort()
    .map((name) => {
      const d = data[name] as (typeof data)[string];
      return [d.registered ? name : `*${name}`, d.version, ...stages.map((s) => d.stage[s] ?? null)];
    });
  return { headers: ['name', 'latest', ...stages.map((s) => `#${s}`)], rows };
}

/** The versions `show NAME[@latest|@vX.Y.Z|#STAGE]` lists, newest first, each with its live stages. */
export function selectVersions(state: RegistryState, query: string, o: ShowOptions = {}): { artifact: Artifact | undefined; versions: { version: Version; stages: VStage[] }[] } {
  const shortcut = parseShortcut(query);
  const artifact = state.artifacts.get(shortcut.name);
  if (!artifact || (!artifact.isActive && !o.deprecated)) return { artifact, versions: [] };
  const map = artifact.stageMap({ sort: 'timestamp' });
  let versions = artifact.getVersions({ activeOnly: !o.deprecated, includeNonExplicit: true, includeDiscovered: true }).map((v) => ({
    version: v,
    stages: [...map.values()].flat().filter((s) => s.version === v.version),
  }));
  if (shortcut.latest) versions = versions.slice(0, 1);
  else if (shortcut.version) versions = versions.filter((v) => v.version.version === shortcut.version);
  else if (shortcut.stage) versions = versions.filter((v) => v.stages.some((s) => s.stage === shortcut.stage));
  return { artifact, versions };
}

export function showVersions(state: RegistryState, query: string, o: ShowOptions = {}): Json[] {
  return selectVersions(state, query, o).versions.map((v) => versionDump(v.version, v.stages));
}

/** GTO's per-artifact table: artifact, version, stage, created_at, ref. */
export function showVersionsTable(state: RegistryState, query: string, o: ShowOptions = {}): { headers: string[]; rows: Cell[][] } {
  const { artifact, versions } = selectVersions(state, query, o);
  const rows = versions.map(({ version: v, stages }) => [
    artifact?.isRegistered ? v.artifact : `*${v.artifact}`,
    v.version,
    [...new Set(stages.map((s) => s.stage))].join(', '),
    tableStamp(v.authoring.createdAt),
    refOf(v.authoring),
  ]);
  return { headers: ['artifact', 'version', 'stage', 'created_at', 'ref'], rows };
}

/** `gto history [NAME] --json`: every tag event, newest first (ties: the higher priority first). */
export function history(state: RegistryState, name?: string): { [key: string]: Json }[] {
  const events = [...state.artifacts.values()].flatMap((a) => a.events()).filter((e) => e.kind !== 'commit');
  const sorted = [...events].sort((a, b) => a.createdAt.epoch - b.createdAt.epoch || priorityOf(a) - priorityOf(b)).reverse();
  return sorted
    .filter((e) => name === undefined || e.artifact === name)
    .map((e) => ({
      timestamp: isoStamp(e.createdAt),
      artifact: e.artifact,
      event: e.kind,
      priority: priorityOf(e),
      version: e.kind === 'deprecation' || e.kind === 'creation' ? null : (e.version ?? null),
      stage: e.stage ?? null,
      commit: e.commit,
      author: e.author,
      author_email: e.authorEmail,
      message: e.message,
      ref: refOf(e),
    }));
}

export function historyTable(state: RegistryState, name?: string): { headers: string[]; rows: Cell[][] } {
  const headers = ['timestamp', 'artifact', 'event', 'version', 'stage', 'commit', 'ref'];
  const rows = history(state, name).map((e) => [
    String(e.timestamp).replace('T', ' '),
    e.artifact as string,
    e.event as string,
    e.version as string | null,
    e.stage as string | null,
    String(e.commit).slice(0, 7),
    e.ref as string,
  ]);
  return { headers, rows };
}

/** `gto check-ref TAG --json`: the event a registry tag records, or nothing for another ref. */
export function checkRef(state: RegistryState, ref: string): { [key: string]: Json } | undefined {
  const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : ref;
  for (const a of state.artifacts.values()) {
    const e = a.events().find((x) => x.tag === tag);
    if (e) return eventDump(e, true, ['priority', 'addition']);
  }
  return undefined;
}

/** GTO's one-line description of an event (`check-ref` without --json). */
export function describeEvent(e: { [key: string]: Json }): string {
  const { artifact, version, stage } = e as Record<string, string>;
  switch (e.event) {
    case 'registration':
      return `Version "${version}" of artifact "${artifact}" was registered`;
    case 'deregistration':
      return `Version "${version}" of artifact "${artifact}" was deregistered`;
    case 'assignment':
      return `Stage "${stage}" was assigned to version "${version}" of artifact "${artifact}"`;
    case 'unassignment':
      return `Stage "${stage}" was unassigned from version "${version}" of artifact "${artifact}"`;
    default:
      return `Artifact "${artifact}" was deprecated`;
  }
}
