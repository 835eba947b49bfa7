import type { QueueEntry } from '../../pipeline/exp/queue-store.js';
import { humanTime } from './exp-show.js';

/** `queue status` as DVC prints it: Task, Name, Created, Status, then the worker line. */
export function renderQueueStatus(entries: QueueEntry[], today?: string): string {
  const rows = entries.map((e) => [e.id.slice(0, 7), e.name, humanTime(e.created, today), e.status.charAt(0).toUpperCase() + e.status.slice(1)]);
  const headers = ['Task', 'Name', 'Created', 'Status'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const running = entries.filter((e) => e.status === 'running').length;
  const table = rows.length > 0 ? `${[headers, ...rows].map(line).join('\n')}\n` : 'No experiment tasks in the queue.\n';
  return `${table}\nWorker status: ${running} active, 0 idle`;
}
