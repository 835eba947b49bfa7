/**
 * A YAML writer that emits what DVC's ruamel.yaml round-trip dumper writes for plain data
 * (../shared/docs/dvc-format.md §3.8): block style, indent 2, sequence dashes at the parent key's
 * column, width 80 with ruamel's folding rule (a line is broken at a single space only once the
 * column is already past 80, so lines may run over), plain scalars where ruamel allows them and
 * single quotes otherwise (double quotes only for non-printable characters).
 *
 * The quoting follows ruamel's `Emitter.analyze_scalar` and its YAML 1.2 resolver: a string that
 * would read back as a number, bool, null or date is quoted (`'123'`, `'1e5'`, `'true'`, `''`),
 * which keeps md5 values made only of digits and one `e` from turning into floats.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const BEST_WIDTH = 80;

export function dumpYaml(value: { [key: string]: YamlValue }): string {
  const lines: string[] = [];
  emitMapping(value, 0, lines, undefined);
  return lines.length ? `${lines.join('\n')}\n` : '{}\n';
}

/** `firstPrefix`: text already on the current line for the first key (a sequence dash). */
function emitMapping(map: { [key: string]: YamlValue }, indent: number, lines: string[], firstPrefix: string | undefined) {
  let first = true;
  for (const [key, value] of Object.entries(map)) {
    const prefix = first && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
    first = false;
    const head = `${prefix}${scalar(key, prefix.length, indent + 2, true)}:`;
    emitValue(value, indent, head, lines);
  }
  if (first) lines.push(`${firstPrefix ?? ' '.repeat(indent)}{}`);
}

function emitValue(value: YamlValue, indent: number, head: string, lines: string[]) {
  if (Array.isArray(value)) {
    if (value.length === 0) return void lines.push(`${head} []`);
    lines.push(head);
    emitSequence(value, indent, lines);
  } else if (value !== null && typeof value === 'object') {
    if (Object.keys(value).length === 0) return void lines.push(`${head} {}`);
    lines.push(head);
    emitMapping(value, indent + 2, lines, undefined);
  } else {
    lines.push(`${head} ${scalar(value, head.length + 1, indent + 2, false)}`);
  }
}

function emitSequence(items: YamlValue[], indent: number, lines: string[]) {
  const dash = `${' '.repeat(indent)}- `;
  for (const item of items) {
    if (Array.isArray(item)) {
      if (item.length === 0) lines.push(`${dash}[]`);
      else {
        // ruamel puts a nested sequence's first dash on the same line.
        const nested: string[] = [];
        emitSequence(item, indent + 2, nested);
        lines.push(dash + nested[0]!.slice(indent + 2), ...nested.slice(1));
      }
    } else if (item !== null && typeof item === 'object') {
      emitMapping(item, indent + 2, lines, dash);
    } else {
      lines.push(`${dash}${scalar(item, dash.length, indent + 2, false)}`);
    }
  }
}

function scalar(value: string | number | boolean | null, column: number, indent: number, isKey: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyNumber(value);
  const style = chooseStyle(value);
  if (style === 'plain') return fold(value, column, indent, !isKey, false);
  if (style === 'single') return fold(value, column, indent, !isKey, true);
  return doubleQuoted(value);
}

/** Python's repr for floats (`1e-05`, `0.1`, `1.0` cannot be told from `1` once parsed). */
function pyNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '.inf' : '-.inf';
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** ruamel's VersionedResolver for YAML 1.2: plain text that would not read back as a string. */
const NON_STRING = [
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  /^(?:~|null|Null|NULL)$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  /^(?:<<|=)$/,
];

const WS = '\0 \t\r\n\x85\u2028\u2029';

function chooseStyle(s: string): 'plain' | 'single' | 'double' {
  if (s === '') return 'single';
  // Only block context is emitted, so only ruamel's "block indicators" forbid the plain style.
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let special = false;
  let lineBreaks = false;
  const chars = [...s];
  chars.forEach((ch, i) => {
    const preceded = i === 0 || WS.includes(chars[i - 1]!);
    const followed = i + 1 >= chars.length || WS.includes(chars[i + 1]!);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':' || ch === '-') && followed) blockIndicators = true;
    } else {
      if (ch === ':' && followed) blockIndicators = true;
      if (ch === '#' && preceded) blockIndicators = true;
    }
    if ('\n\x85\u2028\u2029'.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) {
      const printable =
        (cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp < 0x10ffff)) &&
        cp !== 0xfeff;
      if (!printable) special = true;
    }
  });
  // ruamel would single-quote a line break as a folded blank line; double quotes keep it exact.
  if (special || lineBreaks) return 'double';
  const edgeSpace = s.startsWith(' ') || s.endsWith(' ');
  if (!edgeSpace && !blockIndicators && !NON_STRING.some((re) => re.test(s))) return 'plain';
  return 'single';
}

/** ruamel's write_plain / write_single_quoted folding: break at a lone space once past the width. */
function fold(text: string, column: number, indent: number, split: boolean, quoted: boolean): string {
  const words = text.split(' ');
  let out = quoted ? "'" : '';
  let col = column + out.length;
  words.forEach((word, i) => {
    const piece = quoted ? word.replaceAll("'", "''") : word;
    // Only a lone space between two words is a break opportunity (runs of spaces are kept).
    const lone = i > 0 && word !== '' && words[i - 1] !== '';
    if (split && lone && col > BEST_WIDTH) {
      out += `\n${' '.repeat(indent)}`;
      col = indent;
    } else if (i > 0) {
      out += ' ';
      col += 1;
    }
    out += piece;
    col += [...piece].length;
  });
  return quoted ? `${out}'` : out;
}

const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\v': 'v', '\f': 'f', '\r': 'r', '\x1b': 'e',
  '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const esc = ESCAPES[ch];
    if (esc !== undefined) out += `\\${esc}`;
    else if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) || cp >= 0x10000) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `${out}"`;
}
