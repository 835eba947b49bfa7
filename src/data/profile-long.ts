/**
 * Types and statistics of a small wide table in a few grouped queries instead of thousands of
 * aggregates. The table is turned long (UNPIVOT: one row per non-NULL cell, `name` and value) and
 * grouped by column name, so each query has the handful of aggregates of one column, whatever the
 * column count: DuckDB plans each aggregate of a wide query for about 0.5 ms, which made 2,000
 * columns cost 6-7 CPU-s in batches of 32 (bench/wide.mjs).
 *
 * The aggregates are the batched path's (typeAggregates, statAggregates, binHistogram), and on one
 * thread each column's values reach its aggregate state in file order either way, so the results
 * are the same values (test/unit/data/profile-wide.test.ts compares both paths).
 */
import { type ColumnProfile, binHistogram, binWidth, columnProfile, hasBins, setHistogram, statAggregates } from './column-stats.js';
import { decideType, typeAggregates } from './detect.js';
import { type ColumnType, type Database, type SourceColumn, numberLiteral, query, quoteIdent, quoteLiteral, typedExpr } from './source.js';

/** `UNPIVOT` of every column of `relation` into (name, v); NULL cells are left out. */
const long = (relation: string) => `(UNPIVOT ${relation} ON COLUMNS(*) INTO NAME name VALUE v)`;

/** Copies a text relation (a CSV read as VARCHAR) into a temporary table, read once from the file. */
export async function materialize(db: Database, raw: string, path: string, table: string): Promise<string> {
  await query(db, `CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} AS SELECT * FROM ${raw}`, path);
  return quoteIdent(table);
}

/** detectTypes over a materialized text table, one grouped query for every column. */
export async function detectTypesLong(db: Database, table: string, names: string[], path: string): Promise<SourceColumn[]> {
  const rows = await query(db, `SELECT name, ${typeAggregates('v', 'x', '').join(', ')} FROM (SELECT name, v, TRY_CAST(v AS DOUBLE) AS x FROM ${long(table)}) GROUP BY name`, path);
  const byName = new Map(rows.map((r) => [String(r.name), r]));
  // A column with no values has no row: decideType reads 0 values (string).
  return names.map((name) => ({ name, type: decideType(byName.get(name) ?? {}, '') }));
}

/** Rows, per-column statistics and histograms of `columns` of a materialized text table. */
export async function profileLong(db: Database, table: string, columns: SourceColumn[], path: string): Promise<{ rows: number; columns: ColumnProfile[] }> {
  const [count] = await query(db, `SELECT count(*) AS n FROM ${table}`, path);
  const rows = Number(count?.n ?? 0);
  const stats = new Map<string, Record<string, unknown>>();
  // UNPIVOT needs one value type: one query per column type, each column typed as the batched path types it.
  for (const group of byType(columns)) {
    const typed = `(SELECT ${group.map((c) => `${typedExpr(c, quoteIdent(c.name))} AS ${quoteIdent(c.name)}`).join(', ')} FROM ${table})`;
    const aggs = statAggregates('v', group[0]!.type, '');
    for (const r of await query(db, `SELECT name, ${aggs.join(', ')} FROM ${long(typed)} GROUP BY name`, path)) stats.set(String(r.name), r);
  }
  const profiled = columns.map((col) => columnProfile(stats.get(col.name) ?? noValues(col.type), col, '', rows));
  await addHistogramsLong(db, table, columns, profiled, path);
  return { rows, columns: profiled };
}

/** What the aggregates return over no values: counts 0, everything else NULL. */
function noValues(type: ColumnType): Record<string, unknown> {
  const names = statAggregates('v', type, '').map((a) => a.slice(a.lastIndexOf(' AS ') + 4));
  return Object.fromEntries(names.map((n) => [n, n === 'n' || n === 'd' ? 0 : null]));
}

function byType(columns: SourceColumn[]): SourceColumn[][] {
  const groups = new Map<string, SourceColumn[]>();
  for (const c of columns) groups.set(c.type, [...(groups.get(c.type) ?? []), c]);
  return [...groups.values()];
}

/** addHistograms for the numeric columns: each column's lowest edge and bin width joined by name. */
async function addHistogramsLong(db: Database, table: string, columns: SourceColumn[], profiled: ColumnProfile[], path: string): Promise<void> {
  for (const type of ['int', 'float'] as const) {
    const binned = profiled.filter((p) => p.type === type && hasBins(p));
    if (binned.length === 0) continue;
    const source = columns.filter((c) => binned.some((p) => p.name === c.name));
    const typed = `(SELECT ${source.map((c) => `${typedExpr(c, quoteIdent(c.name))} AS ${quoteIdent(c.name)}`).join(', ')} FROM ${table})`;
    const edges = binned.map((p) => `(${quoteLiteral(p.name)}, ${numberLiteral(p.min as number)}, ${numberLiteral(binWidth(p))})`).join(', ');
    const sql = `SELECT name, ${binHistogram('v', 'lo', 'width')} AS h FROM ${long(typed)} JOIN (VALUES ${edges}) AS edges(name, lo, width) USING (name) GROUP BY name`;
    const counts = new Map((await query(db, sql, path)).map((r) => [String(r.name), r.h]));
    for (const p of binned) setHistogram(p, counts.get(p.name));
  }
}
