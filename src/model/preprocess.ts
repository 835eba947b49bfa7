import { MlpipeError } from '../errors.js';
import type { FeatureStep, ModelMeta } from './artifact.js';
import { columnsIn, namesOf, ownColumn } from './column-reader.js';

/** Raw input columns by name, each holding one value per row (number, string, boolean, bigint or null). */
export type RawColumns = Record<string, ArrayLike<unknown>>;

/** Width of the feature tensor the steps produce. */
export function featureCount(steps: FeatureStep[]): number {
  let width = 0;
  for (const step of steps) width += step.kind === 'onehot' ? step.categories.length : 1;
  return width;
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

function toNumber(v: unknown, column: string, row: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    if (v.trim() !== '' && Number.isFinite(n)) return n;
  }
  throw new MlpipeError('E_BAD_INPUT', `column "${column}", row ${row}: expected a number, got ${JSON.stringify(v)}`, {
    expected: 'a number (or null for a missing value)',
    received: JSON.stringify(v),
    data: { column, row },
  });
}

/**
 * Writes a numeric column of doubles into column `offset` of the row-major tensor: NaN (a null)
 * imputed, then scaled.
 */
function placeDoubles(values: Float64Array, rows: number, step: Extract<FeatureStep, { kind: 'numeric' }>, out: Float32Array | Float64Array, offset: number, width: number): void {
  const { impute, scale } = step;
  if (scale) {
    const { mean, std } = scale;
    for (let r = 0, at = offset; r < rows; r++, at += width) {
      const v = values[r]!;
      out[at] = ((Number.isNaN(v) ? impute : v) - mean) / std;
    }
    return;
  }
  for (let r = 0, at = offset; r < rows; r++, at += width) {
    const v = values[r]!;
    out[at] = Number.isNaN(v) ? impute : v;
  }
}

/**
 * Turns raw columns into the row-major feature tensor the model was trained on. The one function
 * both training and inference call, so a model never sees data prepared differently. `into`, when
 * given, is a zero-filled array of `type` and of rows x width entries to write instead of a new one
 * (the server's 1-row requests reuse one: a typed array above 64 bytes is a malloc and a free).
 */
export function preprocess(
  steps: FeatureStep[],
  columns: RawColumns,
  rows: number,
  type: 'float32' | 'float64' = 'float64',
  into?: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const width = featureCount(steps);
  const out = into ?? (type === 'float32' ? new Float32Array(rows * width) : new Float64Array(rows * width));
  let offset = 0;
  const names = namesOf(steps, (s) => s.column);
  const inputs = columnsIn(names)(columns) as (ArrayLike<unknown> | undefined)[];
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    // A list of steps changed since it was first seen (the cache is per array) reads directly.
    const values = names[k] === step.column ? inputs[k] : (ownColumn(columns, step.column) as ArrayLike<unknown> | undefined);
    if (!values) {
      throw new MlpipeError('E_BAD_INPUT', `missing input column "${step.column}"`, {
        expected: `a column named "${step.column}"`,
        received: `columns ${JSON.stringify(Object.keys(columns))}`,
        data: { column: step.column },
      });
    }
    if (step.kind === 'numeric' && values instanceof Float64Array) {
      // Batch prediction's columns (DuckDB's DOUBLE vectors, null as NaN): the loop below without
      // its per-value type tests, the same results.
      placeDoubles(values, rows, step, out, offset, width);
      offset += 1;
    } else if (step.kind === 'numeric') {
      const scale = step.scale;
      for (let r = 0; r < rows; r++) {
        const v = values[r];
        let x = isMissing(v) ? step.impute : toNumber(v, step.column, r);
        if (scale) x = (x - scale.mean) / scale.std;
        out[r * width + offset] = x;
      }
      offset += 1;
    } else {
      const index = new Map(step.categories.map((c, i) => [c, i]));
      for (let r = 0; r < rows; r++) {
        const v = values[r];
        const missing = isMissing(v);
        const i = missing ? undefined : index.get(String(v));
        if (!missing && i === undefined && step.unknown === 'error') {
          throw new MlpipeError('E_BAD_INPUT', `column "${step.column}", row ${r}: unknown category ${JSON.stringify(v)}`, {
            expected: `one of ${JSON.stringify(step.categories.slice(0, 20))}${step.categories.length > 20 ? ' ...' : ''}`,
            received: JSON.stringify(v),
            data: { column: step.column, row: r },
          });
        }
        if (step.kind === 'onehot') {
          if (i !== undefined) out[r * width + offset + i] = 1;
        } else {
          out[r * width + offset] = missing ? step.missing : (i ?? (step.unknown as number));
        }
      }
      offset += step.kind === 'onehot' ? step.categories.length : 1;
    }
  }
  return out;
}

/** Convenience: preprocess with a model's own steps and input type. */
export function preprocessForModel(meta: ModelMeta, columns: RawColumns, rows: number, into?: Float32Array | Float64Array): Float32Array | Float64Array {
  return preprocess(meta.preprocessing, columns, rows, meta.onnx.inputType, into);
}
