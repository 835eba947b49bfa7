import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { MlpipeError } from '../errors.js';
import { readYaml } from '../core/formats/yaml-read.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { editYamlMapping } from '../core/formats/yaml-write.js';

/**
 * Artifacts declared in `dvc.yaml` under `artifacts:` (DVC 3: `path` required; `type`, `desc`,
 * `labels`, `meta` optional). A name in a `dvc.yaml` that is not at the repository root is
 * addressed `path/to/dvc.yaml:NAME` or `path/to:NAME`, as `dvc artifacts get` addresses it; the
 * path of an artifact is relative to the folder of its `dvc.yaml`.
 */
export interface ArtifactDecl {
  path: string;
  type?: string;
  desc?: string;
  labels?: string[];
  meta?: Record<string, unknown>;
}

export interface ArtifactRef {
  /** dvc.yaml holding the declaration, repository-relative POSIX. */
  dvcYaml: string;
  /** The name inside that dvc.yaml. */
  name: string;
}

export function splitArtifactName(fullName: string): ArtifactRef {
  const colon = fullName.lastIndexOf(':');
  if (colon < 0) return { dvcYaml: 'dvc.yaml', name: fullName };
  const dir = fullName.slice(0, colon);
  const dvcYaml = dir.endsWith('dvc.yaml') ? dir : posix.join(dir, 'dvc.yaml');
  return { dvcYaml: posix.normalize(dvcYaml), name: fullName.slice(colon + 1) };
}

/** The `artifacts:` section of a dvc.yaml text (empty when it has none). */
export function parseArtifacts(text: string, where: string): Record<string, ArtifactDecl> {
  let doc: unknown;
  try {
    doc = readYaml(text);
  } catch (err) {
    throw new MlpipeError('E_CORRUPT', `${where} is not valid YAML`, { cause: err, hint: 'fix the file and retry' });
  }
  const section = (doc as { artifacts?: unknown } | undefined)?.artifacts;
  if (section === undefined || section === null) return {};
  if (typeof section !== 'object' || Array.isArray(section)) throw new MlpipeError('E_BAD_INPUT', `${where}: artifacts must be a mapping of name -> {path, ...}`);
  const out: Record<string, ArtifactDecl> = {};
  for (const [name, value] of Object.entries(section as Record<string, unknown>)) {
    const path = (value as { path?: unknown } | null)?.path;
    if (typeof path !== 'string' || path === '') {
      throw new MlpipeError('E_BAD_INPUT', `${where}: artifact '${name}' has no path`, { expected: 'artifacts: NAME: {path: ..., type: model}', received: JSON.stringify(value) });
    }
    out[name] = value as ArtifactDecl;
  }
  return out;
}

/**
 * Finds an artifact's declaration through `read` (workspace or a git revision) and returns it with
 * its path made repository-relative.
 */
export function resolveArtifact(fullName: string, read: (path: string) => string | undefined): ArtifactDecl & { repoPath: string; ref: ArtifactRef } {
  const ref = splitArtifactName(fullName);
  const text = read(ref.dvcYaml);
  const decl = text === undefined ? undefined : parseArtifacts(text, ref.dvcYaml)[ref.name];
  if (!decl) {
    throw new MlpipeError('E_NOT_FOUND', `artifact '${fullName}' is not declared in ${ref.dvcYaml}`, {
      expected: `${ref.dvcYaml} with artifacts: ${ref.name}: {path: ..., type: model}`,
      hint: `declare it: mlpipe models declare ${fullName} --path PATH`,
    });
  }
  const repoPath = posix.normalize(posix.join(posix.dirname(ref.dvcYaml), decl.path));
  if (repoPath.startsWith('../') || posix.isAbsolute(repoPath)) {
    throw new MlpipeError('E_OUTSIDE_REPO', `artifact '${fullName}' points outside the repository: ${decl.path}`);
  }
  return { ...decl, repoPath, ref };
}

/**
 * Adds or replaces one declaration in a dvc.yaml, keeping the rest of the file (comments, order)
 * as it is; written to a temp file and renamed.
 */
export function declareArtifact(root: string, fullName: string, decl: ArtifactDecl): { dvcYaml: string; name: string } {
  const ref = splitArtifactName(fullName);
  const file = join(root, ref.dvcYaml);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (text.trim() !== '') parseArtifacts(text, ref.dvcYaml); // E_CORRUPT / E_BAD_INPUT before anything is written
  const value: Record<string, unknown> = { path: decl.path };
  for (const key of ['type', 'desc', 'labels', 'meta'] as const) if (decl[key] !== undefined && !(Array.isArray(decl[key]) && decl[key].length === 0)) value[key] = decl[key];
  const edited = editYamlMapping(text, [{ path: ['artifacts', ref.name], value }]);
  if (edited === undefined) throw new MlpipeError('E_BAD_INPUT', `${ref.dvcYaml} is not a YAML mapping`, { hint: 'fix the file and retry' });
  writeFileAtomic(file, edited);
  return { dvcYaml: ref.dvcYaml, name: ref.name };
}

/**
 * Declares `fullName` with `decl` unless it is declared already with the same path (a declaration
 * someone wrote by hand, with its description and labels, is kept). Returns whether it wrote.
 */
export function ensureDeclared(root: string, fullName: string, decl: ArtifactDecl): boolean {
  const ref = splitArtifactName(fullName);
  const file = join(root, ref.dvcYaml);
  const existing = existsSync(file) ? parseArtifacts(readFileSync(file, 'utf8'), ref.dvcYaml)[ref.name] : undefined;
  if (existing && posix.normalize(existing.path) === posix.normalize(decl.path)) return false;
  declareArtifact(root, fullName, existing ? { ...existing, path: decl.path } : decl);
  return true;
}
