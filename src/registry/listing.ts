import type { ShowOptions } from './views.js';
import { type Json, selectVersions, tableStamp } from './views.js';
import type { RegistryState } from './state.js';
import type { Cell } from './table.js';

export type MetricsAt = (commit: string) => Record<string, number | string | boolean>;

/**
 * The versions of an artifact with, per version, its live stages, the commit and the model's
 * metrics at that commit (read by the caller, so the registry does not depend on pipelines).
 */
export function listWithMetrics(state: RegistryState, query: string, o: ShowOptions, metricsAt: MetricsAt): { json: Json[]; headers: string[]; rows: Cell[][] } {
  const found = selectVersions(state, query, o).versions.map(({ version: v, stages }) => ({
    version: v.version,
    stages: [...new Set(stages.map((s) => s.stage))],
    commit: v.commit,
    created_at: tableStamp(v.authoring.createdAt),
    ref: v.authoring.tag ?? v.commit,
    metrics: metricsAt(v.commit),
  }));
  const keys = [...new Set(found.flatMap((f) => Object.keys(f.metrics)))].sort();
  const rows: Cell[][] = found.map((f) => [
    f.version,
    f.stages.join(', '),
    f.commit.slice(0, 7),
    f.created_at,
    ...keys.map((k) => {
      const v = f.metrics[k];
      return typeof v === 'number' ? Number(v.toPrecision(5)) : v === undefined ? null : String(v);
    }),
  ]);
  return { json: found, headers: ['version', 'stage', 'commit', 'created_at', ...keys], rows };
}
