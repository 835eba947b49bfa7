import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { readYaml } from '../core/formats/yaml-read.js';
import { md5File } from '../core/hash/md5.js';
import { type ProgressReporter, silentProgress } from '../core/progress.js';
import { MlpipeError } from '../errors.js';
import { loadTable } from './data/load.js';
import { type Dataset, prepareDataset } from './data/prepare.js';
import { kFold } from './data/split.js';
import { classificationMetrics, regressionMetrics } from '../model/metrics.js';
import { type PlotFiles, classificationPlots, importancePlot, learningCurvePlot, regressionPlots } from '../model/plots.js';
import { type FitResult, fitModel } from './fit.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMeta } from '../model/artifact.js';
import { onnxSha256 } from '../model/checksum.js';
import { ONNX_INPUT, ONNX_OUTPUTS, toOnnx } from './model/onnx.js';
import { argmax, score, scoreFromTreeSums } from './model/scorer.js';
import { writeFileAtomic, writeFolderAtomic } from './model/write.js';
import { type TrainParams, parseSet, resolveParams, trainSection } from './params.js';
import { interrupted } from './threads.js';
import { collectLineage, gitState } from './lineage.js';

/**
 * `mlpipe train`: data + params -> model folder (model.onnx + model.json), metrics.json and plot
 * files. Every input problem is reported before training starts; outputs are written atomically at
 * the end, so an interrupted run changes nothing on disk.
 */
export interface TrainOptions {
  /** CSV or Parquet file. */
  data: string;
  target: string;
  /** A validation schema (path, relative to cwd) whose types, CSV dialect and missing-value tokens read the data. */
  schema?: string | undefined;
  /** Missing-value tokens (default: NA_VALUES; with a schema, its csv.nullMarkers). */
  naValues?: readonly string[] | undefined;
  /** params.yaml whose `train:` section holds the hyperparameters. */
  paramsFile?: string;
  /** Parameters given directly (applied after the file). */
  params?: Record<string, unknown>;
  /** `key=value` overrides (applied last). */
  set?: string[];
  /** Model folder (default "model"). */
  out?: string;
  /** metrics.json path (default "metrics.json"); null to skip. */
  metricsFile?: string | null;
  /** Folder for plot CSVs (default "plots"); null to skip. */
  plotsDir?: string | null;
  name?: string;
  cwd?: string;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  version?: string;
}

export interface TrainResult {
  model: string;
  metricsFile: string | null;
  plotsDir: string | null;
  task: ModelMeta['task'];
  algorithm: string;
  rows: { train: number; test: number; dropped: number };
  features: number;
  /** Columns left out of the features (IDs, dates). */
  excluded: { column: string; reason: 'id' | 'date' }[];
  /** Dropped rows and excluded columns, in words. */
  notes: string[];
  metrics: Record<string, unknown>;
  fitSeconds: number;
  seconds: number;
}

function loadParamsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new MlpipeError('E_NOT_FOUND', `params file not found: ${path}`, {
      expected: 'a YAML file with a `train:` section',
      received: path,
    });
  }
  let doc: unknown;
  try {
    doc = readYaml(text);
  } catch (err) {
    throw new MlpipeError('E_BAD_INPUT', `${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      expected: 'YAML',
      received: path,
    });
  }
  return trainSection(doc, path);
}

/** A promise awaited later: its rejection is not "unhandled" if an earlier error ends the run first. */
function early<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Metrics of a fit on some rows: scored with mlpipe's scorer on the float32 rows model.onnx receives. */
function evaluate(ds: Dataset, fit: FitResult, rows: Uint32Array, withPlots: boolean): { metrics: Record<string, unknown>; plots: PlotFiles } {
  const out = predictRows(ds, fit, rows);
  if (!ds.classes) {
    const y = Float64Array.from(rows, (r) => ds.y[r]!);
    return { metrics: { ...regressionMetrics(y, out) }, plots: withPlots ? regressionPlots(y, out) : {} };
  }
  const y = Int32Array.from(rows, (r) => ds.y[r]!);
  const predicted = argmax(out, ds.classes.length);
  return {
    metrics: { ...classificationMetrics(y, out, predicted, ds.classes) },
    plots: withPlots ? classificationPlots(y, out, predicted, ds.classes) : {},
  };
}

function predictRows(ds: Dataset, fit: FitResult, rows: Uint32Array): Float64Array {
  // The rows the fit was made on: their scores are already summed (the same doubles; see scoreFromTreeSums).
  if (fit.treeSums?.rows === rows && fit.scorer.kind === 'trees') return scoreFromTreeSums(fit.scorer, fit.treeSums.sums, rows.length);
  const F = ds.features.length;
  const X = new Float32Array(rows.length * F);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i]! * F;
    for (let f = 0; f < F; f++) X[i * F + f] = ds.X[from + f]!;
  }
  return score(fit.scorer, X, rows.length);
}

/** Mean and standard deviation of each scalar metric over the folds. */
function summariseFolds(folds: Record<string, unknown>[]): Record<string, { mean: number; std: number }> {
  const out: Record<string, { mean: number; std: number }> = {};
  for (const key of Object.keys(folds[0] ?? {})) {
    const values = folds.map((f) => f[key]).filter((v): v is number => typeof v === 'number');
    if (values.length !== folds.length) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    out[key] = { mean, std };
  }
  return out;
}

function checkCompatible(params: TrainParams, ds: Dataset): void {
  const linearRegression = params.algorithm === 'linear' || params.algorithm === 'ridge';
  if (linearRegression && ds.task !== 'regression') {
    throw new MlpipeError('E_TRAIN', `algorithm "${params.algorithm}" is a regressor but the task is ${ds.task}`, {
      expected: 'a regression task for linear/ridge',
      received: `task ${ds.task} (target "${ds.target}" has ${ds.classes?.length} classes)`,
      hint: 'use --set algorithm=logistic for classification, or --set task=regression',
      data: { reason: 'algorithm-task' },
    });
  }
  if (params.algorithm === 'logistic' && ds.task === 'regression') {
    throw new MlpipeError('E_TRAIN', 'algorithm "logistic" is a classifier but the task is regression', {
      expected: 'a binary or multiclass task',
      received: `task regression (target "${ds.target}")`,
      hint: 'use --set algorithm=ridge for regression',
      data: { reason: 'algorithm-task' },
    });
  }
}

/** A fit whose metrics are NaN or infinite predicts nothing useful: never report it as a success. */
function assertFiniteMetrics(metrics: Record<string, unknown>): void {
  const bad: string[] = [];
  for (const part of ['train', 'test'] as const) {
    for (const [name, value] of Object.entries((metrics[part] ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'number' && !Number.isFinite(value)) bad.push(`${part}.${name} = ${value}`);
    }
  }
  if (bad.length === 0) return;
  throw new MlpipeError('E_TRAIN', `training produced non-finite metrics (${bad.slice(0, 3).join(', ')}); no model was written`, {
    expected: 'finite metrics',
    received: bad.join(', '),
    hint: 'check the data for extreme values (for example a target near 1e308) and rescale them',
    data: { reason: 'non-finite', metrics: bad },
  });
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const progress = options.progress ?? silentProgress;
  const { signal } = options;
  const layers = [
    options.paramsFile ? loadParamsFile(resolve(cwd, options.paramsFile)) : {},
    options.params ?? {},
    Object.fromEntries((options.set ?? []).map(parseSet)),
  ];
  const params = resolveParams(...layers);
  const dataPath = resolve(cwd, options.data);
  // Started before the data is read, so that their work (the data file's md5 for model.json, and
  // the commit for its lineage) fills the time the main thread waits for DuckDB's scan.
  const dataHash = early(md5File(dataPath));
  const git = early(gitState(cwd));
  const table = await loadTable(dataPath, { schema: options.schema ? resolve(cwd, options.schema) : undefined, naValues: options.naValues });
  const ds = prepareDataset(table, options.target, params);
  checkCompatible(params, ds);
  if (signal?.aborted) throw interrupted();

  let cv: Record<string, unknown> | undefined;
  if (params.folds >= 2) {
    const folds = kFold(ds.train.length, params.folds, params.seed, ds.classes ? Int32Array.from(ds.train, (r) => ds.y[r]!) : null, ds.classes?.length ?? 1);
    const results: Record<string, unknown>[] = [];
    for (const fold of folds) {
      const trainRows = Uint32Array.from(fold.train, (i) => ds.train[i]!);
      const testRows = Uint32Array.from(fold.test, (i) => ds.train[i]!);
      const fit = await fitModel(ds, trainRows, params, progress, signal);
      results.push(evaluate(ds, fit, testRows, false).metrics);
    }
    cv = { folds: params.folds, ...summariseFolds(results) };
  }

  const fitStarted = performance.now();
  const fit = await fitModel(ds, ds.train, params, progress, signal);
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  const wantPlots = options.plotsDir !== null;
  const evaluation = ds.test.length > 0 ? evaluate(ds, fit, ds.test, wantPlots) : { metrics: {}, plots: {} };
  const metrics: Record<string, unknown> = {
    task: ds.task,
    algorithm: params.algorithm,
    rows: { train: ds.train.length, test: ds.test.length },
    test: evaluation.metrics,
    train: evaluate(ds, fit, ds.train, false).metrics,
    ...(cv ? { cv } : {}),
    ...fit.info,
  };
  assertFiniteMetrics(metrics);
  const plots: PlotFiles = { ...evaluation.plots };
  if (fit.importance) Object.assign(plots, importancePlot(ds.features, fit.importance));
  if (fit.curve.length > 0) Object.assign(plots, learningCurvePlot(fit.curve));

  const outDir = resolve(cwd, options.out ?? 'model');
  const name = options.name ?? basename(outDir);
  const version = options.version ?? '0.0.0';
  const onnxBytes = toOnnx(fit.scorer, {
    name,
    docString: `mlpipe ${params.algorithm} ${ds.task} model predicting "${ds.target}"`,
    producerVersion: version,
  });
  const sha256 = onnxSha256(onnxBytes);
  const lineage = await collectLineage({ cwd, git: await git, dataPath, dataMd5: await dataHash, outDir, trainingSeconds: fitSeconds });
  // What was left out of the data travels with the model (model.json is read by serve as ModelMeta).
  const meta: ModelMeta & { data: { droppedRows: number; excluded: Dataset['excluded']; notes: string[] } } = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name,
    version: sha256.slice(0, 12),
    algorithm: params.algorithm,
    task: ds.task,
    target: ds.target,
    classes: ds.classes,
    inputSchema: ds.inputSchema,
    preprocessing: ds.steps,
    features: ds.features,
    params: { ...params },
    metrics,
    dataHash: await dataHash,
    data: { droppedRows: ds.droppedRows, excluded: ds.excluded, notes: ds.notes },
    createdAt: new Date().toISOString(),
    mlpipeVersion: version,
    onnx: {
      file: 'model.onnx',
      input: ONNX_INPUT,
      inputType: 'float32',
      outputs: ds.classes ? { label: ONNX_OUTPUTS.label, probabilities: ONNX_OUTPUTS.probabilities } : { value: ONNX_OUTPUTS.value },
      sha256,
    },
    lineage,
    ...(fit.importance ? { importance: Array.from(fit.importance) } : {}),
  };
  if (signal?.aborted) throw interrupted();
  writeFolderAtomic(outDir, { 'model.onnx': onnxBytes, 'model.json': `${JSON.stringify(meta, null, 2)}\n` }, signal);
  const metricsFile = options.metricsFile === null ? null : resolve(cwd, options.metricsFile ?? 'metrics.json');
  if (metricsFile) writeFileAtomic(metricsFile, `${JSON.stringify(metrics, null, 2)}\n`);
  const plotsDir = options.plotsDir === null ? null : resolve(cwd, options.plotsDir ?? 'plots');
  if (plotsDir) for (const [file, content] of Object.entries(plots)) writeFileAtomic(resolve(plotsDir, file), content);
  return {
    model: outDir,
    metricsFile,
    plotsDir,
    task: ds.task,
    algorithm: params.algorithm,
    rows: { train: ds.train.length, test: ds.test.length, dropped: ds.droppedRows },
    features: ds.features.length,
    excluded: ds.excluded,
    notes: ds.notes,
    metrics: evaluation.metrics,
    fitSeconds,
    seconds: (performance.now() - started) / 1000,
  };
}
