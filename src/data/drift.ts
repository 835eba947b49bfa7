/**
 * Drift of the current data against a reference dataset, column by column, with the test chosen by
 * column type and reference size the way Evidently does by default (thresholds overridable in the
 * schema, per column or per kind):
 * - numeric, reference <= 1000 rows: two-sample Kolmogorov-Smirnov, drift when p < 0.05;
 * - numeric, larger: Wasserstein distance normed by the reference std, drift when > 0.1;
 * - categorical (also numeric with <= 5 distinct values), reference <= 1000 rows: chi-square, p < 0.05;
 * - categorical, larger: Jensen-Shannon distance (natural log), drift when > 0.1;
 * - PSI (either kind, on request): drift when > 0.1.
 * KS and Wasserstein are exact (computed in SQL over the merged distinct values); PSI and the charts
 * use 10 equal-width bins over the combined range. CSV inputs are first written to temporary Parquet
 * files with typed columns, so each per-column query reads one column instead of re-parsing the CSV.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issue } from './issues.js';
import { describeIssue } from './issues.js';
import type { DriftMethod, DriftSpec, Schema, Severity } from './schema.js';
import { sourceFromSchema } from './schema.js';
import type { Database, OpenedSource, SourceColumn } from './source.js';
import { detectFormat, openSource, parquetReadSql, quoteIdent, quoteLiteral } from './source.js';
import { chiSquareTest, jensenShannon, ksPValue, psi } from './stats.js';

export interface DriftColumn {
  column: string;
  kind: 'numeric' | 'categorical';
  method: DriftMethod;
  /** The test statistic (KS D, normed Wasserstein, chi-square, JS distance or PSI). */
  statistic: number;
  /** p-value for KS and chi-square; null for distances. */
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  /** What the charts show: bin labels (or categories) with reference and current shares. */
  bins: { label: string; reference: number; current: number }[];
}

export interface DriftReport {
  reference: string;
  columns: DriftColumn[];
  drifted: string[];
  issues: Issue[];
}

const SMALL_REFERENCE = 1000;
const FEW_VALUES = 5;
const BINS = 10;
const DEFAULT_THRESHOLD: Record<DriftMethod, number> = { ks: 0.05, chisquare: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 };

