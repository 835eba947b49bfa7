import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/tree.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csv = (n: number) =>
  `x,color,y\n${Array.from({ length: n }, (_, i) => `${(i * 7919) % 1000},${['red', 'blue'][i % 2]},${((i * 7919) % 1000) + (i % 2) * 300 > 650 ? 'high' : 'low'}`).join('\n')}\n`;
writeTree(dir, {
  'small.csv': csv(400),
  'big.csv': csv(30_000),
  'params.yaml': 'train:\n  algorithm: random_forest\n  n_estimators: 15\n',
});

describe('mlpipe train (CLI)', () => {
  it('trains from params.yaml with --set overrides and prints a JSON result', async () => {
    const r = await runCli(['--json', 'train', '-d', 'small.csv', '-t', 'y', '-p', 'params.yaml', '--set', 'n_estimators=5', '-o', 'models/rf'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ task: 'binary', algorithm: 'random_forest', rows: { train: 320, test: 80, dropped: 0 }, features: 2 });
    const meta = JSON.parse(readFileSync(join(dir, 'models/rf/model.json'), 'utf8'));
    expect(meta.params.n_estimators).toBe(5);
    expect(meta.classes).toEqual(['high', 'low']);
    const session = await ort.InferenceSession.create(join(dir, 'models/rf/model.onnx'));
    expect(session.inputNames).toEqual(['input']);
    expect(existsSync(join(dir, 'metrics.json'))).toBe(true);
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual(['confusion.csv', 'feature_importance.csv', 'precision_recall.csv', 'roc.csv']);
  });

  it('prints a metrics table for humans', async () => {
    const r = await runCli(['train', '-d', 'small.csv', '-t', 'y', '--set', 'algorithm=logistic', '-o', 'models/lr'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trained logistic \(binary\) on 320 rows x 3 features in [\d.]+s\n/);
    expect(r.stdout).toMatch(/\naccuracy\s+[\d.]+\n/);
  });

  it('maps bad input to exit codes: E_TRAIN 13, E_BAD_INPUT 3, usage 2', async () => {
    const textRegression = await runCli(['train', '-d', 'small.csv', '-t', 'y', '--set', 'task=regression'], { cwd: dir });
    expect(textRegression.code).toBe(3); // a text target cannot be regressed
    const missing = await runCli(['--json', 'train', '-d', 'small.csv', '-t', 'nope'], { cwd: dir });
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'E_BAD_INPUT', data: { reason: 'missing-target' } });
    const linear = await runCli(['train', '-d', 'small.csv', '-t', 'y', '--set', 'algorithm=linear'], { cwd: dir });
    expect(linear.code).toBe(13);
    expect(linear.stderr).toContain('error [E_TRAIN]: algorithm "linear" is a regressor but the task is binary');
    const usage = await runCli(['train', '-d', 'small.csv', '-t', 'y', '--set', 'oops'], { cwd: dir });
    expect(usage.code).toBe(2);
  });

  it('Ctrl-C stops training with exit 130 and leaves no model behind', async () => {
    const child = spawn(
      process.execPath,
      [MLPIPE_BIN, 'train', '-d', 'big.csv', '-t', 'y', '-o', 'models/stopped', '--set', 'max_iter=100000', '--set', 'early_stopping=false', '--set', 'min_samples_leaf=1'],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' } },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('error [E_INTERRUPTED]: training was interrupted; no model was written');
    expect(existsSync(join(dir, 'models/stopped'))).toBe(false);
    expect(readdirSync(join(dir, 'models')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
