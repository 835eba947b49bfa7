import { constants, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { type ProgressReporter, silentProgress } from '../core/progress.js';
import { MlpipeError } from '../errors.js';
import { duckdbBatches, idKey, inputFormatOf, jsonlBatches, openInput } from './batch-read.js';
import { AtomicOutput, type OutputFormat, csvHeader, csvRows, jsonlRows, outputFormatOf, predictionColumns, write } from './batch-write.js';
import { type Model, type Predictions, TS_MAX_ROWS, loadModel } from '../model/load.js';
import { ScoringThread } from './scoring-thread.js';
import type { Table } from './table.js';
import { assertValidInput } from './validate.js';

/**
 * The first batch of a file is smaller, so that the scoring thread starts sooner: 1M rows went from
 * 3.12 to 2.96 s (median of 4, interleaved, against a first batch of 65,536).
 */
const FIRST_BATCH_ROWS = 8_192;

export interface PredictOptions {
  /** The model folder (model.json + model.onnx) or a .onnx file. */
  model: string;
  /** A .csv, .parquet or .jsonl file, or `-` for JSON Lines on stdin. */
  input: string;
  /** A .csv, .jsonl or .parquet file; when absent, predictions go to `stdout` (JSON Lines for JSON input, else CSV). */
  output?: string;
  /** Add one probability column per class (classifiers). */
  proba?: boolean;
  /** Input columns copied to the output before the prediction, to join results back. */
  ids?: string[];
  /** Rows scored per batch (default 65,536). */
  batchSize?: number;
  /** Missing-value tokens (default: NA_VALUES). */
  naValues?: readonly string[] | undefined;
  /**
   * onnxruntime threads scoring batches of 1,024 rows or more (default 2, or 1 on a one-core
   * machine): they do not spin, so the main thread and DuckDB take a core whenever scoring leaves it.
   */
  threads?: number;
  progress?: ProgressReporter;
  /** Told when the model loads with a warning (no recorded checksum). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  stdin?: Readable;
  stdout?: Writable;
}

export interface PredictResult {
  rows: number;
  output: string | null;
  format: OutputFormat;
  seconds: number;
  model: { name: string; version: string };
}

/**
 * Batch prediction: streams the input in batches through the same validation and scoring as the
 * server, keeps input order, passes id columns through, and writes the output atomically. While the
 * scoring thread scores batch k, this thread reads and preprocesses batch k+1 (DuckDB decoding on its
 * own threads) and writes batch k-1.
 */
export async function predict(options: PredictOptions): Promise<PredictResult> {
  const started = performance.now();
  const ids = options.ids ?? [];
  const proba = options.proba ?? false;
  const inputFormat = inputFormatOf(options.input);
  const format: OutputFormat = options.output ? outputFormatOf(options.output) : inputFormat === 'jsonl' ? 'jsonl' : 'csv';
  const inputPath = options.input === '-' ? '-' : resolve(options.input);
  if (inputPath !== '-') {
    await access(inputPath).catch(() => {
      throw new MlpipeError('E_NOT_FOUND', `input file ${options.input} does not exist`, { hint: 'check the path given to --input' });
    });
  }
  if (options.output) {
    const folder = dirname(resolve(options.output));
    await access(folder, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') {
        throw new MlpipeError('E_PERMISSION', `cannot write ${options.output}: permission denied in the folder ${folder}`, {
          received: err.code,
          hint: 'write the predictions somewhere you may write (--output), or fix the folder\'s permissions',
        });
      }
      throw new MlpipeError('E_NOT_FOUND', `cannot write ${options.output}: the folder ${folder} does not exist`, {
        hint: `create it first (mkdir -p ${folder})`,
      });
    });
  }
  // Files are scored by onnxruntime in a ScoringThread: the TypeScript scorer, which only pays off
  // for a few rows at a time, would cost a graph decode at startup for nothing.
  const fromFile = inputFormat !== 'jsonl';
  const model = await loadModel(options.model, { engine: fromFile ? 'onnx' : 'auto', onWarning: options.onWarning });
  try {
    const meta = model.meta;
    if (proba && !meta.classes) {
      throw new MlpipeError('E_USAGE', '--proba needs a classifier; this model is a regressor', { received: `task ${meta.task}` });
    }
    const batchSize = options.batchSize ?? 65_536;
    const names = meta.inputSchema.map((c) => c.name);
    const batches =
      inputFormat === 'jsonl'
        ? jsonlBatches(openInput(inputPath, options.stdin ?? process.stdin), options.input, names, ids, batchSize, numericInputs(meta.inputSchema), options.naValues)
        : duckdbBatches(inputPath, inputFormat, meta.inputSchema, ids, batchSize, options.naValues, Math.min(batchSize, FIRST_BATCH_ROWS));
    const columns = predictionColumns(meta.classes, proba);
    // Predictions for stdout are written to a temporary file first and copied out at the end, so a
    // bad row in the middle of the input leaves stdout empty, as it leaves an -o file untouched.
    const spool = options.output ? undefined : mkdtempSync(join(tmpdir(), 'mlpipe-predict-'));
    const out = new AtomicOutput(options.output ? resolve(options.output) : join(spool!, `predictions.${format}`), format, columnTypes(ids, columns, meta.classes !== null));
    const stream = out.stream;
    const task = (options.progress ?? silentProgress).task('predicting', { unit: 'rows' });
    let rows = 0;
    // Files are scored on a thread of their own (see ScoringThread), started now so that it loads
    // while DuckDB opens the input. JSON Lines, often one row on stdin, start it only for a large batch.
    let thread: Promise<ScoringThread> | undefined;
    const startThread = () => {
      // CSV (and Parquet, written from CSV) predictions are rendered by the scoring thread too.
      const csv = format === 'jsonl' ? undefined : { proba };
      const started = ScoringThread.start(model, options.threads ?? Math.min(2, availableParallelism()), { csv });
      started.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
      return started;
    };
    // From a file, each batch is asked for before the one before it is scored and written, so that
    // this thread turns DuckDB's chunks into the next batch while it waits for the scoring thread;
    // the first before the scoring thread starts, so that DuckDB opens the input meanwhile. (Not
    // from stdin, where asking early could wait on a writer that has not sent the next rows.)
    const reader = batches[Symbol.asyncIterator]();
    const request = () => {
      const batch = reader.next();
      batch.catch(() => {}); // awaited in the loop; a failure waits for that
      return batch;
    };
    let next = fromFile ? request() : undefined;
    if (fromFile) thread = startThread();
    try {
      if (format !== 'jsonl') await write(stream, csvHeader(ids, columns));
      const emit = async ([table, p]: [Table, Predictions]) => {
        const idValues = ids.map((id) => table.columns[idKey(id)]!);
        const text = format === 'jsonl' ? jsonlRows(ids, idValues, p, meta.classes, proba) : csvRows(idValues, p, model.classCount, proba);
        await write(stream, text);
        task.tick(p.rows);
      };
      let pending: Promise<[Table, Predictions]> | undefined;
      for (;;) {
        const batch = await (next ?? request());
        if (batch.done) break;
        const table = batch.value;
        next = fromFile ? request() : undefined;
        if (options.signal?.aborted) throw new MlpipeError('E_INTERRUPTED', 'prediction interrupted; no output was written');
        if (table.rows > TS_MAX_ROWS) thread ??= startThread();
        const scored = score(model.meta, thread ? await thread : model, table, rows);
        scored.catch(() => {}); // awaited after the next batch is read; a failure must wait for that
        rows += table.rows;
        if (pending) await emit(await pending);
        pending = scored;
      }
      if (pending) await emit(await pending);
      task.done();
      await out.commit();
      if (spool) await pipeline(createReadStream(out.path), options.stdout ?? process.stdout, { end: false });
    } catch (err) {
      task.done();
      await out.abort();
      throw err;
    } finally {
      // Stopped early, the reader closes its input (after reading the batch asked for, if any).
      await reader.return?.(undefined).catch(() => {});
      await thread?.then((t) => t.close(), () => {});
      if (spool) rmSync(spool, { recursive: true, force: true });
    }
    return {
      rows,
      output: spool ? null : out.path,
      format,
      seconds: (performance.now() - started) / 1000,
      model: { name: meta.name, version: meta.version },
    };
  } finally {
    await model.release();
  }
}

