import { readYaml } from '../core/formats/yaml-read.js';
import { MlpipeError } from '../errors.js';
import type { Task } from '../model/artifact.js';

/**
 * Training hyperparameters: the `train:` section of params.yaml, overridden by `--set key=value`.
 * Names follow scikit-learn where one exists, so that a side-by-side run needs no translation.
 */
export type Algorithm = 'linear' | 'ridge' | 'logistic' | 'decision_tree' | 'random_forest' | 'hgb';

export interface TrainParams {
  algorithm: Algorithm;
  /** 'auto' infers binary/multiclass/regression from the target column. */
  task: Task | 'auto';
  seed: number;
  /** Fraction of rows held out for the test metrics (stratified for classifiers). */
  test_size: number;
  /** k >= 2: also report k-fold cross-validated metrics on the training part. */
  folds: number;
  /** Columns to ignore. */
  drop: string[];
  /** Columns to treat as categorical even if numeric. */
  categorical: string[];
  /**
   * The feature columns to use (default []: every column but the target and `drop`). A column named
   * here is used even if it looks like an ID.
   */
  features: string[];
  /** 'auto': ordinal codes for trees, one-hot for linear models. */
  encoding: 'auto' | 'onehot' | 'ordinal';
  max_categories: number;
  max_classes: number;
  /** Worker threads for forests and boosting; 0 = one per core. */
  threads: number;
  /** null, 'balanced', or a map from class label to weight. */
  class_weight: null | 'balanced' | Record<string, number>;
  // Linear models.
  alpha: number;
  C: number;
  tol: number | null;
  // Trees.
  max_depth: number | null;
  min_samples_leaf: number | null;
  min_samples_split: number;
  n_estimators: number;
  max_features: 'sqrt' | 'log2' | 'all' | number;
  bootstrap: boolean;
  // Gradient boosting (and the iteration cap of logistic regression).
  max_iter: number;
  learning_rate: number;
  max_leaf_nodes: number | null;
  l2_regularization: number;
  max_bins: number;
  early_stopping: 'auto' | boolean;
  validation_fraction: number;
  n_iter_no_change: number;
}

export const DEFAULT_PARAMS: TrainParams = {
  algorithm: 'hgb',
  task: 'auto',
  seed: 42,
  test_size: 0.2,
  folds: 0,
  drop: [],
  categorical: [],
  features: [],
  encoding: 'auto',
  max_categories: 100,
  max_classes: 100,
  threads: 0,
  class_weight: null,
  alpha: 1,
  C: 1,
  tol: null,
  max_depth: null,
  min_samples_leaf: null,
  min_samples_split: 2,
  n_estimators: 100,
  max_features: 'sqrt',
  bootstrap: true,
  max_iter: 100,
  learning_rate: 0.1,
  max_leaf_nodes: 31,
  l2_regularization: 0,
  max_bins: 255,
  early_stopping: 'auto',
  validation_fraction: 0.1,
  n_iter_no_change: 10,
};

const ALIASES: Record<string, Algorithm> = {
  linear: 'linear',
  linear_regression: 'linear',
  ridge: 'ridge',
  logistic: 'logistic',
  logistic_regression: 'logistic',
  decision_tree: 'decision_tree',
  tree: 'decision_tree',
  dt: 'decision_tree',
  random_forest: 'random_forest',
  rf: 'random_forest',
  hgb: 'hgb',
  gbdt: 'hgb',
  gradient_boosting: 'hgb',
};

function bad(key: string, expected: string, value: unknown): MlpipeError {
  return new MlpipeError('E_BAD_INPUT', `training parameter "${key}" is invalid`, {
    expected,
    received: JSON.stringify(value),
    data: { param: key },
    hint: 'fix the `train:` section of params.yaml or the --set value',
  });
}

type Check = (key: string, v: unknown) => unknown;
const num =
  (min: number, max: number, integer = false): Check =>
  (key, v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw bad(key, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, v);
    }
    return v;
  };
const nullable =
  (check: Check): Check =>
  (key, v) =>
    v === null ? null : check(key, v);
const oneOf =
  (...options: unknown[]): Check =>
  (key, v) => {
    if (!options.includes(v)) throw bad(key, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, v);
    return v;
  };
