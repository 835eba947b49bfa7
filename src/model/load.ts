import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { MlpipeError, isErrnoException } from '../errors.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMeta } from './artifact.js';
import { verifyOnnx } from './checksum.js';
import { featureCount, preprocessForModel, type RawColumns } from './preprocess.js';
import { type TsScorer, compileOnnx } from './ts-scorer.js';

/** A batch of predictions, column-oriented so that writers never build per-row objects. */
export interface Predictions {
  rows: number;
  /** Class label per row (classifiers), from `meta.classes`. */
  labels: string[] | null;
  /** Row-major [rows, classes.length] class probabilities (classifiers). */
  probabilities: ArrayLike<number> | null;
  /** Predicted value per row (regressors). */
  values: ArrayLike<number> | null;
  /**
   * The prediction columns already rendered as CSV by the scoring thread (serve/batch-write.ts
   * renderPredictionCsv), with or without the probabilities (`proba`).
   */
  csv?: { bytes: Uint8Array; ends: Uint32Array; proba: boolean };
}

/** A loaded model: its metadata and a scorer over raw input columns (already validated). */
export interface Model {
  readonly dir: string;
  readonly meta: ModelMeta;
  /** Number of classes (classifiers) or 0. */
  readonly classCount: number;
  /** The TypeScript scorer's operator, or why the graph did not compile (then onnxruntime scores all). */
  readonly tsScorer: { op: string } | { unsupported: string };
  predict(columns: RawColumns, rows: number): Promise<Predictions>;
  /**
   * The same predictions, returned at once when the batch is small enough for the TypeScript
   * scorer; undefined when it is not (then `predict`). The server's 1-row path: no promise.
   */
  predictNow?(columns: RawColumns, rows: number): Predictions | undefined;
  /** Frees the native session; the model must not be used afterwards. */
  release(): Promise<void>;
}

export interface LoadOptions {
  /**
   * Which engine scores: 'auto' (default) uses the TypeScript scorer for batches of at most
   * TS_MAX_ROWS rows when the graph compiles, onnxruntime otherwise; 'onnx' and 'ts' force one
   * (tests compare them; 'ts' fails to load a graph that does not compile).
   */
  engine?: 'auto' | 'onnx' | 'ts';
  /**
   * Told about a model that loads but deserves attention (no recorded checksum). Default: a
   * process warning on stderr, so a library caller sees it too.
   */
  onWarning?: (message: string) => void;
}

/** Largest batch the TypeScript scorer takes in 'auto' mode; onnxruntime's kernels win on larger ones. */
export const TS_MAX_ROWS = 32;

/**
 * Loads a model folder: `model.json` (the mlpipe artifact, docs/architecture.md "The model
 * artifact") and its ONNX file. A folder holding only `model.onnx` (or a path to a .onnx file), as
 * exported by another tool, is served too: its metadata is derived from the ONNX graph.
 */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<Model> {
  const abs = resolve(path);
  const { dir, meta } = await readMeta(abs);
  const onnxPath = join(dir, meta.onnx.file);
  const bytes = await readFile(onnxPath).catch((err: unknown) => {
    if (isPermissionError(err)) throw permissionDenied(onnxPath, err);
    throw new MlpipeError('E_MODEL', `cannot read the model's ONNX file ${onnxPath}`, {
      expected: `the file named by model.json "onnx.file" next to model.json`,
      received: isErrnoException(err) ? err.code : String(err),
      hint: 'train or export the model again (`mlpipe train`), or fix "onnx.file" in model.json',
      cause: err,
    });
  });
  if (meta.version !== '') verifyOnnx(meta, bytes, onnxPath, options.onWarning ?? ((message) => process.emitWarning(message, 'MlpipeWarning')));
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    // One thread. onnxruntime-node runs `run` on the main thread, so the server gains nothing from
    // more; in batch prediction the other core reads (DuckDB) and a second onnxruntime thread only
    // competes with it: on the shared 2-core machine, `mlpipe predict` of 200k rows took a median
    // 9.9 s with 1 thread vs 14.0 s with 2, and 25% less CPU.
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  } catch (err) {
    throw new MlpipeError('E_MODEL', `onnxruntime cannot load ${onnxPath}: ${(err as Error).message}`, {
      expected: 'an ONNX model (opset <= 21, ai.onnx.ml <= 3)',
      hint: 'check the file with `python3 -c "import onnx; onnx.checker.check_model(\'model.onnx\')"`',
      cause: err,
    });
  }
  const finalMeta = meta.version === '' ? { ...meta, ...derivedFromSession(session, meta, bytes) } : meta;
  checkBinding(finalMeta, session, onnxPath);
  const engine = options.engine ?? 'auto';
  // onnxruntime accepted the graph; a graph the compiler cannot even decode just stays with onnxruntime.
  const ts = engine === 'onnx' ? 'disabled (engine onnx)' : await compileOnnx(bytes, finalMeta).catch((err: Error) => `cannot decode the graph: ${err.message}`);
  if (engine === 'ts' && typeof ts === 'string') {
    await session.release();
    throw new MlpipeError('E_MODEL', `the TypeScript scorer cannot score ${onnxPath}: ${ts}`, { hint: 'use the onnx engine' });
  }
  const maxTsRows = engine === 'ts' ? Number.POSITIVE_INFINITY : TS_MAX_ROWS;
  return new OnnxModel(dir, finalMeta, session, ort.Tensor, typeof ts === 'string' ? undefined : ts, ts, maxTsRows);
}

