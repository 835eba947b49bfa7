/**
 * The statistics of one column as SQL aggregates and back: shared by the batched profile (one
 * aggregate per column and statistic, profile.ts) and the grouped one for small wide files
 * (profile-long.ts), so that both compute the same values.
 */
import { mapEntries } from './checks.js';
import { CATEGORY_MAX_DISTINCT } from './detect.js';
import type { ColumnType } from './source.js';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-null values. */
  count: number;
  nulls: number;
  /** Distinct non-null values, counted exactly (an estimate shown as a count misleads: 57 for 60). */
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  std: number | null;
  /** Approximate 5/25/50/75/95% quantiles (DuckDB's t-digest), numeric columns only. */
  quantiles: Record<string, number> | null;
  minLength: number | null;
  maxLength: number | null;
  /** Most frequent values (up to 50) of category and bool columns. */
  top: { value: string; count: number }[] | null;
  /** 20 equal-width bins over [min, max] for numeric columns. */
  histogram: { lo: number; hi: number; count: number }[] | null;
}

export const HISTOGRAM_BINS = 20;

export const isNumeric = (t: ColumnType) => t === 'int' || t === 'float';
export const isText = (t: ColumnType) => t === 'string' || t === 'category';

/**
 * The statistics of one typed column `c`, each named with `suffix` (the column's index in a batch,
 * or nothing when the query groups by column); columnProfile reads them back.
 */
export function statAggregates(c: string, type: ColumnType, suffix: string): string[] {
  const aggs = [`count(${c}) AS n${suffix}`, `count(DISTINCT ${c}) AS d${suffix}`];
  if (isNumeric(type)) {
    aggs.push(`min(${c})::DOUBLE AS lo${suffix}`, `max(${c})::DOUBLE AS hi${suffix}`, `avg(${c}) AS mean${suffix}`, `stddev_samp(${c}) AS std${suffix}`);
    aggs.push(`approx_quantile(${c}::DOUBLE, [0.05, 0.25, 0.5, 0.75, 0.95]) AS q${suffix}`);
  } else if (type === 'date' || type === 'datetime') {
    aggs.push(`min(${c})::VARCHAR AS lo${suffix}`, `max(${c})::VARCHAR AS hi${suffix}`);
  }
  if (isText(type)) aggs.push(`min(length(${c})) AS minlen${suffix}`, `max(length(${c})) AS maxlen${suffix}`);
  if (type === 'category' || type === 'bool') aggs.push(`histogram(CAST(${c} AS VARCHAR)) AS top${suffix}`);
  return aggs;
}

export function columnProfile(r: Record<string, unknown>, col: { name: string; type: ColumnType }, suffix: string, rows: number): ColumnProfile {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const count = Number(r[`n${suffix}`]);
  const q = r[`q${suffix}`] as number[] | null | undefined;
  const lo = r[`lo${suffix}`];
  const hi = r[`hi${suffix}`];
  return {
    name: col.name,
    type: col.type,
    count,
    nulls: rows - count,
    distinct: Number(r[`d${suffix}`]),
    min: lo === undefined || lo === null ? null : typeof lo === 'string' ? lo : Number(lo),
    max: hi === undefined || hi === null ? null : typeof hi === 'string' ? hi : Number(hi),
    mean: num(r[`mean${suffix}`]),
    std: num(r[`std${suffix}`]),
    quantiles: q ? Object.fromEntries(['0.05', '0.25', '0.5', '0.75', '0.95'].map((k, j) => [k, Number(q[j])])) : null,
    minLength: num(r[`minlen${suffix}`]),
    maxLength: num(r[`maxlen${suffix}`]),
    top: r[`top${suffix}`] === undefined ? null : topValues(r[`top${suffix}`]),
    histogram: null,
  };
}

function topValues(hist: unknown): { value: string; count: number }[] {
  return mapEntries(hist)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, CATEGORY_MAX_DISTINCT);
}

/** Numeric columns with a finite range: a range wider than the largest double (values near +-1e308) has no equal-width bins. */
export function hasBins(col: ColumnProfile): boolean {
  return isNumeric(col.type) && typeof col.min === 'number' && typeof col.max === 'number' && Number.isFinite(col.max - col.min);
}

/** The bin width the SQL divides by (1 for a constant column, whose values all land in bin 0). */
export function binWidth(col: ColumnProfile): number {
  return ((col.max as number) - (col.min as number)) / HISTOGRAM_BINS || 1;
}

/**
 * The aggregate counting `c`'s values per bin index, given the lowest edge and the bin width as SQL.
 * NULLs are filtered out first: least(NULL, 19) is 19 in DuckDB, which counted every missing value
 * in the last bin.
 */
export function binHistogram(c: string, lo: string, width: string): string {
  return `histogram(least(floor((${c} - ${lo}) / ${width}), ${HISTOGRAM_BINS - 1})::INTEGER) FILTER (WHERE ${c} IS NOT NULL)`;
}

/** Fills col.histogram from binHistogram's map of bin index -> count. */
export function setHistogram(col: ColumnProfile, binCounts: unknown): void {
  const lo = col.min as number;
  const hi = col.max as number;
  const width = (hi - lo) / HISTOGRAM_BINS;
  const counts = new Map(mapEntries(binCounts).map(([k, n]) => [Number(k), n]));
  col.histogram =
    width === 0
      ? [{ lo, hi, count: col.count }]
      : Array.from({ length: HISTOGRAM_BINS }, (_, b) => ({ lo: lo + b * width, hi: lo + (b + 1) * width, count: counts.get(b) ?? 0 }));
}
