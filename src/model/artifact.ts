import type { ColumnType } from '../data/source.js';

/**
 * The model artifact shared by training (which writes it) and serving / batch prediction /
 * evaluation (which read it). A model is a folder holding `model.onnx` and `model.json` (see
 * docs/architecture.md). Everything that turns raw input columns into the model's feature tensor
 * is described here as data, so that training and inference prepare rows by the same code
 * (./preprocess.ts).
 */
export const MODEL_FORMAT = 'mlpipe-model';
export const MODEL_FORMAT_VERSION = 1;

/** A raw column's type: the one list data validation, training and serving share (data/source.ts). */
export type { ColumnType };
export type Task = 'binary' | 'multiclass' | 'regression';

/** One raw input column the model accepts. */
export interface InputColumn {
  name: string;
  type: ColumnType;
  /** Whether null / missing values are accepted (they are imputed by the preprocessing). */
  nullable: boolean;
  /** For category/string columns: the categories seen in training. */
  categories?: string[];
}

/**
 * How one raw column becomes one or more columns of the feature tensor, in order.
 * - numeric: number (or bool as 0/1); missing -> `impute`; then optional standard scaling.
 * - onehot: one feature per category, 1 for the row's category; missing or unknown -> all zeros
 *   (unknown raises instead when `unknown` is 'error').
 * - ordinal: the category's index as a number (for trees); missing -> `missing`, unknown -> `unknown`
 *   (or an error when `unknown` is 'error').
 */
export type FeatureStep =
  | { kind: 'numeric'; column: string; impute: number; scale?: { mean: number; std: number } }
  | { kind: 'onehot'; column: string; categories: string[]; unknown: 'ignore' | 'error' }
  | { kind: 'ordinal'; column: string; categories: string[]; missing: number; unknown: number | 'error' };

export interface OnnxBinding {
  /** File name inside the model folder. */
  file: string;
  /** Name of the single 2-D input tensor [N, features.length]. */
  input: string;
  /** Element type of the input tensor (tree models with double thresholds need float64). */
  inputType: 'float32' | 'float64';
  /** Output tensor names: class index and probabilities for classifiers, value for regressors. */
  outputs: { label?: string; probabilities?: string; value?: string };
  /**
   * sha256 (hex) of the ONNX file, written by training and checked on every load (./checksum.ts).
   * Absent in models trained before it was recorded: those load with a warning.
   */
  sha256?: string;
}

export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  formatVersion: typeof MODEL_FORMAT_VERSION;
  name: string;
  /** Content hash of model.onnx (first 12 hex chars of its sha256): same bytes, same version. */
  version: string;
  algorithm: string;
  task: Task;
  target: string;
  /** Class labels in index order (classifiers); null for regression. */
  classes: string[] | null;
  inputSchema: InputColumn[];
  preprocessing: FeatureStep[];
  /** Names of the feature tensor's columns, in order. */
  features: string[];
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** md5 of the training data file(s), as DVC would hash them. */
  dataHash: string;
  createdAt: string;
  mlpipeVersion: string;
  onnx: OnnxBinding;
  /** Where the model came from: commit, data md5s, training time (written by src/train/lineage.ts). */
  lineage?: Lineage;
  /** Feature importance in `features` order (tree models), for model cards. */
  importance?: number[];
}

/**
 * Where a model came from: the git commit it was trained at (and whether the work tree had
 * uncommitted changes), the md5 of each data dependency of the dvc.yaml stage that produced it, as
 * dvc.lock records them (a file's md5, a folder's `.dir` oid), and the training time.
 */
export interface Lineage {
  git: { commit: string; dirty: boolean } | null;
  /** The dvc.yaml stage whose outputs hold the model, when there is one. */
  stage: string | null;
  data: { path: string; md5: string }[];
  trainingSeconds: number;
}