async function readMeta(abs: string): Promise<{ dir: string; meta: ModelMeta }> {
  if (abs.endsWith('.onnx')) return { dir: join(abs, '..'), meta: foreignMeta(join(abs, '..'), basename(abs)) };
  let text: string;
  try {
    text = await readFile(join(abs, 'model.json'), 'utf8');
  } catch (err) {
    if (isPermissionError(err)) throw permissionDenied(join(abs, 'model.json'), err);
    if (isErrnoException(err, 'ENOENT')) {
      const onnx = await access(join(abs, 'model.onnx')).then(
        () => true,
        () => false,
      );
      if (onnx) return { dir: abs, meta: foreignMeta(abs, 'model.onnx') };
    }
    throw new MlpipeError('E_MODEL', `no model at ${abs}`, {
      expected: 'a model folder holding model.json and model.onnx (or a .onnx file)',
      received: isErrnoException(err) ? err.code : String(err),
      hint: 'train one with `mlpipe train`, or pass the folder that holds model.json',
      cause: err,
    });
  }
  return { dir: abs, meta: parseMeta(text, join(abs, 'model.json')) };
}

const isPermissionError = (err: unknown): boolean => isErrnoException(err, 'EACCES') || isErrnoException(err, 'EPERM');

/** The model is there but this user may not read it: E_PERMISSION (HTTP 503), not a broken model. */
function permissionDenied(path: string, err: unknown): MlpipeError {
  return new MlpipeError('E_PERMISSION', `permission denied reading ${path}`, {
    expected: 'a model folder and files readable by the user running mlpipe',
    received: (err as NodeJS.ErrnoException).code,
    hint: 'give that user read access (chmod -R a+rX on the model folder) or run mlpipe as its owner',
    cause: err,
  });
}

