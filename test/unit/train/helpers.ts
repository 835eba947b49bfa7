import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { prepareDataset, type Dataset } from '../../../src/train/data/prepare.js';
import type { RawColumn, Table } from '../../../src/train/data/load.js';
import { resolveParams } from '../../../src/train/params.js';

/**
 * The small real datasets Debian's python3-sklearn ships as CSV, committed under test/fixtures/datasets
 * (byte for byte, see its NOTICE.md) so the training tests need no Python on the machine.
 */
export const SKLEARN_DATA = fileURLToPath(new URL('../../fixtures/datasets', import.meta.url));

/** A table of numeric columns (NaN = missing) and string columns (null = missing). */
export function tableOf(columns: Record<string, ArrayLike<number> | (string | null)[]>): Table {
  const raw: RawColumn[] = Object.entries(columns).map(([name, values]) => {
    if (Array.isArray(values) && values.some((v) => typeof v === 'string' || v === null)) {
      const v = values as (string | null)[];
      return { name, kind: 'string', sqlType: 'VARCHAR', values: v, nulls: v.filter((x) => x === null).length };
    }
    const v = Float64Array.from(values as ArrayLike<number>);
    const integer = v.every((x) => Number.isNaN(x) || Number.isInteger(x));
    return { name, kind: 'numeric', sqlType: integer ? 'BIGINT' : 'DOUBLE', values: v, nulls: v.filter(Number.isNaN).length };
  });
  return { rows: raw[0]!.values.length, columns: raw };
}

/** sklearn's "n_samples,n_features,labels..." CSVs (iris, breast_cancer, wine): x0..xF-1 and target. */
export function sklearnTable(file: 'iris.csv' | 'breast_cancer.csv' | 'wine_data.csv'): Table {
  const lines = readFileSync(`${SKLEARN_DATA}/${file}`, 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  const F = rows[0]!.length - 1;
  const columns: Record<string, number[]> = {};
  for (let f = 0; f < F; f++) columns[`x${f}`] = rows.map((r) => r[f]!);
  columns.target = rows.map((r) => r[F]!);
  return tableOf(columns);
}

/** sklearn's diabetes regression data (10 features, continuous target). */
export function diabetesTable(): Table {
  const read = (f: string) => gunzipSync(readFileSync(`${SKLEARN_DATA}/${f}`)).toString('utf8').trim().split('\n');
  const rows = read('diabetes_data_raw.csv.gz').map((l) => l.trim().split(/\s+/).map(Number));
  const target = read('diabetes_target.csv.gz').map(Number);
  const columns: Record<string, number[]> = {};
  for (let f = 0; f < rows[0]!.length; f++) columns[`x${f}`] = rows.map((r) => r[f]!);
  columns.target = target;
  return tableOf(columns);
}

export function dataset(table: Table, params: Record<string, unknown> = {}, target = 'target'): Dataset {
  return prepareDataset(table, target, resolveParams(params));
}
