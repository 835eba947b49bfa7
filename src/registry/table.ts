/**
 * The two table styles GTO prints through `tabulate` (`fancy_outline` by default, `plain` with
 * --plain): each column is as wide as its widest cell or its header plus 2; missing values are `-`;
 * numbers are right-aligned; plain rows lose their trailing spaces.
 */
export type Cell = string | number | null | undefined;

const isNum = (c: Cell): boolean => typeof c === 'number';
const text = (c: Cell): string => (c === null || c === undefined ? '-' : String(c));

export function renderTable(headers: string[], rows: Cell[][], style: 'fancy' | 'plain' = 'fancy'): string {
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => isNum(r[i]) || r[i] === null || r[i] === undefined) && rows.some((r) => isNum(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length + 2, ...rows.map((r) => text(r[i]).length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i] as number) : s.padEnd(widths[i] as number));
  const cells = (r: string[]) => r.map((c, i) => pad(c, i));
  const head = cells(headers);
  const body = rows.map((r) => cells(r.map(text)));
  if (style === 'plain') return [head, ...body].map((r) => r.join('  ').trimEnd()).join('\n');
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '═'.repeat(w + 2)).join(m)}${r}`;
  const line = (r: string[]) => `│ ${r.join(' │ ')} │`;
  return [rule('╒', '╤', '╕'), line(head), rule('╞', '╪', '╡'), ...body.map(line), rule('╘', '╧', '╛')].join('\n');
}