/** Parses and checks model.json (pure). */
export function parseMeta(text: string, source = 'model.json'): ModelMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MlpipeError('E_MODEL', `${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const m = raw as Partial<ModelMeta>;
  const problems: string[] = [];
  if (m.format !== MODEL_FORMAT) problems.push(`"format" must be "${MODEL_FORMAT}"`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) problems.push(`"formatVersion" must be ${MODEL_FORMAT_VERSION}`);
  if (m.task !== 'binary' && m.task !== 'multiclass' && m.task !== 'regression') problems.push('"task" must be binary, multiclass or regression');
  if (!Array.isArray(m.inputSchema)) problems.push('"inputSchema" must be a list of columns');
  if (!Array.isArray(m.preprocessing)) problems.push('"preprocessing" must be a list of steps');
  if (!Array.isArray(m.features)) problems.push('"features" must be a list of names');
  if (m.task !== 'regression' && !Array.isArray(m.classes)) problems.push('"classes" must list the class labels');
  if (typeof m.onnx !== 'object' || m.onnx === null || typeof m.onnx.input !== 'string') problems.push('"onnx" must name the input tensor');
  if (problems.length > 0) {
    throw new MlpipeError('E_MODEL', `${source} is not an mlpipe model: ${problems.join('; ')}`, {
      expected: `format "${MODEL_FORMAT}" version ${MODEL_FORMAT_VERSION} (docs/architecture.md "The model artifact")`,
      received: JSON.stringify({ format: m.format, formatVersion: m.formatVersion, task: m.task }),
      data: { problems },
    });
  }
  return m as ModelMeta;
}

/**
 * Metadata for an ONNX file without model.json: filled in from the session once loaded (an empty
 * `version` marks it). Its inputs are the tensor's columns f0..fN-1, taken as they are.
 */
function foreignMeta(dir: string, file: string): ModelMeta {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: basename(dir),
    version: '',
    algorithm: 'onnx',
    task: 'regression',
    target: 'prediction',
    classes: null,
    inputSchema: [],
    preprocessing: [],
    features: [],
    params: {},
    metrics: {},
    dataHash: '',
    createdAt: '',
    mlpipeVersion: '',
    onnx: { file, input: '', inputType: 'float32', outputs: {} },
  };
}

function derivedFromSession(session: InferenceSession, meta: ModelMeta, bytes: Buffer): Partial<ModelMeta> {
  const input = session.inputMetadata[0];
  const width = input?.isTensor ? input.shape[1] : undefined;
  if (!input?.isTensor || typeof width !== 'number' || (input.type !== 'float32' && input.type !== 'float64')) {
    throw new MlpipeError('E_MODEL', `cannot serve ${meta.onnx.file} without a model.json`, {
      expected: 'one float tensor input of shape [N, F] with a fixed F',
      received: JSON.stringify(session.inputMetadata),
      hint: 'write a model.json next to it describing the inputs (docs/architecture.md "The model artifact")',
    });
  }
  const features = Array.from({ length: width }, (_, i) => `f${i}`);
  const outputs = session.outputMetadata;
  const label = outputs.find((o) => o.isTensor && o.type === 'int64');
  const proba = outputs.find((o) => o.isTensor && o.type.startsWith('float') && o.shape.length === 2);
  const classCount = proba?.isTensor ? proba.shape[1] : undefined;
  const classifier = label !== undefined && proba !== undefined && typeof classCount === 'number';
  return {
    version: createHash('sha256').update(bytes).digest('hex').slice(0, 12),
    task: classifier ? (classCount === 2 ? 'binary' : 'multiclass') : 'regression',
    classes: classifier ? Array.from({ length: classCount }, (_, i) => String(i)) : null,
    inputSchema: features.map((name) => ({ name, type: 'float', nullable: false })),
    preprocessing: features.map((column) => ({ kind: 'numeric', column, impute: 0 })),
    features,
    onnx: {
      file: meta.onnx.file,
      input: input.name,
      inputType: input.type,
      outputs: classifier ? { label: label.name, probabilities: proba.name } : { value: outputs[0]?.name ?? '' },
    },
  };
}

function checkBinding(meta: ModelMeta, session: InferenceSession, onnxPath: string): void {
  const wanted = [meta.onnx.input, ...Object.values(meta.onnx.outputs)];
  const have = [...session.inputNames, ...session.outputNames];
  const missing = wanted.filter((n) => !have.includes(n));
  const width = featureCount(meta.preprocessing);
  const problems = missing.map((n) => `tensor "${n}" not in the graph`);
  if (width !== meta.features.length) problems.push(`preprocessing makes ${width} features but "features" lists ${meta.features.length}`);
  if (meta.task === 'regression' ? !meta.onnx.outputs.value : !meta.onnx.outputs.label) {
    problems.push(`"onnx.outputs" lacks the ${meta.task === 'regression' ? 'value' : 'label'} tensor`);
  }
  if (problems.length > 0) {
    throw new MlpipeError('E_MODEL', `model.json does not match ${onnxPath}: ${problems.join('; ')}`, {
      expected: `tensors ${JSON.stringify(wanted)}`,
      received: `inputs ${JSON.stringify(session.inputNames)}, outputs ${JSON.stringify(session.outputNames)}`,
      hint: 'export the model again so that model.json and model.onnx come from the same training run',
    });
  }
}

/** The data of one onnxruntime output tensor. */
export type OutputData = Float32Array | Float64Array | BigInt64Array | Int32Array;

/** The output tensors a model's predictions are read from, in `meta.onnx.outputs`. */
export function outputNames(meta: ModelMeta): string[] {
  const { label, probabilities, value } = meta.onnx.outputs;
  return (meta.task === 'regression' ? [value] : [label, probabilities]).filter((n): n is string => !!n);
}

/** Predictions from the output tensors of one onnxruntime run (`data(name)` reads one by name). */
export function decodeOutputs(meta: ModelMeta, rows: number, data: (name: string) => OutputData | undefined): Predictions {
  const { label, probabilities, value } = meta.onnx.outputs;
  if (meta.task === 'regression') return { rows, labels: null, probabilities: null, values: data(value!) as Float32Array };
  const proba = probabilities ? (data(probabilities) as Float32Array | undefined) : undefined;
  return { rows, labels: labelsOf(meta.classes!, data(label!) as BigInt64Array, rows), probabilities: proba ?? null, values: null };
}

/** The label output holds class indices (docs/architecture.md); they name `meta.classes`. */
function labelsOf(classes: string[], indices: BigInt64Array | Int32Array, rows: number): string[] {
  const labels = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    const i = Number(indices[r]);
    labels[r] = classes[i] ?? String(i);
  }
  return labels;
}

type TensorCtor = typeof import('onnxruntime-node').Tensor;

/** Scores with onnxruntime after mlpipe's shared preprocessing (./preprocess.ts). */
class OnnxModel implements Model {
  readonly classCount: number;
  readonly tsScorer: { op: string } | { unsupported: string };
  private readonly fetches: string[];
  private readonly row: Float32Array | Float64Array;

  constructor(
    readonly dir: string,
    readonly meta: ModelMeta,
    private readonly session: InferenceSession,
    private readonly Tensor: TensorCtor,
    private readonly ts: TsScorer | undefined,
    tsStatus: TsScorer | string,
    private readonly maxTsRows: number,
  ) {
    this.classCount = meta.classes?.length ?? 0;
    this.tsScorer = typeof tsStatus === 'string' ? { unsupported: tsStatus } : { op: tsStatus.op };
    this.fetches = outputNames(meta);
    const width = featureCount(meta.preprocessing);
    this.row = meta.onnx.inputType === 'float32' ? new Float32Array(width) : new Float64Array(width);
  }

  predictNow(columns: RawColumns, rows: number): Predictions | undefined {
    if (!this.ts || rows > this.maxTsRows) return undefined;
    // One row is scored from a reused tensor: the scorer reads it before returning, and keeps nothing.
    const into = rows === 1 ? this.row.fill(0) : undefined;
    const raw = this.ts.score(preprocessForModel(this.meta, columns, rows, into), rows);
    return raw.values ? { rows, labels: null, probabilities: null, values: raw.values } : this.classified(rows, raw.labels!, raw.probabilities);
  }

  async predict(columns: RawColumns, rows: number): Promise<Predictions> {
    const now = this.predictNow(columns, rows);
    if (now) return now;
    const meta = this.meta;
    const x = preprocessForModel(meta, columns, rows);
    const feeds = { [meta.onnx.input]: new this.Tensor(meta.onnx.inputType, x, [rows, meta.features.length]) };
    const out = await this.session.run(feeds, this.fetches);
    return decodeOutputs(meta, rows, (name) => out[name]?.data as OutputData | undefined);
  }

  private classified(rows: number, indices: BigInt64Array | Int32Array, probabilities: ArrayLike<number> | null): Predictions {
    return { rows, labels: labelsOf(this.meta.classes!, indices, rows), probabilities, values: null };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
