import { readFile } from 'node:fs/promises';
import { verifyOnnx } from '../model/checksum.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MlpipeError } from '../errors.js';
import { preprocessForModel, type RawColumns } from '../model/preprocess.js';
import { type Model, type OutputData, type Predictions, decodeOutputs, outputNames } from '../model/load.js';
import { finalizeTreeSums } from '../model/ort-finalize.js';
import { type RenderedCsv, labelFields, renderPredictionCsv } from './batch-write.js';
import { float32TextWriter, jsTextTarget, wasmTextTarget } from './float32-text.js';
import { wasmModule } from '../core/wasm.js';
import { type TreeWalkPlan, treeWalkPlan } from '../model/wasm-forest.js';

/** What the scoring thread is started with (its `workerData`). */
interface ThreadSetup {
  ort: string;
  model: Uint8Array;
  threads: number;
  /** Smallest batch scored with `threads` threads; smaller ones are scored on one. */
  minParallelRows: number;
  input: string;
  inputType: string;
  width: number;
  fetches: string[];
  /** Scores batches with the WebAssembly tree walk (wasm-forest.ts) instead of onnxruntime. */
  walk: TreeWalkPlan | null;
  /** Renders each batch's prediction columns as CSV too (batch-write.ts renderPredictionCsv). */
  csv: { fields: Uint8Array[]; proba: boolean; classes: number; text: WebAssembly.Module | null } | null;
}

/**
 * Batches of at least this many rows are scored on all the thread's onnxruntime threads. Its tree
 * ensemble kernel splits a large batch by rows, each row's trees summed in order as on one thread
 * (outputs checked identical for 1 to 65,536 rows on bench/predict.mjs's model); a small batch
 * may be split by trees, the partial sums added in another order (its one-row path does).
 */
const MIN_PARALLEL_ROWS = 1024;

type Reply = { ready: true } | { id: number; outputs: OutputData[]; csv: RenderedCsv | null } | { id: number; error: string } | { fatal: string };

/**
 * The scoring thread's body. It is sent as source text (`eval`), so that the same code runs from
 * dist/ and from the TypeScript sources under test: it must not use anything from this module. The
 * functions it takes are sent as source text too (each self-contained): the walk's final step
 * (ort-finalize.ts) and the CSV rendering (batch-write.ts, float32-text.ts). The unsure rows of a
 * walked batch go to the one-thread onnxruntime session, which adds a row's trees in tree order
 * whatever the batch (tree_ensemble_common.h), as the walk does.
 */
