import { MlpipeError } from '../../errors.js';
import type { FeatureStep, InputColumn, Task } from '../../model/artifact.js';
import { featureCount, preprocess } from '../../model/preprocess.js';
import type { TrainParams } from '../params.js';
import { median } from '../sort.js';
import type { RawColumn, Table } from './load.js';
import { holdOut } from './split.js';

/**
 * Turns a loaded table into what the algorithms need: the task, the class labels, the encoded
 * target, the preprocessing steps (fitted on the training rows only) and the float32 feature matrix
 * produced by the shared preprocess(). Every data problem is detected here, before any training.
 */
export interface Dataset {
  task: Task;
  target: string;
  /** Class labels in index order, or null for regression. */
  classes: string[] | null;
  /** Class index per row (classifiers) or the value (regression). */
  y: Int32Array | Float64Array;
  inputSchema: InputColumn[];
  steps: FeatureStep[];
  features: string[];
  /** Row-major [rows, features] float32: exactly what model.onnx receives. */
  X: Float32Array;
  rows: number;
  train: Uint32Array;
  test: Uint32Array;
  /** Rows dropped because the target was missing. */
  droppedRows: number;
  /** Columns left out of the features, and why (an ID, a date). */
  excluded: { column: string; reason: 'id' | 'date' }[];
  /** What the user should know about the data: dropped rows, excluded columns (CLI, --json, model.json). */
  notes: string[];
}

/** Fewer rows than this cannot tell an ID column from a column whose few values happen to differ. */
const ID_MIN_ROWS = 20;
const ID_NAME = /(^|[_\s.-])(id|uuid|guid|key)$|^(id|uuid|guid)([_\s.-]|$)/i;

/**
 * An ID column identifies rows instead of describing them: learning from it memorises the training
 * rows and generalises to nothing. Text with every value distinct is one; an integer column is one
 * when every value is distinct and it is named like an id (`id`, `user_id`, `uuid`, ...): distinct
 * integers alone are also what a small table's measurements or a toy feature 0..n-1 look like.
 */
function isIdLike(column: RawColumn, rows: number): boolean {
  if (rows < ID_MIN_ROWS || column.nulls > 0 || column.kind === 'bool' || column.kind === 'date') return false;
  if (column.kind === 'string') return new Set(column.values).size === rows;
  return column.sqlType === 'BIGINT' && ID_NAME.test(column.name) && new Set(column.values).size === rows;
}

const INTEGER = /INT/;
/** A text column where at least this share of values parses as a number is a numeric column with typos. */
const NUMERIC_SHARE = 0.9;

function trainError(reason: string, message: string, fields: { expected: string; received: string; hint?: string }) {
  return new MlpipeError('E_TRAIN', message, { ...fields, data: { reason } });
}

function isNumberText(s: string): boolean {
  const t = s.trim();
  return t !== '' && Number.isFinite(Number(t));
}

/** Class labels as strings, in a stable order: numeric ascending for numbers, code-point order for text. */
function labelOf(column: RawColumn, r: number): string | null {
  const v = column.values[r];
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
  if (typeof v !== 'number') return v;
  return column.kind === 'bool' ? String(v === 1) : String(v);
}

function inferTask(column: RawColumn, distinct: number, requested: TrainParams['task']): Task {
  if (requested !== 'auto') return requested;
  if (column.kind !== 'numeric') return distinct <= 2 ? 'binary' : 'multiclass';
  const values = column.values as Float64Array;
  let integers = true;
  for (const v of values) if (!Number.isNaN(v) && !Number.isInteger(v)) integers = false;
  if (integers && distinct <= 20) return distinct <= 2 ? 'binary' : 'multiclass';
  return 'regression';
}

function subsetColumn(column: RawColumn, keep: Uint32Array): RawColumn {
  if (column.kind === 'string' || column.kind === 'date') return { ...column, values: Array.from(keep, (r) => column.values[r] ?? null) };
  const values = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) values[i] = column.values[keep[i]!]!;
  return { ...column, values };
}

/** Categories by descending frequency (ties by name), at most `max`. */
function categoriesOf(values: (string | null)[] | Float64Array, rows: Uint32Array, max: number): string[] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const v = values[r];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, max)
    .map(([c]) => c);
}

function presentMedian(values: Float64Array, rows: Uint32Array): number {
  const present = new Float64Array(rows.length);
  let m = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]!]!;
    if (!Number.isNaN(v)) present[m++] = v;
  }
  return m === 0 ? 0 : median(present.subarray(0, m));
}

function meanStd(values: Float64Array, rows: Uint32Array, impute: number): { mean: number; std: number } {
  let sum = 0;
  for (const r of rows) sum += Number.isNaN(values[r]!) ? impute : values[r]!;
  const mean = sum / rows.length;
  let ss = 0;
  for (const r of rows) {
    const d = (Number.isNaN(values[r]!) ? impute : values[r]!) - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / rows.length);
  return { mean, std: std > 0 ? std : 1 };
}

