import { createRequire } from 'node:module';
import type { Document } from 'yaml';
import { type PyValue, isPyDict, pyFloatRepr } from './py-value.js';
import { plainReadsAsString } from './yaml-resolve.js';

const require = createRequire(import.meta.url);

/**
 * The one YAML writer of mlpipe: `.dvc` files, dvc.lock, dvc.yaml, schemas. Block YAML exactly as
 * DVC writes its files: ruamel.yaml's round-trip dumper with `default_flow_style=False`, indent 2,
 * sequence dashes at the parent key's column, line width 80 (long scalars fold at single spaces),
 * strings that would read back as another type quoted (../shared/docs/dvc-format.md §3.3, §3.8). The
 * scalar rules are a port of ruamel's emitter (`analyze_scalar`, `choose_scalar_style` — a string
 * holding `'` or a line break is double-quoted, so `it's: here` -> `"it's: here"` —, `write_plain`,
 * `write_single_quoted`, `write_double_quoted`), checked byte for byte against ruamel.yaml 0.19.1.
 * Mapping keys are written in insertion order; `null` inside a collection is written empty
 * (`key:`, `- `) as ruamel's RoundTripRepresenter.represent_none does.
 *
 * One deliberate difference: a string that a YAML 1.1 reader (PyYAML, the `yaml` of most tools)
 * would read as something else is quoted too (`'yes'`, `'off'`, `'y'`, `'1:20'`), where ruamel,
 * reading YAML 1.2, would leave it plain. Both read the quoted form back as the same string.
 *
 * Numbers: `bigint` is an integer and `number` a Python float (`1.0`, `1e-05`), the model of
 * py-value.ts; with `numbers: 'auto'` a whole `number` is written as an integer, for data built in
 * TypeScript (sizes in `.dvc` files, schema bounds).
 */
export type YamlValue = PyValue;

export interface DumpYamlOptions {
  numbers?: 'float' | 'auto';
}

export function dumpYaml(value: YamlValue, options: DumpYamlOptions = {}): string {
  const w = new Writer(options.numbers ?? 'float');
  w.node(value, 0, 'root');
  return w.text();
}

/**
 * Changes values in YAML text and keeps everything else (comments, key order, quoting, flow style):
 * for edits of files people write by hand (dvc.yaml by `stage add`, params.yaml by `exp run -S`).
 * A scalar replaced by a scalar keeps its style and comment. Returns undefined when the document is
 * neither empty nor a mapping. The `yaml` package is used here, and only here, because it keeps a
 * document's layout on a round trip; js-yaml (yaml-read.ts) does not.
 */
export function editYamlMapping(
  text: string,
  edits: { path: readonly (string | number)[]; value: unknown }[],
  options: { lineWidth?: number } = {},
): string | undefined {
  // Loaded here, not at the top: the `yaml` package is ~70 modules, and every command that writes a
  // .dvc file or reads dvc.lock imports this module without ever editing a document.
  const { isMap, isScalar, parseDocument } = require('yaml') as typeof import('yaml');
  const doc: Document = parseDocument(text);
  if (doc.contents !== null && !isMap(doc.contents)) return undefined;
  for (const edit of edits) {
    const node = doc.getIn(edit.path, true);
    if (isScalar(node) && (edit.value === null || typeof edit.value !== 'object')) node.value = edit.value;
    else doc.setIn(edit.path, doc.createNode(edit.value));
  }
  return doc.toString({ indentSeq: false, flowCollectionPadding: false, ...(options.lineWidth === undefined ? {} : { lineWidth: options.lineWidth }) });
}

const BEST_WIDTH = 80;
const BREAKS = '\n\x85\u2028\u2029';
const WHITESPACE = `\0 \t\r${BREAKS}`;


const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\f': 'f', '\r': 'r',
  '\x1b': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
};

interface Analysis {
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
  allowDoubleQuoted: boolean;
}

function analyze(s: string): Analysis {
  if (s === '') {
    return { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true, allowDoubleQuoted: true };
  }
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let followedByWs = s.length === 1 || WHITESPACE.includes(s[1] as string);
  let prevSpace = false;
  let prevBreak = false;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && (followedByWs || chars.length === 1)) blockIndicators = true;
      if (ch === '-' && followedByWs) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWs) blockIndicators = true;
      if (ch === '#' && precededByWs) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const code = ch.codePointAt(0)!;
    if (!(ch === '\n' || (code >= 0x20 && code <= 0x7e))) {
      const printable =
        ch === '\x85' || (code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
      if (!printable || ch === '\ufeff') special = true;
    }
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = WHITESPACE.includes(ch);
    followedByWs = i + 2 >= chars.length || WHITESPACE.includes(chars[i + 2] as string);
  }
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks || blockIndicators) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted, allowDoubleQuoted: true };
}

type Style = 'plain' | 'single' | 'double';

function chooseStyle(s: string, simpleKey: boolean): Style {
  const a = analyze(s);
  const resolvesToString = plainReadsAsString(s);
  if (resolvesToString && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) return 'plain';
  if (s.includes("'") || s.includes('\n')) return 'double';
  if (a.allowSingleQuoted && !(simpleKey && a.multiline)) return 'single';
  return 'double';
}

class Writer {
  constructor(private readonly numbers: 'float' | 'auto') {}

  private out = '';
  private column = 0;
  private indent = 0;
  private whitespace = true;
  private indention = true;

  text(): string {
    return this.out.endsWith('\n') ? this.out : `${this.out}\n`;
  }

