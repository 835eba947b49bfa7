import { PARSED_TYPES, type ParsedType, type TypeCounts, detectCsv, detectTypes, detectTypeCounts, typeFailure } from '../../data/detect.js';
import { type ColumnType, type Database, type SourceColumn, castRejects, csvReadSql, fileColumnsOf, malformedRows, openDatabase, quoteIdent } from '../../data/source.js';
import { type Table, landColumns, landedExpr } from './columns.js';

/**
 * A CSV without a schema, typed and read in one scan of the file instead of two.
 *
 * The types are what `detectSource` decides over the whole file (the first of bool, int, float,
 * date, datetime that every value parses as; else text), so `train` reads the file as `schema
 * infer` and `validate` do. Detecting them costs a full scan of its own (as much as reading the
 * data), so the types are first detected on the leading rows, and the scan that reads the data also
 * checks them:
 * - a type that fails on one value of the sample fails on the file, so the sample's type T is the
 *   file's as soon as every value of the file parses as T. For int, float, date and datetime the
 *   read computes, per row, "a value that does not parse as T" with detection's own SQL
 *   (`typeFailure`); one such row sends the whole file to the two-scan path.
 * - text (and bool, which training reads as text without a schema) needs no check when the sample
 *   already rules out every narrower type; a column with no value in the sample is detected over
 *   the whole file first.
 * Anything unusual (malformed rows, a header read differently, a DuckDB error) returns undefined
 * and the caller takes the two-scan path, which reports it exactly as before.
 */

/**
 * Rows the types are first detected on: their detection costs ~0.07 CPU-s (the whole bench CSV's,
 * 200,000 rows, 0.84); a smaller sample saves little and guesses wrong (a two-scan read) more often.
 */
export const SAMPLE_ROWS = 10_000;

/** How a column is read: its type, and the type the scan must confirm on every row (if any). */
interface Plan {
  column: SourceColumn;
  confirm?: ParsedType;
}

export async function readCsvOneScan(path: string, naValues: readonly string[] | undefined): Promise<Table | undefined> {
  const db = await openDatabase({ preserveOrder: true });
  try {
    return await read(db, path, naValues);
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

async function read(db: Database, path: string, naValues: readonly string[] | undefined): Promise<Table | undefined> {
  const { csv, names } = await detectCsv(path, { naValues });
  // The two-scan path detects over these names and reads by the header's names; they agree unless
  // the file is odd (blank leading lines), and then that path decides.
  const fileColumns = await fileColumnsOf(db, { path, format: 'csv', csv, columns: names.map((name) => ({ name, type: 'string' })) });
  if (fileColumns.length !== names.length || fileColumns.some((n, i) => n !== names[i])) return undefined;
  const raw = csvReadSql(path, csv, names, { rejects: true });

  const sample = await detectTypeCounts(db, `(SELECT * FROM ${raw} LIMIT ${SAMPLE_ROWS})`, names, path, (sql) => db.all(sql));
  const plans = sample.map(plan);
  const unknown = sample.filter((_, i) => !plans[i]);
  if (unknown.length > 0) {
    const full = new Map((await detectTypes(db, raw, unknown.map((c) => c.name), path)).map((c) => [c.name, c.type]));
    sample.forEach((c, i) => {
      plans[i] ??= { column: { name: c.name, type: textual(full.get(c.name)!) } };
    });
  }

  // Float columns are parsed by the CSV reader itself (cheaper than text + TRY_CAST, and the same
  // values: source.ts's readerTypes); a value it cannot parse is a CAST reject, counted below.
  const readerTypes = Object.fromEntries(plans.filter((p) => p!.confirm === 'float').map((p) => [p!.column.name, 'DOUBLE' as const]));
  // The other checked columns: their text as s<i> and their double as x<i>, computed once.
  const inner = plans.map((p, i) => {
    const c = quoteIdent(p!.column.name);
    return p!.confirm && p!.confirm !== 'float' ? `${c} AS s${i}, TRY_CAST(${c} AS DOUBLE) AS x${i}` : `${c} AS s${i}`;
  });
  const values = plans.map((p, i) => (p!.confirm === 'float' ? `s${i}` : landedExpr(p!.column, `s${i}`, true)));
  const checks = plans.flatMap((p, i) => (p!.confirm && p!.confirm !== 'float' ? [`(s${i} IS NOT NULL AND ${typeFailure(p!.confirm, `s${i}`, `x${i}`)})`] : []));
  const flag = checks.length > 0 ? `CAST(${checks.join(' OR ')} AS DOUBLE)` : '0::DOUBLE';
  const columns = plans.map((p) => p!.column);
  const typedRaw = csvReadSql(path, csv, names, { rejects: true, readerTypes });
  const sql = `SELECT ${[...values, flag].join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${typedRaw})`;
  const { rows, columns: read, flags } = await landColumns(db, sql, columns, 1);
  // A row whose value does not parse as its column's sampled type (NaN: a NULL check, never expected).
  if (flags[0]!.some((v) => v !== 0)) return undefined;
  if ((await malformedRows(db)).count > 0 || (await castRejects(db)) > 0) return undefined;
  return { rows, columns: read };
}

/**
 * The sample's verdict on one column: its type with the check the scan must make, or undefined
 * when the sample cannot tell (no values, or text that a wider sample could still find to be a
 * date).
 */
function plan(c: TypeCounts): Plan | undefined {
  if (c.values === 0) return undefined;
  const column = { name: c.name, type: textual(c.type) };
  if (c.type === 'int' || c.type === 'float' || c.type === 'date' || c.type === 'datetime') return { column, confirm: c.type };
  // bool, category, string: the file's type is this one or a later parsed type the sample has not ruled out.
  const later = c.type === 'bool' ? PARSED_TYPES.slice(PARSED_TYPES.indexOf('bool') + 1) : [];
  return later.every((t) => c.failures[t] > 0) ? { column } : undefined;
}

/** Without a schema, training reads a true/false column as a category, in its own spelling (load.ts). */
function textual(type: ColumnType): ColumnType {
  return type === 'bool' ? 'category' : type;
}