/** Inputs whose missing-value tokens in JSON Lines are missing values (numbers and booleans). */
function numericInputs(schema: Model['meta']['inputSchema']): string[] {
  return schema.filter((c) => c.type === 'int' || c.type === 'float' || c.type === 'bool').map((c) => c.name);
}

/** Scores one batch; `offset` rows came before it. Rows are named counting from 1, as validate does. */
function score(meta: Model['meta'], scorer: Pick<Model, 'predict'>, table: Table, offset: number): Promise<[Table, Predictions]> {
  assertValidInput(meta.inputSchema, table, Number.POSITIVE_INFINITY, offset + 1);
  return scorer.predict(table.columns, table.rows).then(
    (p) => [table, p],
    (err: unknown) => {
      // Rows named by the shared preprocessing count from the batch; make them count from the file.
      if (err instanceof MlpipeError && typeof err.data?.row === 'number') {
        const row = err.data.row + offset + 1;
        throw new MlpipeError(err.code, err.message.replace(/row \d+/, `row ${row}`), { expected: err.expected, received: err.received, data: { ...err.data, row } });
      }
      throw err;
    },
  );
}

/** DuckDB types of the output columns (Parquet output). */
function columnTypes(ids: readonly string[], columns: string[], classifier: boolean): Record<string, string> {
  const types: Record<string, string> = {};
  for (const id of ids) types[id] = 'VARCHAR';
  columns.forEach((c, i) => {
    types[c] = i === 0 ? (classifier ? 'VARCHAR' : 'DOUBLE') : 'DOUBLE';
  });
  return types;
}
