/** A small two-class CSV (x1, x2, color, label) whose label is a function of x1 + x2, for scaffold tests. */
export function dataset(rows: number, offset: number): string {
  const lines = ['x1,x2,color,label'];
  for (let i = 0; i < rows; i++) {
    const x1 = ((i * 37 + offset) % 101) / 10;
    const x2 = ((i * 53 + offset) % 97) / 10;
    lines.push(`${x1},${x2},${['red', 'green', 'blue'][i % 3]},${x1 + x2 > 10 ? 'yes' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}
