import { findRepoRoot } from '../core/repo/find-root.js';
import { readMetrics } from './metrics.js';
import { revisionReader } from './revision.js';
import type { PyValue } from './values.js';

/**
 * The metrics (the files dvc.yaml declares) as they were at a commit, keyed `key` when one file
 * holds them all and `file:key` otherwise. Numbers, strings and booleans only.
 */
export function metricsAt(cwd: string, gitRoot: string, commit: string): Record<string, number | string | boolean> {
  const root = findRepoRoot(cwd) ?? gitRoot;
  const values = readMetrics(root, revisionReader(root, commit));
  const files = Object.keys(values);
  const out: Record<string, number | string | boolean> = {};
  for (const file of files) {
    for (const [key, v] of Object.entries(values[file] ?? {})) out[files.length === 1 ? key : `${file}:${key}`] = plain(v);
  }
  return out;
}

function plain(v: PyValue): number | string | boolean {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}
