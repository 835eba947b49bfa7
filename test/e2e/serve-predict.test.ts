import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { withModels } from '../unit/serve/fixtures.js';

// `mlpipe predict` as a user runs it.

const models = withModels();
let root: string;
beforeAll(() => {
  root = models();
});

describe('mlpipe predict', () => {
  it('scores one JSON row from stdin', async () => {
    const r = await runCli(['predict', '--model', join(root, 'iris'), '-'], { input: '{"x1": 1, "x2": 2, "color": "red"}\n' });
    expect(r).toEqual({ code: 0, stdout: '{"prediction":"versicolor"}\n', stderr: '' });
  });

  it('writes a CSV file and reports it with --json', async () => {
    writeFileSync(join(root, 'rows.csv'), 'id,a,b,c\n7,0,5,0\n8,2,11,1\n');
    const r = await runCli(['--json', 'predict', '--model', join(root, 'tree'), '--input', 'rows.csv', '--output', 'preds.csv', '--id', 'id'], { cwd: root });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect([summary.rows, summary.output, summary.format]).toEqual([2, join(root, 'preds.csv'), 'csv']);
    expect(readFileSync(join(root, 'preds.csv'), 'utf8')).toBe('id,prediction\n7,11\n8,23\n');
  });

  it('exits 3 with the column and row of a bad value', async () => {
    const r = await runCli(['predict', '--model', join(root, 'iris'), '-'], { input: '{"x1": 1, "x2": 2, "color": "red"}\n{"x1": 1, "x2": 2, "color": "mauve"}\n' });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error [E_BAD_INPUT]: column "color", row 2: unknown category "mauve"');
  });

  it('exits 14 when the model folder holds no model', async () => {
    const r = await runCli(['predict', '--model', join(root, 'nothing'), '-'], { input: '{}' });
    expect(r.code).toBe(14);
    expect(r.stderr).toContain(`no model at ${join(root, 'nothing')}`);
  });
});
