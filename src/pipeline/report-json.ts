import type { DiffResult, Values } from './metrics.js';
import { toJsonValue } from './values.js';

/** `--json` of `metrics diff` / `params diff`: DVC's `{path: {key: {old, new, diff}}}`. */
export function diffJson(result: DiffResult): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [file, entries] of Object.entries(result.diff)) {
    out[file] = Object.fromEntries(
      Object.entries(entries).map(([k, e]) => {
        const v: Record<string, unknown> = { old: e.old === undefined ? null : toJsonValue(e.old), new: e.new === undefined ? null : toJsonValue(e.new) };
        if (e.diff !== undefined) v.diff = toJsonValue(e.diff);
        return [k, v];
      }),
    );
  }
  return out;
}

/** `--json` of `metrics show`: DVC's `{rev: {data: {path: {data: {...}}}}}` with flattened keys. */
export function showJson(revisions: Record<string, Values>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(revisions).map(([rev, files]) => [
      rev,
      { data: Object.fromEntries(Object.entries(files).map(([f, v]) => [f, { data: toJsonValue(v) }])) },
    ]),
  );
}