/** Rejects a text column whose values are mostly numbers: a numeric feature with stray text in it. */
function checkNumericText(column: RawColumn & { kind: 'string' }): void {
  let numeric = 0;
  let present = 0;
  const bad: { row: number; value: string }[] = [];
  column.values.forEach((v, row) => {
    if (v === null) return;
    present++;
    if (isNumberText(v)) numeric++;
    else if (bad.length < 5) bad.push({ row, value: v });
  });
  if (present > 0 && numeric / present >= NUMERIC_SHARE && numeric < present) {
    throw new MlpipeError('E_BAD_INPUT', `column "${column.name}" is numeric but holds ${present - numeric} non-numeric value(s)`, {
      expected: 'numbers (or empty cells for missing values) in every row',
      received: bad.map((b) => `row ${b.row + 1}: ${JSON.stringify(b.value)}`).join(', '),
      hint: `clean the column, or declare it categorical with --set categorical=${column.name}`,
      data: { reason: 'non-numeric', column: column.name, examples: bad },
    });
  }
}

/**
 * Refuses a regression target whose squared errors overflow a double (values near 1e308): the fit
 * and its metrics would be NaN, a model that predicts nothing.
 */
function checkTargetRange(target: string, y: Float64Array): void {
  let maxAbs = 0;
  for (const v of y) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  const limit = Math.sqrt(Number.MAX_VALUE / Math.max(1, y.length)) / 4;
  if (!(maxAbs <= limit)) {
    throw new MlpipeError('E_BAD_INPUT', `target column "${target}" holds values too large to fit (largest magnitude ${maxAbs.toPrecision(3)})`, {
      expected: `target values within +-${limit.toPrecision(3)}, so that squared errors fit in a double`,
      received: maxAbs.toPrecision(6),
      hint: 'rescale the target (for example divide it by a power of ten, or train on its logarithm)',
      data: { reason: 'target-range', column: target, maxAbs },
    });
  }
}

