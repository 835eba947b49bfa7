import { rename, rm } from 'node:fs/promises';
import { dirname, extname, join, basename } from 'node:path';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';
import { loadDuckDB, quoteLiteral } from '../data/source.js';
import { MlpipeError } from '../errors.js';
import type { Predictions } from '../model/load.js';
import { type TextTarget, writeFloat32Text } from './float32-text.js';

/** Prediction files: CSV and JSON Lines written as text, Parquet converted from CSV by DuckDB. */

export type OutputFormat = 'csv' | 'jsonl' | 'parquet';

export function outputFormatOf(path: string): OutputFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new MlpipeError('E_BAD_INPUT', `cannot tell the output format of ${path} from its extension`, {
    expected: '.csv, .jsonl (.ndjson, .json) or .parquet',
    received: ext || 'no extension',
  });
}

/** The columns of a prediction file, after the id columns. */
export function predictionColumns(classes: string[] | null, proba: boolean): string[] {
  return proba && classes ? ['prediction', ...classes.map((c) => `proba_${c}`)] : ['prediction'];
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvHeader(ids: readonly string[], columns: string[]): string {
  return `${[...ids, ...columns].map(csvField).join(',')}\n`;
}

/** Bytes appended into one growing Buffer: a batch becomes one write, without a string per cell joined. */
class ByteWriter {
  private buf: Buffer;
  private at = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  text(s: string): void {
    this.reserve(s.length * 3); // the most UTF-8 bytes a UTF-16 code unit takes
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** A string known to be ASCII (a formatted number). */
  ascii(s: string): void {
    this.reserve(s.length);
    this.at += this.buf.write(s, this.at, 'latin1');
  }

  /**
   * A number that reads back exactly as `bits` from a Float32Array: the bytes of `String(value)`,
   * written without the string where writeFloat32Text handles the value.
   */
  float32(bits: number, value: number): void {
    this.reserve(FLOAT32_TEXT_BYTES);
    const end = writeFloat32Text(bits, this.buf, this.at);
    if (end >= 0) this.at = end;
    else this.at += this.buf.write(String(value), this.at, 'latin1');
  }

  /** Bytes already encoded (a label): copied in a loop, cheaper than Buffer.copy for a few bytes. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < bytes.length; i++) buf[at++] = bytes[i]!;
    this.at = at;
  }

  /** bytes[from .. to), copied. */
  slice(bytes: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    this.buf.set(bytes.subarray(from, to), this.at);
    this.at += to - from;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.at++] = b;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  private reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

/** The longest `String()` of a float32 value: "-1.1754943508222875e-38" is 23 bytes. */
const FLOAT32_TEXT_BYTES = 24;

/** The bit patterns of a Float32Array's values (the formatter reads them), or null for other arrays. */
function float32Bits(values: ArrayLike<number> | null): Uint32Array | null {
  return values instanceof Float32Array ? new Uint32Array(values.buffer, values.byteOffset, values.length) : null;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** The CSV fields of a classifier's labels by class index (what the scoring thread renders with). */
export function labelFields(classes: readonly string[]): Uint8Array[] {
  return classes.map((c) => Buffer.from(csvField(c), 'utf8'));
}

/**
 * A batch's prediction columns as CSV, each row's text ending with its newline: the label field
 * (`labelFields[label]`, or the number), then `perRow` float32 numbers (the probabilities, or a
 * regressor's value when there is no label) as csvRows writes them. The scoring thread renders this
 * beside the scores, so that the main thread, which also reads the input, only copies bytes. Runs
 * there as source text (scoring-thread.ts): self-contained but for the target it writes into.
 */
export function renderPredictionCsv(
  target: TextTarget,
  rows: number,
  labels: ArrayLike<number | bigint> | null,
  fields: readonly Uint8Array[],
  numbers: Float32Array | null,
  perRow: number,
): RenderedCsv {
  let longest = 0;
  for (const f of fields) longest = Math.max(longest, f.length);
  // A float32's text is at most 24 bytes; a label index not in `fields` at most 20 digits.
  const bytes = target.reserve(rows * (Math.max(longest, 21) + 25 * perRow + 1));
  const ends = new Uint32Array(rows);
  const bits = numbers ? new Uint32Array(numbers.buffer, numbers.byteOffset, numbers.length) : null;
  const ascii = (text: string, at: number) => {
    for (let k = 0; k < text.length; k++) bytes[at++] = text.charCodeAt(k);
    return at;
  };
  let at = 0;
  for (let r = 0; r < rows; r++) {
    if (labels) {
      const label = Number(labels[r]);
      const field = fields[label];
      if (field) {
        bytes.set(field, at);
        at += field.length;
      } else at = ascii(String(label), at);
    }
    for (let c = 0, i = r * perRow; c < perRow; c++, i++) {
      if (labels || c > 0) bytes[at++] = 0x2c;
      const end = target.float32(bits![i]!, at);
      at = end >= 0 ? end : ascii(String(numbers![i]), at);
    }
    bytes[at++] = 0x0a;
    ends[r] = at;
  }
  return { bytes: bytes.slice(0, at), ends };
}

/** The prediction columns of a batch as CSV text (renderPredictionCsv) and where each row's text ends. */
export interface RenderedCsv {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** One batch as CSV lines (no header), UTF-8. */
export function csvRows(idValues: ArrayLike<unknown>[], p: Predictions, classCount: number, proba: boolean): Buffer {
  if (p.csv && p.csv.proba === proba) return withIds(idValues, p.csv, p.rows);
  const probs = proba ? p.probabilities : null;
  // About 20 bytes per number; the writer grows if ids or labels are longer.
  const out = new ByteWriter(p.rows * (20 * (1 + (probs ? classCount : 0)) + 8 * (1 + idValues.length)));
  // Labels come from a handful of classes: quote and encode each once, not once per row.
  const quoted = new Map<string, Buffer>();
  // onnxruntime's outputs are float32: formatted from their bits (see float32-text.ts).
  const probBits = float32Bits(probs);
  const valueBits = p.labels ? null : float32Bits(p.values);
  for (let r = 0; r < p.rows; r++) {
    for (const col of idValues) {
      out.text(csvField(col[r]));
      out.byte(COMMA);
    }
    if (p.labels) {
      const label = p.labels[r]!;
      let field = quoted.get(label);
      if (field === undefined) {
        field = Buffer.from(csvField(label), 'utf8');
        quoted.set(label, field);
      }
      out.raw(field);
    } else if (valueBits) out.float32(valueBits[r]!, p.values![r]!);
    else out.ascii(String(p.values![r]));
    if (probs) {
      for (let c = 0, i = r * classCount; c < classCount; c++, i++) {
        out.byte(COMMA);
        if (probBits) out.float32(probBits[i]!, probs[i]!);
        else out.ascii(String(probs[i]));
      }
    }
    out.byte(NEWLINE);
  }
  return out.bytes();
}

/** The rows' id fields, each followed by the row's rendered prediction text. */
function withIds(idValues: ArrayLike<unknown>[], csv: RenderedCsv, rows: number): Buffer {
  if (idValues.length === 0) return Buffer.from(csv.bytes.buffer, csv.bytes.byteOffset, csv.bytes.length);
  const out = new ByteWriter(csv.bytes.length + rows * 8 * idValues.length);
  let from = 0;
  for (let r = 0; r < rows; r++) {
    for (const col of idValues) {
      out.text(csvField(col[r]));
      out.byte(COMMA);
    }
    out.slice(csv.bytes, from, csv.ends[r]!);
    from = csv.ends[r]!;
  }
  return out.bytes();
}

/** One batch as JSON Lines: `{"id": ..., "prediction": ..., "probabilities": {"class": p}}`. */
export function jsonlRows(ids: readonly string[], idValues: ArrayLike<unknown>[], p: Predictions, classes: string[] | null, proba: boolean): string {
  let out = '';
  const keys = ids.map((id) => `${JSON.stringify(id)}:`);
  const classKeys = classes?.map((c) => `${JSON.stringify(c)}:`);
  const probs = proba ? p.probabilities : null;
  for (let r = 0; r < p.rows; r++) {
    out += '{';
    for (let i = 0; i < keys.length; i++) out += `${keys[i]}${JSON.stringify(idValues[i]![r] ?? null)},`;
    out += `"prediction":${p.labels ? JSON.stringify(p.labels[r]) : String(p.values![r])}`;
    if (probs && classKeys) {
      out += ',"probabilities":{';
      for (let c = 0; c < classKeys.length; c++) out += `${c ? ',' : ''}${classKeys[c]}${probs[r * classKeys.length + c]}`;
      out += '}';
    }
    out += '}\n';
  }
  return out;
}

/** Writes text with backpressure; rejects once the stream has failed (a failed stream never drains). */
export async function write(stream: Writable, text: string | Buffer): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (stream.write(text)) return;
  if (stream.errored || stream.destroyed) throw stream.errored ?? new Error('the output stream was closed');
  await once(stream, 'drain');
}

/**
 * A file written atomically: text goes to a temp file in the same folder, renamed over the target
 * on `commit` (Parquet: converted from the temp CSV by DuckDB first), removed on `abort`.
 */
export class AtomicOutput {
  readonly stream: Writable;
  private readonly temp: string;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    readonly format: OutputFormat,
    private readonly columnTypes: Record<string, string>,
  ) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp${format === 'parquet' ? '.csv' : ''}`);
    this.stream = createWriteStream(this.temp);
    // Kept, not thrown from an event: it surfaces from the next write or from commit.
    this.stream.on('error', (err) => {
      this.failure = err;
    });
  }

  private async end(): Promise<void> {
    this.stream.end();
    // finished() settles even for a stream that failed before end() (end's callback would not).
    await finished(this.stream).catch((err: Error) => {
      this.failure ??= err;
    });
    if (this.failure) {
      throw new MlpipeError('E_BAD_INPUT', `cannot write ${this.path}: ${this.failure.message}`, {
        expected: 'a writable file in an existing folder',
        cause: this.failure,
      });
    }
  }

  async commit(): Promise<void> {
    await this.end();
    if (this.format !== 'parquet') {
      await rename(this.temp, this.path);
      return;
    }
    const tempParquet = `${this.temp}.parquet`;
    const { DuckDBInstance } = loadDuckDB();
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const lit = quoteLiteral;
      const columns = Object.entries(this.columnTypes)
        .map(([k, v]) => `${lit(k)}: ${lit(v)}`)
        .join(', ');
      await conn.run(`COPY (SELECT * FROM read_csv(${lit(this.temp)}, header = true, columns = {${columns}})) TO ${lit(tempParquet)} (FORMAT parquet)`);
      await rename(tempParquet, this.path);
    } finally {
      conn.closeSync();
      instance.closeSync();
      await rm(this.temp, { force: true });
      await rm(tempParquet, { force: true });
    }
  }

  async abort(): Promise<void> {
    await this.end().catch(() => {});
    await rm(this.temp, { force: true });
  }
}