  private write(data: string): void {
    this.out += data;
    this.column += data.length;
  }

  private lineBreak(): void {
    this.out += '\n';
    this.column = 0;
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndent(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) {
      this.lineBreak();
    }
    if (this.column < this.indent) {
      this.whitespace = true;
      this.write(' '.repeat(this.indent - this.column));
    }
  }

  /** Starts a line at `indent` (used for keys and dashes). */
  private startLine(indent: number): void {
    if (this.out !== '' && !this.out.endsWith('\n')) this.lineBreak();
    this.column = 0;
    this.write(' '.repeat(indent));
    this.whitespace = true;
    this.indention = true;
  }

  /** `where`: root, a mapping value, or a sequence item; `indent` is the column of its key or dash. */
  node(value: PyValue, indent: number, where: 'root' | 'value' | 'item'): void {
    if (Array.isArray(value) && value.length > 0) {
      // a sequence directly inside a sequence item continues on the dash's line: "- - a"
      value.forEach((item, i) => {
        if (!(where === 'item' && i === 0)) this.startLine(indent);
        this.write('-');
        this.whitespace = false;
        this.indention = false;
        if (!isEmptyScalarLike(item) && (isPyDict(item) || Array.isArray(item))) {
          this.write(' ');
          this.node(item, indent + 2, 'item');
        } else if (item === null) {
          // ruamel writes the dash's separating space even when the scalar after it is empty
          this.write(' ');
        } else this.scalarAfterIndicator(item, indent + 2);
      });
      return;
    }
    if (isPyDict(value) && Object.keys(value).length > 0) {
      const childIndent = where === 'root' ? 0 : where === 'value' ? indent + 2 : indent;
      // A key whose value is `undefined` (an optional field not set, in TypeScript data) is left out.
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .forEach(([key, v], i) => {
        if (!(where === 'item' && i === 0)) this.startLine(childIndent);
        this.scalarText(key, true, childIndent);
        this.write(':');
        this.whitespace = false;
        this.indention = false;
        if (Array.isArray(v) && v.length > 0) this.node(v, childIndent, 'value');
        else if (isPyDict(v) && Object.keys(v).length > 0) this.node(v, childIndent, 'value');
        else this.scalarAfterIndicator(v, childIndent + 2);
      });
      return;
    }
    this.scalarAfterIndicator(value, indent + 2);
  }

  /** A scalar (or empty collection) after "key:" or "-"; continuation lines go to `indent`. */
  private scalarAfterIndicator(value: PyValue, indent: number): void {
    const saved = this.indent;
    this.indent = indent;
    if (value === null) {
      // ruamel's round-trip representer writes None inside a collection as an empty scalar
    } else if (Array.isArray(value)) this.write(' []');
    else if (isPyDict(value)) this.write(' {}');
    else if (typeof value === 'string') {
      this.write(' ');
      this.whitespace = true;
      this.scalarText(value, false, indent);
    } else this.write(` ${scalarToken(value, this.numbers)}`);
    this.indent = saved;
  }

  private scalarText(s: string, simpleKey: boolean, indent: number): void {
    const saved = this.indent;
    this.indent = indent;
    const style = chooseStyle(s, simpleKey);
    if (style === 'plain') this.writePlain(s, !simpleKey);
    else if (style === 'single') this.writeSingleQuoted(s, !simpleKey);
    else this.writeDoubleQuoted(s, !simpleKey);
    this.indent = saved;
  }

  private writePlain(text: string, split: boolean): void {
    if (text === '') return;
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else this.write(text.slice(start, end));
          start = end;
        }
      } else if (ch === undefined || ch === ' ') {
        this.write(text.slice(start, end));
        start = end;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
  }

  private writeSingleQuoted(text: string, split: boolean): void {
    this.write("'");
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else this.write(text.slice(start, end));
          start = end;
        }
      } else if ((ch === undefined || ch === ' ' || ch === "'") && start < end) {
        this.write(text.slice(start, end));
        start = end;
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
    this.write("'");
  }

  private writeDoubleQuoted(text: string, split: boolean): void {
    this.write('"');
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? (text[end] as string) : undefined;
      const code = ch === undefined ? 0 : ch.charCodeAt(0);
      const plainChar =
        ch !== undefined &&
        !'"\\\x85\u2028\u2029\ufeff'.includes(ch) &&
        ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd));
      if (!plainChar) {
        if (start < end) {
          this.write(text.slice(start, end));
          start = end;
        }
        if (ch !== undefined) {
          const esc = ESCAPES[ch];
          this.write(
            esc !== undefined
              ? `\\${esc}`
              : code <= 0xff
                ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
                : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`,
          );
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < text.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        this.write(`${text.slice(start, end)}\\`);
        if (start < end) start = end;
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.write('\\');
      }
    }
    this.write('"');
  }
}

function isEmptyScalarLike(v: PyValue): boolean {
  return v === null || (Array.isArray(v) && v.length === 0) || (isPyDict(v) && Object.keys(v).length === 0);
}

function scalarToken(v: bigint | number | boolean, numbers: 'float' | 'auto'): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (numbers === 'auto' && Number.isSafeInteger(v)) return String(v);
  if (Number.isNaN(v)) return '.nan';
  if (v === Number.POSITIVE_INFINITY) return '.inf';
  if (v === Number.NEGATIVE_INFINITY) return '-.inf';
  return pyFloatRepr(v).toLowerCase();
}
