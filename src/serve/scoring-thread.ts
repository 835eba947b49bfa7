import { readFile } from 'node:fs/promises';
import { verifyOnnx } from '../model/checksum.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MlpipeError } from '../errors.js';
import { preprocessForModel, type RawColumns } from '../model/preprocess.js';
import { type Model, type OutputData, type Predictions, decodeOutputs, outputNames } from '../model/load.js';

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
}

/**
 * Batches of at least this many rows are scored on all the thread's onnxruntime threads. Its tree
 * ensemble kernel splits a large batch by rows, each row's trees summed in order as on one thread
 * (outputs checked identical for 1 to 65,536 rows on bench/predict.mjs's model); a small batch
 * may be split by trees, the partial sums added in another order (its one-row path does).
 */
const MIN_PARALLEL_ROWS = 1024;

type Reply = { ready: true } | { id: number; outputs: OutputData[] } | { id: number; error: string } | { fatal: string };

/**
 * The scoring thread's body. It is sent as source text (`eval`), so that the same code runs from
 * dist/ and from the TypeScript sources under test: it must not use anything from this module.
 */
function scoringThreadMain(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const setup = workerData as ThreadSetup;
  const ort = require(setup.ort) as typeof import('onnxruntime-node');
  const port = parentPort!;
  const open = (threads: number) =>
    ort.InferenceSession.create(setup.model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Without spinning: an idle onnxruntime thread leaves its core to the main thread and DuckDB
      // instead of busy-waiting on it (onnxruntime's default spins).
      ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    });
  open(setup.threads).then(
    (session) => {
      // Batches under setup.minParallelRows go to a one-thread session, opened when first needed.
      let single: Promise<typeof session> | undefined = setup.threads > 1 ? undefined : Promise.resolve(session);
      port.on('message', (m: { id: number; x: Float32Array | Float64Array; rows: number } | null) => {
        if (m === null) {
          Promise.all([session.release(), single?.then((s) => (s === session ? undefined : s.release()))]).finally(() => port.close());
          return;
        }
        const feeds = { [setup.input]: new ort.Tensor(setup.inputType as 'float32', m.x, [m.rows, setup.width]) };
        if (m.rows < setup.minParallelRows) single ??= open(1);
        const scorer = m.rows >= setup.minParallelRows ? Promise.resolve(session) : single!;
        scorer.then((s) => s.run(feeds, setup.fetches)).then(
          (out) => port.postMessage({ id: m.id, outputs: setup.fetches.map((n) => out[n]!.data) }),
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
  ) {
    worker.on('message', (reply: Reply) => {
      if (!('id' in reply)) return;
      const job = this.waiting.get(reply.id);
      if (!job) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) job.reject(this.scoringError(reply.error));
      else {
        const names = outputNames(model.meta);
        job.resolve(decodeOutputs(model.meta, job.rows, (name) => reply.outputs[names.indexOf(name)]));
      }
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', () => this.fail(new Error('the scoring thread exited')));
  }

  /** Starts a thread scoring `model` with `threads` onnxruntime threads; resolves once its session is loaded. */
  static async start(model: Model, threads = 1): Promise<ScoringThread> {
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
    };
    const worker = new Worker(`(${scoringThreadMain.toString()})()`, { eval: true, workerData: setup });
    const ready = await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the scoring thread exited with code ${code} while loading`)));
    });
    if ('fatal' in ready) {
      await worker.terminate();
      throw new MlpipeError('E_MODEL', `onnxruntime cannot load ${meta.onnx.file} in the scoring thread: ${ready.fatal}`);
    }
    return new ScoringThread(model, worker);
  }

  /** Preprocesses on the calling thread, then scores on the scoring thread. */
  async predict(columns: RawColumns, rows: number): Promise<Predictions> {
    if (this.failure) throw this.failure;
    const x = preprocessForModel(this.model.meta, columns, rows);
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
