import { MlpipeError } from '../../errors.js';
import { collectWorkspace } from './dvcfiles.js';
import type { Repo } from './open.js';

/**
 * DVC refuses an output inside another one, or around one (OverlappingOutputPathsError): the same
 * bytes would be tracked twice. Re-adding an output tracked by its own `.dvc` file is fine. Used by
 * add, and by move for its destination (`except`: the `.dvc` file being moved).
 */
export function rejectOverlaps(repo: Repo, targets: { rel: string }[], options: { except?: string } = {}): void {
  const ws = collectWorkspace(repo);
  const outputs = [...ws.dvcFiles.flatMap((f) => f.outputs.map((o) => ({ path: o.path, by: f.path }))), ...ws.lockOutputs.map((o) => ({ path: o.path, by: o.lockPath }))].filter(
    (o) => o.by !== options.except,
  );
  for (const t of targets) {
    const clash = outputs.find((o) => o.path !== t.rel && (t.rel.startsWith(`${o.path}/`) || o.path.startsWith(`${t.rel}/`)));
    const byLock = outputs.find((o) => o.path === t.rel && o.by.endsWith('dvc.lock'));
    const other = clash ?? byLock;
    if (other) {
      throw new MlpipeError('E_CONFLICT', `${t.rel} overlaps ${other.path}, which ${other.by} already tracks`, {
        expected: 'data that no other .dvc file or pipeline stage tracks',
        received: `${t.rel} (tracked: ${other.path} in ${other.by})`,
        hint: `track the whole folder once, or run \`mlpipe remove ${other.by}\` first`,
      });
    }
  }
}
