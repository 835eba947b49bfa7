import type { PlotDefinition, Row } from './collect.js';
import type { TemplateInput } from './templates.js';

/**
 * The rows a plot template draws, from the data series of one or more revisions. Pure (no file
 * access) so that `plots show/diff` and the dashboard's front end (src/ui/app) share it.
 */
export interface Series {
  rev: string;
  file: string;
  x: string | undefined;
  y: string[];
  rows: Row[];
}

/**
 * Rows for the template. Confusion matrices use the records as they are; the other templates get
 * one row per point with `x` (DVC's `step` index when no x is given), `y`, `rev` and `series`.
 */
export function buildValues(def: PlotDefinition, series: Series[]): TemplateInput {
  const first = series[0] as Series;
  const firstRow = first.rows[0] ?? {};
  const xField = first.x ?? 'step';
  const inferredY = (s: Series) => (s.y.length > 0 ? s.y : [Object.keys(s.rows[0] ?? {}).filter((k) => k !== s.x).pop() ?? 'y']);
  const yNames = [...new Set(series.flatMap(inferredY))];
  const yField = yNames.length === 1 ? (yNames[0] as string) : 'dvc_inferred_y_value';
  const labels = (s: Series, y: string) => {
    const parts = [series.some((o) => o.rev !== s.rev) ? s.rev : '', series.some((o) => o.file !== s.file) ? s.file : '', yNames.length > 1 ? y : ''];
    return parts.filter(Boolean).join('::') || s.rev;
  };
  const confusion = def.template.startsWith('confusion');
  const values: Row[] = [];
  for (const s of series) {
    if (confusion) {
      for (const row of s.rows) values.push({ ...row, rev: s.rev });
      continue;
    }
    for (const y of inferredY(s)) {
      s.rows.forEach((row, i) => {
        values.push({ [xField]: s.x ? row[s.x] : i, [yField]: row[y], rev: s.rev, series: labels(s, y) });
      });
    }
  }
  const xName = confusion ? (first.x ?? Object.keys(firstRow)[0] ?? 'actual') : xField;
  const yName = confusion ? (first.y[0] ?? Object.keys(firstRow)[1] ?? 'predicted') : yField;
  return {
    title: def.title ?? def.id,
    x: xName,
    y: yName,
    xLabel: def.xLabel ?? xName,
    yLabel: def.yLabel ?? (yField === 'dvc_inferred_y_value' ? 'value' : yName),
    values,
    color: confusion ? 'rev' : 'series',
  };
}
