import { MlpipeError } from '../../errors.js';
import { parseOverride } from './overrides.js';
import { validateExpName } from './queue.js';

/**
 * The sweep grid: `key=v1,v2;key2=v3,v4` (keys as `-S` takes them, `[file:]key`), expanded to its
 * cartesian product in the order written (the last key varies fastest). The one parser behind
 * `mlpipe exp sweep` and the sweep workflow's matrix. A value holding `,` or `;` can be written as
 * a YAML flow list in brackets: `layers=[8,4],[16,8]`.
 */
export interface SweepPoint {
  name: string;
  /** `-S` arguments, in grid order. */
  set: string[];
  /** The same as one shell-ready string (`-S 'a=1' -S 'b=2'`), for a workflow's run step. */
  args: string;
}

export function expandGrid(grid: string, options: { prefix?: string; max?: number } = {}): SweepPoint[] {
  const prefix = options.prefix ?? 'sweep';
  const bad = (why: string) =>
    new MlpipeError('E_USAGE', `cannot read the sweep grid: ${why}`, {
      expected: 'key=v1,v2;key2=v3,v4 (for example train.lr=0.03,0.1;train.max_depth=4,8)',
      received: grid,
      hint: 'run `mlpipe exp sweep --help`',
    });
  const axes = splitTop(grid, ';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((axis) => {
      const eq = axis.indexOf('=');
      if (eq <= 0) throw bad(`'${axis}' has no key=values`);
      const key = axis.slice(0, eq).trim();
      const values = splitTop(axis.slice(eq + 1), ',').map((v) => v.trim());
      if (values.length === 0 || values.some((v) => v === '')) throw bad(`'${key}' has an empty value`);
      for (const v of values) parseOverride(`${key}=${v}`);
      return { key, values };
    });
  if (axes.length === 0) throw bad('no parameters');
  const keys = axes.map((a) => a.key);
  if (new Set(keys).size !== keys.length) throw bad('a key appears twice');
  let points: string[][] = [[]];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => [...p, `${axis.key}=${v}`]));
  const max = options.max ?? 256;
  if (points.length > max) throw bad(`${points.length} points, more than ${max} (GitHub's matrix limit is 256 jobs)`);
  return points.map((set, i) => {
    const name = `${prefix}-${i + 1}`;
    validateExpName(name);
    return { name, set, args: set.map((s) => `-S ${shellQuote(s)}`).join(' ') };
  });
}

/** Splits on `sep` outside brackets and quotes. */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.:=,/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
