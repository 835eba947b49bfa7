import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { MlpipeError } from '../../errors.js';

/**
 * Reads a CSV or Parquet file into typed columns through DuckDB. Kept in one small module so that it
 * can switch to the shared data-source reader (src/data/source.ts) once that lands.
 */
export type RawColumn =
  | { name: string; kind: 'numeric'; sqlType: string; values: Float64Array; nulls: number }
  | { name: string; kind: 'bool'; sqlType: string; values: Float64Array; nulls: number }
  | { name: string; kind: 'string'; sqlType: string; values: (string | null)[]; nulls: number };

export interface Table {
  rows: number;
  columns: RawColumn[];
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/**
 * The DuckDB table expression that reads `path` (CSV or Parquet, by extension). CSV column types are
 * sniffed from the first rows; `fullScan` sniffs the whole file (slower, needed when a late row does
 * not fit the type the first rows suggested).
 */
export function sourceSql(path: string, fullScan = false): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return `read_parquet(${sqlString(path)})`;
  // No BOOLEAN candidate: DuckDB would read yes/no as booleans and lose the labels' own spelling.
  const types = "auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR']";
  return `read_csv(${sqlString(path)}, header = true, ${types}${fullScan ? ', sample_size = -1' : ''})`;
}

export async function loadTable(path: string): Promise<Table> {
  if (!existsSync(path)) {
    throw new MlpipeError('E_NOT_FOUND', `data file not found: ${path}`, {
      expected: 'a CSV or Parquet file',
      received: path,
      hint: 'check the --data path (relative paths are resolved from the working directory)',
    });
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // Parse the file once into a table; retry with a full-file type sniff if a late row breaks the
    // types sniffed from the first rows.
    try {
      await connection.run(`CREATE TABLE source AS SELECT * FROM ${sourceSql(path)}`);
    } catch {
      try {
        await connection.run(`CREATE OR REPLACE TABLE source AS SELECT * FROM ${sourceSql(path, true)}`);
      } catch (err) {
        throw new MlpipeError('E_BAD_INPUT', `cannot read ${path}: ${(err as Error).message.split('\n')[0]}`, {
          expected: 'a readable CSV file with a header row, or a Parquet file',
          received: path,
          cause: err,
        });
      }
    }
    const reader = await connection.runAndReadAll('DESCRIBE source');
    const described = reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    // Numbers come back as DOUBLE (no bigint), booleans as 0/1, everything else as text.
    const select = described
      .map((c) => {
        const id = quoteIdent(c.name);
        if (NUMERIC.test(c.type)) return `CAST(${id} AS DOUBLE) AS ${id}`;
        if (c.type === 'BOOLEAN') return `CAST(${id} AS DOUBLE) AS ${id}`;
        return `CAST(${id} AS VARCHAR) AS ${id}`;
      })
      .join(', ');
    const result = await connection.run(`SELECT ${select} FROM source`);
    const parts: unknown[][][] = described.map(() => []);
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      rows += chunk.rowCount;
      for (let c = 0; c < described.length; c++) parts[c]!.push(chunk.getColumnValues(c) as unknown[]);
    }
    const columns = described.map((d, c): RawColumn => {
      const chunks = parts[c]!;
      if (NUMERIC.test(d.type) || d.type === 'BOOLEAN') {
        const values = new Float64Array(rows);
        let nulls = 0;
        let r = 0;
        for (const chunk of chunks) {
          for (const v of chunk) {
            if (v === null) {
              values[r++] = Number.NaN;
              nulls++;
            } else values[r++] = v as number;
          }
        }
        return { name: d.name, kind: d.type === 'BOOLEAN' ? 'bool' : 'numeric', sqlType: d.type, values, nulls };
      }
      const values: (string | null)[] = new Array(rows);
      let nulls = 0;
      let r = 0;
      for (const chunk of chunks) {
        for (const v of chunk) {
          values[r++] = v as string | null;
          if (v === null) nulls++;
        }
      }
      return { name: d.name, kind: 'string', sqlType: d.type, values, nulls };
    });
    return { rows, columns };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