function scoringThreadMain(
  finalize: typeof finalizeTreeSums,
  render: typeof renderPredictionCsv,
  textWriter: typeof float32TextWriter,
  jsTarget: typeof jsTextTarget,
  wasmTarget: typeof wasmTextTarget,
): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const setup = workerData as ThreadSetup;
  const ort = require(setup.ort) as typeof import('onnxruntime-node');
  const port = parentPort!;
  type Session = Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  type Outputs = (Float32Array | Float64Array | BigInt64Array | Int32Array)[];
  const open = (threads: number) =>
    ort.InferenceSession.create(setup.model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Without spinning: an idle onnxruntime thread leaves its core to the main thread and DuckDB
      // instead of busy-waiting on it (onnxruntime's default spins).
      ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
  const runOrt = (session: Session, x: Float32Array | Float64Array, rows: number): Promise<Outputs> => {
    const feeds = { [setup.input]: new ort.Tensor(setup.inputType as 'float32', x, [rows, setup.width]) };
    return session.run(feeds, setup.fetches).then((out) => setup.fetches.map((n) => out[n]!.data as Outputs[number]));
  };
  // The WebAssembly walk: the plan's image at address 0, each batch's rows and sums after it.
  const walk = setup.walk;
  let walkBatch: ((x: Float32Array, rows: number) => Promise<Outputs>) | undefined;
  if (walk) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const start = Math.ceil(walk.image.length / 8) * 8;
    const reserve = (bytes: number) => {
      const missing = start + bytes - memory.buffer.byteLength;
      if (missing > 0) memory.grow(Math.ceil(missing / 65_536));
    };
    reserve(0);
    new Uint8Array(memory.buffer).set(walk.image);
    const score = new WebAssembly.Instance(walk.module, { env: { memory } }).exports.score as (...args: number[]) => void;
    const rowBytes = 4 * walk.width;
    walkBatch = async (x, rows) => {
      const sumsAt = start + Math.ceil((rows * rowBytes) / 8) * 8;
      reserve(sumsAt - start + 8 * rows);
      new Float32Array(memory.buffer, start, rows * walk.width).set(x);
      score(start, rows, rowBytes, 0, walk.groupsEnd, walk.weights, walk.scratch, walk.trees, sumsAt);
      const sums = new Float64Array(memory.buffer, sumsAt, rows);
      const classifier = walk.kind !== 'regression';
      const labels = classifier ? new Int32Array(rows) : null;
      const out = new Float32Array(classifier ? 2 * rows : rows);
      const unsure: number[] = [];
      finalize(walk.kind, sums, rows, walk.base, walk.classLabels, labels, out, unsure);
      if (unsure.length > 0) {
        // The few rows whose float32 rounding onnxruntime's expf could take either way (only
        // logistic classifiers have them): onnxruntime scores them.
        const picked = new Float32Array(unsure.length * walk.width);
        unsure.forEach((r, k) => {
          picked.set(x.subarray(r * walk.width, (r + 1) * walk.width), k * walk.width);
        });
        single ??= open(1);
        const [ortLabels, ortProbabilities] = await runOrt(await single, picked, unsure.length);
        unsure.forEach((r, k) => {
          labels![r] = Number(ortLabels![k]);
          out[2 * r] = Number(ortProbabilities![2 * k]);
          out[2 * r + 1] = Number(ortProbabilities![2 * k + 1]);
        });
      }
      // Fetched in outputNames order: the label, then the probabilities; or the value.
      return setup.fetches.map((_, i) => (classifier && i === 0 ? labels! : out));
    };
  }
  // The prediction columns as CSV, from float32 outputs in outputNames order (else left to the main thread).
  const target = setup.csv ? (setup.csv.text ? wasmTarget(setup.csv.text) : jsTarget(textWriter())) : undefined;
  const renderCsv = (outputs: Outputs, rows: number) => {
    const csv = setup.csv;
    if (!csv) return null;
    if (csv.classes === 0) return outputs[0] instanceof Float32Array ? render(target!, rows, null, [], outputs[0], 1) : null;
    const probabilities = csv.proba ? outputs[1] : null;
    if (csv.proba && !(probabilities instanceof Float32Array)) return null;
    return render(target!, rows, outputs[0] as Int32Array | BigInt64Array, csv.fields, probabilities as Float32Array | null, csv.proba ? csv.classes : 0);
  };
  // Batches under setup.minParallelRows (and the walk's few unsure rows) go to a one-thread
  // session, opened when first needed.
  let single: Promise<Session> | undefined;
  (walk ? Promise.resolve(undefined) : open(setup.threads)).then(
    (session) => {
      if (setup.threads <= 1 && session) single = Promise.resolve(session);
      port.on('message', (m: { id: number; x: Float32Array | Float64Array; rows: number } | null) => {
        if (m === null) {
          Promise.all([session?.release(), single?.then((s) => (s === session ? undefined : s.release()))]).finally(() => port.close());
          return;
        }
        let scored: Promise<Outputs>;
        if (walkBatch) scored = walkBatch(m.x as Float32Array, m.rows);
        else {
          if (m.rows < setup.minParallelRows) single ??= open(1);
          scored = (m.rows >= setup.minParallelRows ? Promise.resolve(session!) : single!).then((s) => runOrt(s, m.x, m.rows));
        }
        scored.then(
          (outputs) => {
            const csv = renderCsv(outputs, m.rows);
            port.postMessage({ id: m.id, outputs, csv }, csv ? [csv.bytes.buffer as ArrayBuffer, csv.ends.buffer as ArrayBuffer] : []);
          },
          (err: Error) => port.postMessage({ id: m.id, error: err.message }),
        );
      });
      port.postMessage({ ready: true });
    },
    (err: Error) => port.postMessage({ fatal: err.message }),
  );
}

/**
 * onnxruntime-node runs `session.run` synchronously on the calling thread, so batch prediction on
 * the main thread could never read, preprocess and write while a batch was scored. This scorer runs
 * its own onnxruntime session on a worker thread: the main thread prepares batch k+1 and writes batch
 * k-1 while batch k is scored. Batches are scored in the order they are sent.
 */
