/**
 * CSV dialect detection from the first bytes of a file: delimiter, quote, header, leading lines to
 * skip, encoding. Inference records the result in the schema, and from then on the schema (not a
 * guess) says how to read the file.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { MlpipeError } from '../errors.js';

/** The text encodings a CSV may be read in (DuckDB's `encoding` option); source.ts's CsvOptions uses it. */
export type CsvEncoding = 'utf-8' | 'utf-16' | 'latin-1';

export interface Head {
  text: string;
  encoding: CsvEncoding;
}

const HEAD_BYTES = 256 * 1024;

/** The first ~256 KiB of a file (decompressed for .gz), decoded. */
export async function readHead(path: string, bytes = HEAD_BYTES): Promise<Head> {
  const chunks: Buffer[] = [];
  let size = 0;
  const file = createReadStream(path, path.endsWith('.gz') ? {} : { end: bytes - 1 });
  const stream = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= bytes) break;
    }
  } catch (err) {
    // A truncated gzip stream still yields its first bytes; anything else is a real failure.
    if (size === 0) throw err;
  } finally {
    file.destroy();
  }
  const buf = Buffer.concat(chunks).subarray(0, bytes);
  assertTextFile(path, buf);
  return decode(buf, size > bytes);
}

/**
 * Refuses a "CSV" that is not text, before DuckDB meets it (its errors quote the SQL it ran): gzip
 * data under a name without `.gz`, and NUL bytes (a binary file, or UTF-16 without its byte-order mark).
 */
export function assertTextFile(path: string, head: Buffer): void {
  if (head[0] === 0x1f && head[1] === 0x8b && !/\.gz$/i.test(path)) {
    throw new MlpipeError('E_BAD_INPUT', `${path} holds gzip-compressed data but its name does not end in .gz`, {
      expected: 'a text CSV file, or a gzip-compressed one named *.csv.gz',
      received: 'gzip data (bytes 1f 8b)',
      hint: `rename it to ${path}.gz (or decompress it with gunzip)`,
    });
  }
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const nul = utf16 ? -1 : head.indexOf(0);
  if (nul !== -1) {
    const line = head.subarray(0, nul).toString('latin1').split('\n').length;
    throw new MlpipeError('E_BAD_INPUT', `${path} is not a text file: a NUL byte at line ${line} (byte ${nul})`, {
      expected: 'a CSV text file (UTF-8, UTF-16 with a byte-order mark, or Latin-1)',
      received: `binary data (byte 0x00 at offset ${nul})`,
      hint: 'check that this is the file you meant; a Parquet file must be named .parquet',
      data: { line, offset: nul },
    });
  }
}

function decode(buf: Buffer, truncated: boolean): Head {
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: buf.subarray(2).toString('utf16le'), encoding: 'utf-16' };
  const start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const body = buf.subarray(start);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  // U+FFFD means bytes that are not UTF-8; a cut in the last character of a truncated head does not count.
  const bad = text.indexOf('\uFFFD');
  if (bad !== -1 && !(truncated && bad >= text.length - 2)) return { text: body.toString('latin1'), encoding: 'latin-1' };
  let clean = text;
  if (truncated) clean = text.slice(0, Math.max(0, text.lastIndexOf('\n')));
  return { text: clean, encoding: 'utf-8' };
}

/** Splits one CSV line on `delimiter`, honouring `quote` (doubled quotes inside quotes). */
export function splitLine(line: string, delimiter: string, quote = '"'): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === quote && line[i + 1] === quote) {
        field += quote;
        i++;
      } else if (ch === quote) inQuotes = false;
      else field += ch;
    } else if (ch === quote && field === '') inQuotes = true;
    else if (line.startsWith(delimiter, i)) {
      fields.push(field);
      field = '';
      i += delimiter.length - 1;
    } else field += ch;
  }
  fields.push(field.replace(/\r$/, ''));
  return fields;
}

const DELIMITERS = [',', ';', '\t', '|', ':'];
const SAMPLE_LINES = 200;

export interface Dialect {
  delimiter: string;
  quote: string;
  header: boolean;
  skipRows: number;
  encoding: CsvEncoding;
  /** Field count of the data rows. */
  fields: number;
  /** The first data line split into fields, and the header's names when there is one. */
  names: string[] | null;
  /** Header names used more than once (a file that no column name can address unambiguously). */
  duplicates: string[];
}

/**
 * Picks the delimiter that splits the sample lines into the same number (> 1) of fields most often;
 * leading lines with another count are skipped (adult.test's `|1x3 Cross validator`). A delimiter
 * followed by a space on every line (adult's `", "`) is taken with the space, so values carry none.
 */
export function sniffDialect(head: Head): Dialect {
  const lines = head.text.split(/\r?\n/).filter((l) => l.length > 0).slice(0, SAMPLE_LINES);
  let best = { delimiter: ',', fields: 1, share: 0 };
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => splitLine(l, d).length);
    const mode = modeOf(counts);
    const share = counts.filter((c) => c === mode).length / Math.max(1, counts.length);
    if (mode > 1 && (share > best.share || (share === best.share && mode > best.fields))) best = { delimiter: d, fields: mode, share };
  }
  let { delimiter } = best;
  const withSpace = `${delimiter} `;
  if (delimiter !== ' ' && lines.length > 0 && lines.every((l) => splitLine(l, delimiter).length !== best.fields || l.split(delimiter).length === l.split(withSpace).length)) {
    delimiter = withSpace;
  }
  let skipRows = 0;
  while (skipRows < Math.min(10, lines.length - 1) && splitLine(lines[skipRows]!, delimiter).length !== best.fields) skipRows++;
  const rows = lines.slice(skipRows).map((l) => splitLine(l, delimiter));
  const header = looksLikeHeader(rows);
  const names = header ? rows[0]! : null;
  const duplicates = names ? [...new Set(names.filter((n, i) => names.indexOf(n) !== i))] : [];
  return {
    delimiter,
    quote: '"',
    header,
    skipRows,
    encoding: head.encoding,
    fields: best.fields,
    names,
    duplicates,
  };
}

function modeOf(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let mode = 0;
  let most = 0;
  for (const [v, n] of counts) if (n > most || (n === most && v > mode)) [mode, most] = [v, n];
  return mode;
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A first row is a header when none of its fields is a number or empty, and at least one column
 * holds numbers below it (or, with no numeric column, none of its values reappears in that column
 * below it). Repeated names do not make it data: `a,a,b` over numbers is a header with a mistake,
 * which detectCsv reports (reading it as a data row would invent a row and lose the names).
 */
function looksLikeHeader(rows: string[][]): boolean {
  const [first, ...rest] = rows;
  if (!first || rest.length === 0) return Boolean(first?.every((f) => f !== '' && !NUMBER.test(f)));
  if (first.some((f) => f.trim() === '' || NUMBER.test(f))) return false;
  const numericBelow = first.some((_, i) => rest.every((r) => r[i] === undefined || r[i] === '' || NUMBER.test(r[i]!)));
  if (numericBelow) return true;
  return first.every((name, i) => !rest.some((r) => r[i] === name));
}
