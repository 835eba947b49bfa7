import { MlpipeError } from '../errors.js';

/**
 * Artifact names, tag names and shortcuts as GTO 1.8 defines them (`gto:gto/constants.py`).
 *
 * A tag is `NAME@vX.Y.Z` (register), `NAME@vX.Y.Z!` (deregister), `NAME#STAGE#N` (assign),
 * `NAME#STAGE!#N` (unassign) or `NAME@deprecated` (deprecate). A monorepo name
 * `path/to/dvc.yaml:NAME` is written with `=` instead of `:` inside a tag, because git refuses `:`.
 */

// GTO's `dirname` class is `[a-zA-Z0-9-_./]` (the `-` is a literal there); written here with the
// dash last so that it means the same in a JavaScript character class.
const DIRNAME = '[a-zA-Z0-9_./-]+';
const NAME = '[a-zA-Z0-9](?:[a-zA-Z0-9/_-]*[a-zA-Z0-9])?';
const SEMVER =
  '(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-(?:(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?';

const FULLNAME_RE = new RegExp(`^(?:${DIRNAME}:)?${NAME}$`);
const STAGE_RE = new RegExp(`^${NAME}$`);
const TAG_RE = new RegExp(
  `^(?<artifact>(?:${DIRNAME}=)?${NAME})(?:(?:#(?<stage>${NAME})|@(?<version>v${SEMVER}))(?<cancel>!?)|@(?:(?<deprecated>deprecated)|(?<created>created)))(?:#(?<counter>[0-9]+))?$`,
);
const SHORTCUT_RE = new RegExp(`^(?<artifact>(?:${DIRNAME}:)?${NAME})(?:#(?<stage>${NAME})|@(?<version>latest|greatest|v${SEMVER}))$`);
export const SEMVER_RE = new RegExp(`^v${SEMVER}$`);

export type Action = 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate' | 'create';

export interface ParsedTag {
  name: string;
  action: Action;
  version?: string;
  stage?: string;
  counter?: number;
}

export const nameToTag = (name: string): string => name.replaceAll(':', '=');
export const tagToName = (tag: string): string => tag.replaceAll('=', ':');

/** The meaning of a tag name, or undefined when it is not in GTO's format (such tags are ignored). */
export function parseTagName(tag: string): ParsedTag | undefined {
  const m = TAG_RE.exec(tag);
  if (!m?.groups) return undefined;
  const g = m.groups;
  const parsed: ParsedTag = { name: tagToName(g.artifact as string), action: g.deprecated ? 'deprecate' : 'create' };
  if (g.version) {
    parsed.version = g.version;
    parsed.action = g.cancel === '!' ? 'deregister' : 'register';
  }
  if (g.stage) {
    parsed.stage = g.stage;
    parsed.action = g.cancel === '!' ? 'unassign' : 'assign';
  }
  if (g.counter) parsed.counter = Number(g.counter);
  return parsed;
}

/** `NAME`, `NAME@latest`, `NAME@vX.Y.Z` or `NAME#STAGE` (GTO's `parse_shortcut`). */
export interface Shortcut {
  name: string;
  stage?: string;
  version?: string;
  latest: boolean;
  shortcut: boolean;
}

export function parseShortcut(value: string): Shortcut {
  const m = SHORTCUT_RE.exec(value);
  if (!m?.groups) return { name: value, latest: false, shortcut: false };
  const { artifact, stage, version } = m.groups;
  const latest = version === 'latest' || version === 'greatest';
  return {
    name: artifact as string,
    ...(stage ? { stage } : {}),
    ...(version && !latest ? { version } : {}),
    latest,
    shortcut: true,
  };
}

const NAME_RULE = "Only letters, numbers, '_', '-', '/' are allowed; a name starts and ends with a letter or a number";

export function assertArtifactName(name: string): void {
  if (!FULLNAME_RE.test(name)) {
    throw new MlpipeError('E_BAD_INPUT', `invalid artifact name '${name}'`, {
      expected: `${NAME_RULE} (a monorepo name is path/to/dvc.yaml:NAME)`,
      received: name,
      hint: 'for example: mlpipe models register churn',
    });
  }
}

export function assertStageName(stage: string): void {
  if (!STAGE_RE.test(stage)) {
    throw new MlpipeError('E_BAD_INPUT', `invalid stage name '${stage}'`, { expected: NAME_RULE, received: stage, hint: 'for example: --stage prod' });
  }
}

export function assertVersion(version: string): void {
  if (!SEMVER_RE.test(version)) {
    throw new MlpipeError('E_BAD_INPUT', `Version '${version}' is not valid. Example of valid version: 'v1.0.0'`, {
      expected: 'a semantic version with a v prefix, vMAJOR.MINOR.PATCH',
      received: version,
    });
  }
}
