/**
 * The human tables of `metrics show`, `metrics diff`, `params diff` and `exp show`, byte for byte as
 * DVC prints them (../shared/docs/dvc-format.md §5.6). The pipeline computes the values
 * (pipeline/metrics.ts); this only renders them.
 */
import { compareCodePoints } from '../../core/hash/manifest.js';
import type { DiffResult, MetricsShowResult, Values } from '../../pipeline/metrics.js';
import { type PyValue, pyFloatRepr, pyStr } from '../../pipeline/values.js';
import { formatTable } from './table.js';

/** `_format_field`: floats rounded to `precision` digits (DVC's default 5), everything else by str(). */
export function formatValue(v: PyValue | undefined, precision = 5): string {
  if (v === undefined) return '-';
  if (typeof v === 'number' && Number.isFinite(v)) return pyFloatRepr(Number(v.toFixed(precision)));
  return pyStr(v);
}

/** The `dvc metrics show` table: Path, then every metric key sorted; Revision only for several revs. */
export function metricsShowTable(result: MetricsShowResult, options: { markdown?: boolean; precision?: number } = {}): string {
  const revs = Object.keys(result.revisions);
  const keys = [...new Set(revs.flatMap((r) => Object.values(result.revisions[r] as Values).flatMap((v) => Object.keys(v))))].sort(
    compareCodePoints,
  );
  const rows: string[][] = [];
  for (const rev of revs) {
    for (const [file, values] of Object.entries(result.revisions[rev] as Values)) {
      const row = [file, ...keys.map((k) => formatValue(values[k], options.precision))];
      rows.push(revs.length > 1 ? [rev, ...row] : row);
    }
  }
  const headers = [...(revs.length > 1 ? ['Revision'] : []), 'Path', ...keys];
  return formatTable(headers, rows, options.markdown);
}

/** `Path, Metric|Param, <a>, <b>[, Change]`, as `dvc metrics diff` / `dvc params diff` print it. */
export function diffTable(
  result: DiffResult,
  options: { title: 'Metric' | 'Param'; withChange: boolean; markdown?: boolean; precision?: number },
): string {
  const rows: string[][] = [];
  const fmt = (v: PyValue | undefined) => (options.withChange ? formatValue(v, options.precision) : v === undefined ? '-' : pyStr(v));
  for (const [file, entries] of Object.entries(result.diff)) {
    for (const [key, e] of Object.entries(entries)) {
      const row = [file, key, fmt(e.old), fmt(e.new)];
      if (options.withChange) row.push(e.diff === undefined ? '-' : formatValue(e.diff, options.precision));
      rows.push(row);
    }
  }
  const headers = ['Path', options.title, result.a, result.b, ...(options.withChange ? ['Change'] : [])];
  return formatTable(headers, rows, options.markdown);
}

