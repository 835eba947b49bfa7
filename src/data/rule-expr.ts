/**
 * Cross-column rules (`end >= start`, `price * qty <= total`) are written by the schema's author in
 * a small SQL subset. They are compiled into the aggregate query, so they are tokenized here and
 * rebuilt from an allow-list: column names (quoted), numbers, string literals, comparison and
 * arithmetic operators, AND/OR/NOT/IS/NULL/IN/BETWEEN and a few pure functions. Anything else
 * (a sub-query, `read_csv(...)`, a semicolon) is a schema error, not SQL that runs.
 */
import { MlpipeError } from '../errors.js';
import { quoteIdent, quoteLiteral } from './source.js';

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'in', 'between', 'true', 'false', 'like']);
const FUNCTIONS = new Set(['abs', 'length', 'lower', 'upper', 'trim', 'coalesce', 'round', 'floor', 'ceil', 'least', 'greatest', 'year', 'month', 'day', 'date_diff']);
const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|('(?:[^']|'')*')|("(?:[^"]|"")+")|([A-Za-z_][A-Za-z0-9_.-]*)|(<=|>=|<>|!=|==|[-+*/%<>=(),]))/y;

/** The rule as SQL over the typed columns, and the columns it reads. */
export function compileRule(check: string, columns: string[], ruleName: string): { sql: string; columns: string[] } {
  const known = new Set(columns);
  const out: string[] = [];
  const used = new Set<string>();
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < check.length) {
    if (/^\s*$/.test(check.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(check);
    if (!m) throw badRule(ruleName, check, `unexpected text at "${check.slice(pos).trim().slice(0, 20)}"`);
    pos = TOKEN.lastIndex;
    const [, num, str, quoted, word, op] = m;
    if (num !== undefined) out.push(num);
    else if (str !== undefined) out.push(quoteLiteral(str.slice(1, -1).replaceAll("''", "'")));
    else if (quoted !== undefined || word !== undefined) {
      const name = quoted !== undefined ? quoted.slice(1, -1).replaceAll('""', '"') : word!;
      const next = check.slice(pos).trimStart();
      if (known.has(name)) {
        out.push(quoteIdent(name));
        used.add(name);
      } else if (word !== undefined && KEYWORDS.has(word.toLowerCase())) out.push(word.toUpperCase());
      else if (word !== undefined && FUNCTIONS.has(word.toLowerCase()) && next.startsWith('(')) out.push(word.toLowerCase());
      else throw badRule(ruleName, check, `"${name}" is not a column of the schema, an operator or an allowed function (${[...FUNCTIONS].join(', ')})`);
    } else out.push(op === '==' ? '=' : op!);
  }
  if (used.size === 0) throw badRule(ruleName, check, 'the rule reads no column');
  return { sql: out.join(' '), columns: [...used] };
}

function badRule(name: string, check: string, why: string): MlpipeError {
  return new MlpipeError('E_SCHEMA', `rule "${name}" cannot be compiled: ${why}`, {
    expected: 'an expression over column names, e.g. `end >= start`',
    received: check,
    hint: 'fix rules[].check in the schema',
  });
}
