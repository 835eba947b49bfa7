/**
 * Tables as DVC prints them: python-tabulate's "plain" format (two spaces between columns, each
 * column at least two wider than its header, trailing spaces stripped) and "github" for `--md`.
 */
export function formatTable(headers: string[], rows: string[][], markdown = false): string {
  const widths = headers.map((h, i) => Math.max(h.length + 2, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number));
  if (markdown) {
    const line = (cells: string[]) => `| ${pad(cells).join(' | ')} |`;
    const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
    return [line(headers), sep, ...rows.map(line)].join('\n');
  }
  return [headers, ...rows].map((r) => pad(r).join('  ').trimEnd()).join('\n');
}