export function prepareDataset(table: Table, target: string, params: TrainParams): Dataset {
  const targetColumn = table.columns.find((c) => c.name === target);
  if (!targetColumn) {
    throw new MlpipeError('E_BAD_INPUT', `target column "${target}" is not in the data`, {
      expected: `one of ${JSON.stringify(table.columns.map((c) => c.name))}`,
      received: target,
      hint: 'pass the name of the column to predict with --target',
      data: { reason: 'missing-target', column: target },
    });
  }
  for (const name of [...params.drop, ...params.categorical, ...params.features]) {
    if (!table.columns.some((c) => c.name === name)) {
      throw new MlpipeError('E_BAD_INPUT', `column "${name}" named in the training parameters is not in the data`, {
        expected: `one of ${JSON.stringify(table.columns.map((c) => c.name))}`,
        received: name,
      });
    }
  }
  // Rows without a target cannot be learnt from.
  const keepRows: number[] = [];
  for (let r = 0; r < table.rows; r++) if (labelOf(targetColumn, r) !== null) keepRows.push(r);
  if (keepRows.length === 0) {
    throw trainError('empty', 'the training set is empty', {
      expected: 'at least one row with a value in the target column',
      received: `${table.rows} row(s), none with a value in "${target}"`,
      hint: 'check the --data file and the --target column',
    });
  }
  const keep = Uint32Array.from(keepRows);
  const rows = keep.length;
  const notes: string[] = [];
  const excluded: Dataset['excluded'] = [];
  if (rows < table.rows) notes.push(`${table.rows - rows} of ${table.rows} row(s) have no value in the target "${target}" and were left out`);
  const columns = keep.length === table.rows ? table.columns : table.columns.map((c) => subsetColumn(c, keep));
  const tcol = columns.find((c) => c.name === target)!;

  const labels = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    const l = labelOf(tcol, r)!;
    labels.set(l, (labels.get(l) ?? 0) + 1);
  }
  const task = inferTask(tcol, labels.size, params.task);
  let classes: string[] | null = null;
  let y: Int32Array | Float64Array;
  if (task === 'regression') {
    if (tcol.kind === 'string') {
      throw new MlpipeError('E_BAD_INPUT', `target column "${target}" is text, a regression target must be numeric`, {
        expected: 'a numeric target column for task "regression"',
        received: `column type ${tcol.sqlType}`,
        hint: 'use --set task=multiclass (or binary), or choose a numeric target',
        data: { reason: 'non-numeric-target', column: target },
      });
    }
    y = Float64Array.from(tcol.values as Float64Array);
    checkTargetRange(target, y);
  } else {
    if (labels.size < 2) {
      throw trainError('one-class', `target column "${target}" has only one class`, {
        expected: 'at least two distinct values to classify',
        received: `${JSON.stringify([...labels.keys()][0])} in all ${rows} row(s)`,
        hint: 'check that the data is complete, or train a regression with --set task=regression',
      });
    }
    if (labels.size > params.max_classes) {
      throw trainError('too-many-classes', `target column "${target}" has ${labels.size} classes, more than max_classes`, {
        expected: `at most ${params.max_classes} classes`,
        received: `${labels.size} distinct values`,
        hint: 'for a numeric target use --set task=regression, or raise --set max_classes=N',
      });
    }
    if (task === 'binary' && labels.size !== 2) {
      throw trainError('not-binary', `task "binary" needs exactly two classes, "${target}" has ${labels.size}`, {
        expected: 'two distinct target values',
        received: `${labels.size} values`,
        hint: 'use --set task=multiclass',
      });
    }
    classes = [...labels.keys()];
    if (tcol.kind === 'numeric') classes.sort((a, b) => Number(a) - Number(b));
    else classes.sort();
    const index = new Map(classes.map((c, i) => [c, i]));
    y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) y[r] = index.get(labelOf(tcol, r)!)!;
  }

  const split = holdOut(rows, params.test_size, params.seed, task === 'regression' ? null : (y as Int32Array), classes?.length ?? 1);
  if (split.train.length === 0) {
    throw trainError('empty', 'the training set is empty after holding out the test rows', {
      expected: 'at least one training row',
      received: `${rows} row(s) with test_size ${params.test_size}`,
      hint: 'add data or lower --set test_size',
    });
  }

  const linear = params.algorithm === 'linear' || params.algorithm === 'ridge' || params.algorithm === 'logistic';
  const encoding = params.encoding === 'auto' ? (linear ? 'onehot' : 'ordinal') : params.encoding;
  const steps: FeatureStep[] = [];
  const inputSchema: InputColumn[] = [];
  for (const column of columns) {
    if (column.name === target || params.drop.includes(column.name)) continue;
    if (params.features.length > 0 && !params.features.includes(column.name)) continue;
    const named = params.features.includes(column.name) || params.categorical.includes(column.name);
    if (column.kind === 'date' && !params.categorical.includes(column.name)) {
      excluded.push({ column: column.name, reason: 'date' });
      notes.push(`column "${column.name}" holds dates and was left out (derive numbers such as year or month from it, or --set categorical=${column.name})`);
      continue;
    }
    // A mostly-numeric text column is a numeric feature with typos (refused), not an ID.
    if (column.kind === 'string' && !params.categorical.includes(column.name)) checkNumericText(column);
    if (!named && isIdLike(column, rows)) {
      excluded.push({ column: column.name, reason: 'id' });
      notes.push(`column "${column.name}" looks like an ID (all ${rows} values distinct) and was left out (--set features=... naming it keeps it)`);
      continue;
    }
    if (column.nulls === rows) {
      throw trainError('all-null', `feature column "${column.name}" has no values (all ${rows} rows are empty)`, {
        expected: 'at least one value in every feature column',
        received: `${rows} missing value(s)`,
        hint: `drop it with --set drop=${column.name}`,
      });
    }
    const categorical = column.kind === 'string' || column.kind === 'date' || params.categorical.includes(column.name);
    if (!categorical) {
      const values = column.values as Float64Array;
      const impute = presentMedian(values, split.train);
      steps.push({ kind: 'numeric', column: column.name, impute, ...(linear ? { scale: meanStd(values, split.train, impute) } : {}) });
      inputSchema.push({
        name: column.name,
        type: column.kind === 'bool' ? 'bool' : INTEGER.test(column.sqlType) ? 'int' : 'float',
        nullable: column.nulls > 0,
      });
      continue;
    }
    const categories = categoriesOf(column.values, split.train, params.max_categories);
    steps.push(
      encoding === 'onehot'
        ? { kind: 'onehot', column: column.name, categories, unknown: 'ignore' }
        : { kind: 'ordinal', column: column.name, categories, missing: -1, unknown: -1 },
    );
    inputSchema.push({ name: column.name, type: 'category', nullable: column.nulls > 0, categories });
  }
  if (steps.length === 0) {
    throw trainError('no-features', 'there are no feature columns besides the target', {
      expected: 'at least one feature column',
      received: JSON.stringify(columns.map((c) => c.name)),
    });
  }
  const features = steps.flatMap((s) => (s.kind === 'onehot' ? s.categories.map((c) => `${s.column}=${c}`) : [s.column]));
  const raw = Object.fromEntries(columns.map((c) => [c.name, c.values]));
  const X = preprocess(steps, raw, rows, 'float32') as Float32Array;
  if (featureCount(steps) !== features.length) throw new Error('feature names and preprocessing disagree');
  return {
    task,
    target,
    classes,
    y,
    inputSchema,
    steps,
    features,
    X,
    rows,
    train: split.train,
    test: split.test,
    droppedRows: table.rows - rows,
    excluded,
    notes,
  };
}
