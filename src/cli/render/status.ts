import type { DepsStatus, StatusReason } from '../../pipeline/plan.js';

/**
 * Renders statuses as `dvc status` prints them (`CmdDataStatus._show`): tab indents, each state
 * padded to 20 columns including its colon.
 */
export function formatStatus(statuses: { stage: string; reasons: StatusReason[] }[]): string {
  const lines: string[] = [];
  const row = (indent: string, state: string, path: string) => `${indent}${`${state}:`.padEnd(20)}${path}`;
  for (const { stage, reasons } of statuses) {
    lines.push(`${stage}:`);
    for (const reason of reasons) {
      if (typeof reason === 'string') {
        lines.push(`\t${reason}`);
        continue;
      }
      const [title, entries] = Object.entries(reason)[0] as [string, DepsStatus];
      lines.push(`\t${title}:`);
      for (const [path, state] of Object.entries(entries)) {
        if (typeof state === 'string') lines.push(row('\t\t', state, path));
        else {
          lines.push(`\t\t${path}:`);
          for (const [key, s] of Object.entries(state)) lines.push(row('\t\t\t', s, key));
        }
      }
    }
  }
  return lines.join('\n');
}
