import { MlpipeError } from '../errors.js';
import { parseShortcut } from './names.js';
import { type RegistryState, type Version, findArtifact } from './state.js';

/**
 * NAME (the latest version), NAME@latest, NAME@vX.Y.Z or NAME#STAGE -> the registered version.
 * By GTO's data model a deregistered version or an unassigned stage resolves to nothing, even
 * though `dvc artifacts get` (which reads tag names only) still resolves them.
 */
export function resolveVersion(state: RegistryState, query: string): Version {
  const s = parseShortcut(query);
  const artifact = findArtifact(state, s.name);
  let found: Version | undefined;
  let what: string;
  if (s.stage) {
    found = artifact.inStage(s.stage);
    what = `no version of '${s.name}' is in stage '${s.stage}'`;
  } else if (s.version) {
    found = artifact.find({ version: s.version }).find((v) => v.isActive);
    what = artifact.find({ version: s.version }).length > 0 ? `version ${s.version} of '${s.name}' was deregistered` : `'${s.name}' has no version ${s.version}`;
  } else {
    found = artifact.latest(true);
    what = `'${s.name}' has no registered version`;
  }
  if (!found) throw new MlpipeError('E_NOT_FOUND', what, { hint: `see the registry: mlpipe models show ${s.name}` });
  return found;
}