const bool: Check = (key, v) => {
  if (typeof v !== 'boolean') throw bad(key, 'true or false', v);
  return v;
};
const names: Check = (key, v) => {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw bad(key, 'a list of column names', v);
  return list;
};

const CHECKS: Record<keyof TrainParams, Check> = {
  algorithm: (key, v) => {
    const a = typeof v === 'string' ? ALIASES[v.toLowerCase()] : undefined;
    if (!a) throw bad(key, `one of ${[...new Set(Object.values(ALIASES))].join(', ')}`, v);
    return a;
  },
  task: oneOf('auto', 'binary', 'multiclass', 'regression'),
  seed: num(0, 2 ** 32 - 1, true),
  test_size: num(0, 0.9),
  folds: num(0, 100, true),
  drop: names,
  categorical: names,
  features: names,
  encoding: oneOf('auto', 'onehot', 'ordinal'),
  max_categories: num(2, 100_000, true),
  max_classes: num(2, 100_000, true),
  threads: num(0, 256, true),
  class_weight: (key, v) => {
    if (v === null || v === 'balanced') return v;
    if (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((w) => typeof w === 'number' && w >= 0)) {
      return v;
    }
    throw bad(key, 'null, "balanced", or a map from class label to a non-negative weight', v);
  },
  alpha: num(0, Number.MAX_VALUE),
  C: num(Number.MIN_VALUE, Number.MAX_VALUE),
  tol: nullable(num(0, 1)),
  max_depth: nullable(num(1, 1000, true)),
  min_samples_leaf: nullable(num(1, 1e9, true)),
  min_samples_split: num(2, 1e9, true),
  n_estimators: num(1, 100_000, true),
  max_features: (key, v) => {
    if (v === 'sqrt' || v === 'log2' || v === 'all') return v;
    if (typeof v === 'number' && v > 0 && (v <= 1 || Number.isInteger(v))) return v;
    throw bad(key, '"sqrt", "log2", "all", a fraction in (0, 1] or a count of features', v);
  },
  bootstrap: bool,
  max_iter: num(1, 1_000_000, true),
  learning_rate: num(Number.MIN_VALUE, 10),
  max_leaf_nodes: nullable(num(2, 1e9, true)),
  l2_regularization: num(0, Number.MAX_VALUE),
  max_bins: num(2, 255, true),
  early_stopping: (key, v) => (v === 'auto' ? v : bool(key, v)),
  validation_fraction: num(0.01, 0.9),
  n_iter_no_change: num(1, 1_000_000, true),
};

/** Parses `key=value` (the value as a YAML scalar or flow collection: 100, false, null, [a, b]). */
export function parseSet(assignment: string): [string, unknown] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) {
    throw new MlpipeError('E_USAGE', `--set expects key=value, got ${JSON.stringify(assignment)}`, {
      expected: 'key=value, for example --set max_iter=200',
      received: assignment,
    });
  }
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = readYaml(raw);
  } catch {
    value = raw;
  }
  return [assignment.slice(0, eq).trim(), value ?? (raw.trim() === '' ? '' : null)];
}

/**
 * Merges defaults, the params file's `train:` section and --set overrides, checking every value.
 * Returns the full, resolved parameter set (every key, defaults included).
 */
export function resolveParams(...layers: Record<string, unknown>[]): TrainParams {
  const out: Record<string, unknown> = { ...DEFAULT_PARAMS };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const check = CHECKS[key as keyof TrainParams];
      if (!check) {
        throw new MlpipeError('E_BAD_INPUT', `unknown training parameter "${key}"`, {
          expected: `one of ${Object.keys(CHECKS).join(', ')}`,
          received: key,
          data: { param: key },
        });
      }
      out[key] = check(key, value);
    }
  }
  return out as unknown as TrainParams;
}

/** The `train:` section of a parsed params.yaml (empty when absent). */
export function trainSection(doc: unknown, file: string): Record<string, unknown> {
  if (doc === null || doc === undefined) return {};
  const section = (doc as Record<string, unknown>).train;
  if (section === undefined || section === null) return {};
  if (typeof section !== 'object' || Array.isArray(section)) {
    throw new MlpipeError('E_BAD_INPUT', `the "train" section of ${file} is not a mapping`, {
      expected: 'train:\n  algorithm: hgb\n  max_iter: 100',
      received: JSON.stringify(section),
    });
  }
  return section as Record<string, unknown>;
}