export class ScoringThread {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (p: Predictions) => void; reject: (e: Error) => void; rows: number }>();
  private failure: Error | undefined;

  private constructor(
    private readonly model: Model,
    private readonly worker: Worker,
    /** Whether the rendered CSV has the probabilities; undefined when nothing is rendered. */
    private readonly csvProba: boolean | undefined,
  ) {
    worker.on('message', (reply: Reply) => {
      if (!('id' in reply)) return;
      const job = this.waiting.get(reply.id);
      if (!job) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) job.reject(this.scoringError(reply.error));
      else {
        const names = outputNames(model.meta);
        const predictions = decodeOutputs(model.meta, job.rows, (name) => reply.outputs[names.indexOf(name)]);
        if (reply.csv && this.csvProba !== undefined) predictions.csv = { ...reply.csv, proba: this.csvProba };
        job.resolve(predictions);
      }
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error('the scoring thread exited')));
  }

  /**
   * Starts a thread scoring `model`: with the WebAssembly tree walk when the model has a plan for it
   * (wasm-forest.ts), else with `threads` onnxruntime threads; resolves once it is ready.
   * `walk: false` scores with onnxruntime only (the tests compare the two). With `csv`, each
   * batch's predictions also come rendered as CSV prediction columns (with the probabilities when
   * `csv.proba`).
   */
  static async start(model: Model, threads = 1, options: { walk?: boolean; csv?: { proba: boolean } } = {}): Promise<ScoringThread> {
    const meta = model.meta;
    const onnxPath = join(model.dir, meta.onnx.file);
    const bytes = await readFile(onnxPath);
    // The file is read a second time here: it must still be the one loadModel checked (the
    // warning for a model without a checksum was given then).
    verifyOnnx(meta, bytes, onnxPath, () => {});
    const setup: ThreadSetup = {
      ort: createRequire(import.meta.url).resolve('onnxruntime-node'),
      model: bytes,
      threads,
      minParallelRows: MIN_PARALLEL_ROWS,
      input: meta.onnx.input,
      inputType: meta.onnx.inputType,
      width: meta.features.length,
      fetches: outputNames(meta),
      // A graph the plan cannot even decode stays with onnxruntime, which has loaded it.
      walk: options.walk === false ? null : await treeWalkPlan(bytes, meta).then((plan) => (typeof plan === 'string' ? null : plan), () => null),
      csv: options.csv ? { fields: labelFields(meta.classes ?? []), proba: options.csv.proba, classes: meta.classes?.length ?? 0, text: wasmModule('serve/float32-text') } : null,
    };
    const parts = [finalizeTreeSums, renderPredictionCsv, float32TextWriter, jsTextTarget, wasmTextTarget];
    const source = `(${scoringThreadMain.toString()})(${parts.map((f) => f.toString()).join(', ')})`;
    const worker = new Worker(source, { eval: true, workerData: setup });
    const ready = await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the scoring thread exited with code ${code} while loading`)));
    });
    if ('fatal' in ready) {
      await worker.terminate();
      throw new MlpipeError('E_MODEL', `onnxruntime cannot load ${meta.onnx.file} in the scoring thread: ${ready.fatal}`);
    }
    return new ScoringThread(model, worker, options.csv?.proba);
  }

  /** Preprocesses on the calling thread, then scores on the scoring thread. */
  async predict(columns: RawColumns, rows: number): Promise<Predictions> {
    if (this.failure) throw this.failure;
    return this.scoreTensor(preprocessForModel(this.model.meta, columns, rows), rows);
  }

  /** Scores a feature tensor as the model takes it (rows x features, row-major); hands `x` over. */
  async scoreTensor(x: Float32Array | Float64Array, rows: number): Promise<Predictions> {
    if (this.failure) throw this.failure;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, rows });
      // The features are handed over, not copied: 5 MB per 65,536-row batch of 20 floats.
      this.worker.postMessage({ id, x, rows }, [x.buffer as ArrayBuffer]);
    });
  }

  /** Releases the session and ends the thread. */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage(null);
    await exited;
  }

  private scoringError(message: string): MlpipeError {
    return new MlpipeError('E_MODEL', `onnxruntime failed to score a batch: ${message}`);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const job of this.waiting.values()) job.reject(err);
    this.waiting.clear();
  }
}