export async function compareDistributions(
  db: Database,
  options: { schema: Schema; current: OpenedSource; reference: string },
): Promise<DriftReport> {
  const { schema, current } = options;
  const refSource = sourceFromSchema(schema, options.reference, detectFormat(options.reference));
  const reference = await openSource(db, refSource, { rejects: refSource.format === 'csv' });
  const tmp = mkdtempSync(join(tmpdir(), 'mlpipe-drift-'));
  try {
    const both = current.source.columns.filter((c) => !current.missing.includes(c.name) && !reference.missing.includes(c.name));
    const cur = await typedParquet(db, current, both, join(tmp, 'current.parquet'));
    const ref = await typedParquet(db, reference, both, join(tmp, 'reference.parquet'));
    const columns: DriftColumn[] = [];
    for (const col of both) {
      const spec = schema.columns[col.name]?.drift;
      if (spec === false || col.type === 'date' || col.type === 'datetime') continue;
      if (col.type === 'string' && !spec?.method) continue; // free text: no default test
      const result = await driftOf(db, col, cur, ref, spec, schema.drift);
      if (result) columns.push(result);
    }
    const severity: Severity = schema.drift?.severity ?? 'warning';
    const issues = columns.filter((c) => c.drifted).map((c) => driftIssue(c, severity));
    return { reference: options.reference, columns, drifted: columns.filter((c) => c.drifted).map((c) => c.column), issues };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Streams the typed columns into a Parquet file (a relation reading it). */
async function typedParquet(db: Database, opened: OpenedSource, columns: SourceColumn[], path: string): Promise<string> {
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  await db.all(`COPY (SELECT ${list} FROM ${opened.typedSql}) TO ${quoteLiteral(path)} (FORMAT parquet)`);
  return parquetReadSql(path);
}

async function driftOf(
  db: Database,
  col: SourceColumn,
  cur: string,
  ref: string,
  spec: DriftSpec | undefined,
  defaults: Schema['drift'],
): Promise<DriftColumn | null> {
  const c = quoteIdent(col.name);
  const merged = `(SELECT ${c} AS x, 1 AS a, 0 AS b FROM ${cur} WHERE ${c} IS NOT NULL UNION ALL SELECT ${c}, 0, 1 FROM ${ref} WHERE ${c} IS NOT NULL)`;
  const [summary] = await db.all(
    `SELECT sum(a) AS n1, sum(b) AS n2, count(DISTINCT x) FILTER (WHERE b = 1) AS refDistinct FROM ${merged}`,
  );
  const n1 = Number(summary?.n1 ?? 0);
  const n2 = Number(summary?.n2 ?? 0);
  if (n1 === 0 || n2 === 0) return null;
  const numericType = col.type === 'int' || col.type === 'float';
  const kind = numericType && Number(summary?.refDistinct) > FEW_VALUES ? 'numeric' : 'categorical';
  const kindDefaults = kind === 'numeric' ? defaults?.numeric : defaults?.categorical;
  const method: DriftMethod =
    spec?.method ?? kindDefaults?.method ?? (kind === 'numeric' ? (n2 <= SMALL_REFERENCE ? 'ks' : 'wasserstein') : n2 <= SMALL_REFERENCE ? 'chisquare' : 'jensenshannon');
  const threshold = spec?.threshold ?? kindDefaults?.threshold ?? DEFAULT_THRESHOLD[method];
  const numericMethod = method === 'ks' || method === 'wasserstein' || (method === 'psi' && kind === 'numeric');
  const bins = numericMethod && numericType ? await numericBins(db, merged) : await categoryBins(db, merged);
  let statistic: number;
  let pValue: number | null = null;
  if (method === 'ks' || method === 'wasserstein') {
    const exact = await ecdfDistances(db, merged, n1, n2);
    statistic = method === 'ks' ? exact.ks : exact.wasserstein / (exact.refStd || 1);
    if (method === 'ks') pValue = ksPValue(exact.ks, n1, n2);
  } else if (method === 'chisquare') {
    const t = chiSquareTest(bins.map((b) => b.currentCount), bins.map((b) => b.referenceCount));
    statistic = t.statistic;
    pValue = t.pValue;
  } else if (method === 'jensenshannon') {
    statistic = jensenShannon(bins.map((b) => b.referenceCount), bins.map((b) => b.currentCount));
  } else {
    statistic = psi(bins.map((b) => b.referenceCount), bins.map((b) => b.currentCount));
  }
  const drifted = pValue !== null ? pValue < threshold : statistic > threshold;
  return {
    column: col.name,
    kind,
    method,
    statistic,
    pValue,
    threshold,
    drifted,
    bins: bins.map((b) => ({ label: b.label, reference: b.referenceCount / n2, current: b.currentCount / n1 })),
  };
}

/**
 * Exact KS statistic and Wasserstein-1 distance from the two empirical CDFs over the merged distinct
 * values (scipy.stats.ks_2samp / wasserstein_distance give the same numbers), and the reference std
 * (population, as numpy's default) that norms the Wasserstein distance.
 */
async function ecdfDistances(db: Database, merged: string, n1: number, n2: number): Promise<{ ks: number; wasserstein: number; refStd: number }> {
  const [row] = await db.all(`
    WITH g AS (SELECT x::DOUBLE AS x, sum(a) AS ca, sum(b) AS cb FROM ${merged} GROUP BY x),
    c AS (
      SELECT x, lead(x) OVER (ORDER BY x) AS nx,
             sum(ca) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) / ${n1} AS f1,
             sum(cb) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) / ${n2} AS f2
      FROM g)
    SELECT max(abs(f1 - f2)) AS ks, sum(abs(f1 - f2) * (nx - x)) FILTER (WHERE nx IS NOT NULL) AS w,
           (SELECT stddev_pop(x::DOUBLE) FILTER (WHERE b = 1) FROM ${merged}) AS sd
    FROM c`);
  return { ks: Number(row?.ks ?? 0), wasserstein: Number(row?.w ?? 0), refStd: Number(row?.sd ?? 0) };
}

interface Bin {
  label: string;
  currentCount: number;
  referenceCount: number;
}

/** BINS equal-width bins over the combined [min, max] (numpy.histogram's edges: last bin closed). */
async function numericBins(db: Database, merged: string): Promise<Bin[]> {
  const [range] = await db.all(`SELECT min(x)::DOUBLE AS lo, max(x)::DOUBLE AS hi FROM ${merged}`);
  const lo = Number(range?.lo);
  const hi = Number(range?.hi);
  const width = hi > lo ? (hi - lo) / BINS : 1;
  const rows = await db.all(
    `SELECT least(floor((x::DOUBLE - ${lo}) / ${width}), ${BINS - 1})::INTEGER AS bin, sum(a) AS ca, sum(b) AS cb FROM ${merged} GROUP BY bin`,
  );
  const bins: Bin[] = Array.from({ length: hi > lo ? BINS : 1 }, (_, i) => ({
    label: `${fmt(lo + i * width)}..${fmt(hi > lo ? lo + (i + 1) * width : hi)}`,
    currentCount: 0,
    referenceCount: 0,
  }));
  for (const r of rows) {
    const b = bins[Number(r.bin)]!;
    b.currentCount = Number(r.ca);
    b.referenceCount = Number(r.cb);
  }
  return bins;
}

async function categoryBins(db: Database, merged: string): Promise<Bin[]> {
  const rows = await db.all(`SELECT CAST(x AS VARCHAR) AS k, sum(a) AS ca, sum(b) AS cb FROM ${merged} GROUP BY k ORDER BY cb DESC, ca DESC, k`);
  return rows.map((r) => ({ label: String(r.k), currentCount: Number(r.ca), referenceCount: Number(r.cb) }));
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function driftIssue(c: DriftColumn, severity: Severity): Issue {
  const fields = {
    code: 'drift' as const,
    severity,
    column: c.column,
    rule: `drift.${c.method}`,
    observed: c.pValue !== null ? { statistic: c.statistic, pValue: c.pValue } : c.statistic,
    expected: c.pValue !== null ? `p >= ${c.threshold}` : `<= ${c.threshold}`,
    count: null,
    sample: [],
  };
  return { ...fields, message: describeIssue(fields) };
}
