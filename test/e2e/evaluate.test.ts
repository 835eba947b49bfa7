import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/tree.js';

// Separable training data: label "high" exactly when x > 0, so a decision tree learns the rule.
function trainingCsv(): string {
  const rows = ['x,noise,label'];
  for (let i = 0; i < 200; i++) {
    const x = i - 99.5;
    rows.push(`${x},${i % 7},${x > 0 ? 'high' : 'low'}`);
  }
  return `${rows.join('\n')}\n`;
}

// Held-out rows: 8 labelled by the rule, 2 deliberately mislabelled (rows 3 and 8).
const HELD_OUT = `x,noise,label
-50,1,low
-20,2,low
-10,3,high
-5,4,low
-1,5,low
2,1,high
7,2,high
12,3,low
40,4,high
90,5,high
`;

describe('mlpipe evaluate', () => {
  const dir = tempDir();
  beforeAll(async () => {
    writeTree(dir, { 'train.csv': trainingCsv(), 'test.csv': HELD_OUT, 'bad.csv': 'x,noise,label\n1,1,medium\n' });
    const r = await runCli(['train', '-d', 'train.csv', '-t', 'label', '--set', 'algorithm=decision_tree', '-o', 'model'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('scores held-out data with the saved model and writes exact metrics and the confusion plot data', async () => {
    const r = await runCli(['--json', 'evaluate', '-m', 'model', '-d', 'test.csv', '--metrics', 'eval.json', '--plots', 'plots'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ task: 'binary', rows: 10, dropped: 0 });
    expect(result.metrics.accuracy).toBe(0.8);
    // Classes are sorted: ["high", "low"]; rows are the actual class, columns the predicted one.
    expect(result.metrics.confusion_matrix).toEqual([
      [4, 1],
      [1, 4],
    ]);
    const written = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));
    expect(written.test.accuracy).toBe(0.8);
    const confusion = readFileSync(join(dir, 'plots', 'confusion.csv'), 'utf8').trim().split('\n');
    expect(confusion[0]).toBe('actual,predicted');
    expect(confusion[3]).toBe('high,low');
    expect(confusion.length).toBe(11);
  });

  it('refuses a label the model does not know, naming the row', async () => {
    const r = await runCli(['evaluate', '-m', 'model', '-d', 'bad.csv'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error [E_BAD_INPUT]: row 1: label "medium" is not a class the model knows');
  });

  it('refuses data without the label column', async () => {
    const r = await runCli(['evaluate', '-m', 'model', '-d', 'train.csv', '-t', 'nope'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the data has no label column "nope"');
  });
});
