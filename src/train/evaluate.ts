import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { MlpipeError } from '../errors.js';
import { loadModel } from '../model/load.js';
import { classificationMetrics, regressionMetrics } from '../model/metrics.js';
import { classificationPlots, regressionPlots } from '../model/plots.js';
import type { RawColumns } from '../model/preprocess.js';
import { loadTable } from './data/load.js';

export interface EvaluateOptions {
  /** Model folder (model.json + model.onnx). */
  model: string;
  /** Labelled data to score: CSV with a header row, or Parquet. */
  data: string;
  /** The label column; default: the model's own target. */
  target?: string;
  /** Where to write the metrics JSON (null: do not write). */
  metricsFile?: string | null;
  /** Where to write the plot CSVs (null: do not write). */
  plotsDir?: string | null;
  cwd?: string;
  /** Told when the model loads with a warning (no recorded checksum). */
  onWarning?: (message: string) => void;
}

export interface EvaluateResult {
  model: string;
  version: string;
  task: string;
  rows: number;
  /** Rows left out because their label is missing. */
  dropped: number;
  metrics: Record<string, unknown>;
  metricsFile: string | null;
  plotsDir: string | null;
}

/**
 * Scores held-out labelled data with a saved model (the same scoring path as `mlpipe predict` and
 * `mlpipe serve`) and computes the same metrics and plot data as training does on its test split,
 * so that a pipeline's evaluate stage measures the artifact that will be served.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const cwd = options.cwd ?? process.cwd();
  const model = await loadModel(resolve(cwd, options.model), { onWarning: options.onWarning });
  try {
    const meta = model.meta;
    const target = options.target ?? meta.target;
    const table = await loadTable(resolve(cwd, options.data));
    const labelColumn = table.columns.find((c) => c.name === target);
    if (!labelColumn) {
      throw new MlpipeError('E_BAD_INPUT', `the data has no label column "${target}"`, {
        expected: `a column named "${target}" (the model's target)`,
        received: `columns ${JSON.stringify(table.columns.map((c) => c.name))}`,
        hint: 'pass --target COLUMN if the label has another name in this file',
      });
    }
    // Keep the rows that have a label; score them through the model's own preprocessing.
    const keep: number[] = [];
    for (let r = 0; r < table.rows; r++) {
      const v = labelColumn.values[r];
      if (v !== null && !(typeof v === 'number' && Number.isNaN(v)) && v !== '') keep.push(r);
    }
    const columns: RawColumns = {};
    for (const column of table.columns) columns[column.name] = keep.map((r) => column.values[r] ?? null);
    const predictions = await model.predict(columns, keep.length);
    const labels = columns[target]!;

    let metrics: Record<string, unknown>;
    let plots: Record<string, string>;
    if (meta.task === 'regression') {
      const y = Float64Array.from(labels as ArrayLike<number>, Number);
      const predicted = Float64Array.from(predictions.values ?? []);
      metrics = { ...regressionMetrics(y, predicted) };
      plots = regressionPlots(y, predicted);
    } else {
      const classes = meta.classes ?? [];
      const index = new Map(classes.map((c, i) => [c, i]));
      const y = new Int32Array(keep.length);
      for (let i = 0; i < keep.length; i++) {
        const k = index.get(String(labels[i]));
        if (k === undefined) {
          throw new MlpipeError('E_BAD_INPUT', `row ${keep[i]! + 1}: label ${JSON.stringify(labels[i])} is not a class the model knows`, {
            expected: `one of ${JSON.stringify(classes)}`,
            received: JSON.stringify(labels[i]),
            hint: 'clean the labels the same way as the training data (for example a trailing "." in adult.test)',
            data: { row: keep[i]! + 1, column: target },
          });
        }
        y[i] = k;
      }
      const predicted = Int32Array.from(predictions.labels ?? [], (label) => index.get(label) ?? 0);
      const proba = Float64Array.from(predictions.probabilities ?? []);
      metrics = { ...classificationMetrics(y, proba, predicted, classes) };
      plots = classificationPlots(y, proba, predicted, classes);
    }
    const result = { model: meta.name, version: meta.version, task: meta.task, rows: keep.length, dropped: table.rows - keep.length };
    const metricsFile = options.metricsFile ? resolve(cwd, options.metricsFile) : null;
    const plotsDir = options.plotsDir ? resolve(cwd, options.plotsDir) : null;
    // The pipeline names output folders (metrics/, plots/eval/) that need not exist yet.
    if (metricsFile) mkdirSync(dirname(metricsFile), { recursive: true });
    if (plotsDir) mkdirSync(plotsDir, { recursive: true });
    if (metricsFile) writeFileAtomic(metricsFile, `${JSON.stringify({ ...result, test: metrics }, null, 2)}\n`);
    if (plotsDir) for (const [file, content] of Object.entries(plots)) writeFileAtomic(resolve(plotsDir, file), content);
    return { ...result, metrics, metricsFile, plotsDir };
  } finally {
    await model.release();
  }
}
