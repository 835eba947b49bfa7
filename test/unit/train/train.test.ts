import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressReporter } from '../../../src/core/progress.js';
import { workerScript } from '../../../src/train/threads.js';
import { train } from '../../../src/train/train.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

/**
 * 300 rows: numeric, categorical (with missing values) and true/false features; the label depends on
 * x and city. Categories are listed by frequency in the training rows.
 */
function mixedCsv(): string {
  const cities = ['Paris', 'Lyon', 'Nice'];
  const lines = ['x,z,city,member,label'];
  for (let i = 0; i < 300; i++) {
    const x = ((i * 37) % 101) / 10;
    const z = i % 7 === 0 ? '' : String((i * 13) % 17);
    const city = i % 11 === 0 ? '' : cities[i % 3]!;
    const label = x + (city === 'Paris' ? 3 : 0) > 6 ? 'yes' : 'no';
    lines.push(`${x},${z},${city},${i % 2 === 0},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

const dir = tempDir();
writeTree(dir, { 'data.csv': mixedCsv() });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string, set: string[] = [], extra = {}) =>
  train({ data: 'data.csv', target: 'label', cwd: dir, out, metricsFile: `${out}-metrics.json`, plotsDir: `${out}-plots`, name: 'm', set, ...extra });

describe('train(): data file -> model folder, metrics and plots', () => {
  it('writes model.onnx + model.json per the artifact contract, metrics.json and plot CSVs', async () => {
    const r = await run('hgb', ['max_iter=20']);
    expect(r).toMatchObject({ task: 'binary', algorithm: 'hgb', rows: { train: 240, test: 60, dropped: 0 }, features: 4 });
    expect(readdirSync(join(dir, 'hgb')).sort()).toEqual(['model.json', 'model.onnx']);
    const meta = JSON.parse(readFileSync(join(dir, 'hgb', 'model.json'), 'utf8'));
    expect(meta).toMatchObject({
      format: 'mlpipe-model',
      formatVersion: 1,
      name: 'm',
      algorithm: 'hgb',
      task: 'binary',
      target: 'label',
      classes: ['no', 'yes'],
      features: ['x', 'z', 'city', 'member'],
      onnx: { file: 'model.onnx', input: 'input', inputType: 'float32', outputs: { label: 'label', probabilities: 'probabilities' } },
    });
    expect(meta.inputSchema).toEqual([
      { name: 'x', type: 'float', nullable: false },
      { name: 'z', type: 'int', nullable: true },
      { name: 'city', type: 'category', nullable: true, categories: ['Nice', 'Paris', 'Lyon'] },
      { name: 'member', type: 'category', nullable: false, categories: ['false', 'true'] },
    ]);
    expect(meta.preprocessing[2]).toEqual({ kind: 'ordinal', column: 'city', categories: ['Nice', 'Paris', 'Lyon'], missing: -1, unknown: -1 });
    expect(meta.dataHash).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.version).toMatch(/^[0-9a-f]{12}$/);
    const metrics = JSON.parse(readFileSync(join(dir, 'hgb-metrics.json'), 'utf8'));
    expect(Object.keys(metrics.test)).toEqual([
      'accuracy',
      'roc_auc',
      'log_loss',
      'precision_macro',
      'recall_macro',
      'f1_macro',
      'per_class',
      'confusion_matrix',
    ]);
    expect(metrics.test.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(60);
    const plots = readdirSync(join(dir, 'hgb-plots')).sort();
    expect(plots).toEqual(['confusion.csv', 'feature_importance.csv', 'learning_curve.csv', 'precision_recall.csv', 'roc.csv']);
    const head = (f: string) => readFileSync(join(dir, 'hgb-plots', f), 'utf8').split('\n')[0];
    expect(plots.map(head)).toEqual([
      'actual,predicted',
      'feature,importance',
      'iteration,train_loss',
      'class,recall,precision,threshold',
      'class,fpr,tpr,threshold',
    ]);
  });

  it('one-hot encodes and scales for linear models', async () => {
    await run('logistic', ['algorithm=logistic']);
    const meta = JSON.parse(readFileSync(join(dir, 'logistic', 'model.json'), 'utf8'));
    expect(meta.features).toEqual(['x', 'z', 'city=Nice', 'city=Paris', 'city=Lyon', 'member=false', 'member=true']);
    expect(meta.preprocessing[0].scale.std).toBeGreaterThan(0);
  });

  it('reports k-fold cross-validated metrics when folds >= 2', async () => {
    await run('cv', ['algorithm=decision_tree', 'folds=3']);
    const metrics = JSON.parse(readFileSync(join(dir, 'cv-metrics.json'), 'utf8'));
    expect(metrics.cv.folds).toBe(3);
    expect(Object.keys(metrics.cv.accuracy)).toEqual(['mean', 'std']);
  });
});

describe('determinism', () => {
  const bytes = (out: string) => readFileSync(join(dir, out, 'model.onnx'));
  const metrics = (out: string) => readFileSync(join(dir, `${out}-metrics.json`), 'utf8');

  it('the same seed gives bit-identical models and metrics; another seed does not', async () => {
    for (const out of ['rf-a', 'rf-b']) await run(out, ['algorithm=rf', 'n_estimators=10', 'threads=1']);
    expect(bytes('rf-a').equals(bytes('rf-b'))).toBe(true);
    expect(metrics('rf-a')).toBe(metrics('rf-b'));
    await run('rf-c', ['algorithm=rf', 'n_estimators=10', 'threads=1', 'seed=7']);
    expect(bytes('rf-a').equals(bytes('rf-c'))).toBe(false);
  });

  it('worker threads give the same bits as one thread (forest and boosting)', async () => {
    // The worker scripts are .js files: `npm test` builds dist/ first (workerScript falls back to it).
    expect(workerScript('tree/forest-worker')).not.toBeNull();
    expect(workerScript('tree/hgb-worker')).not.toBeNull();
    for (const algo of ['rf', 'hgb']) {
      for (const t of [1, 2]) await run(`${algo}-t${t}`, [`algorithm=${algo}`, `threads=${t}`, 'n_estimators=12', 'max_iter=15']);
      expect(bytes(`${algo}-t1`).equals(bytes(`${algo}-t2`))).toBe(true);
      expect(metrics(`${algo}-t1`)).toBe(metrics(`${algo}-t2`));
    }
  });
});

/** A progress reporter that aborts `controller` on its `n`th tick (Ctrl-C mid-fit), and counts ticks. */
function abortAtTick(n: number): { controller: AbortController; progress: ProgressReporter; ticks: () => number } {
  const controller = new AbortController();
  let count = 0;
  const progress: ProgressReporter = {
    task: () => ({
      tick: () => {
        if (++count === n) controller.abort();
      },
      setTotal() {},
      status() {},
      done() {},
    }),
  };
  return { controller, progress, ticks: () => count };
}

describe('writing the model', () => {
  it('refuses to replace a folder holding other files, and leaves it untouched', async () => {
    writeTree(dir, { precious: { 'notes.txt': 'keep me' } });
    await expect(run('precious')).rejects.toMatchObject({ code: 'E_CONFLICT' });
    expect(readdirSync(join(dir, 'precious'))).toEqual(['notes.txt']);
  });

  it('an interrupted run writes nothing and leaves no temporary folder', async () => {
    // Ctrl-C arrives during the third boosting iteration (the reporter sees each one).
    const { controller, progress, ticks } = abortAtTick(3);
    const pending = run('aborted', ['max_iter=50', 'early_stopping=false'], { signal: controller.signal, progress });
    await expect(pending).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    expect(ticks()).toBe(3);
    expect(existsSync(join(dir, 'aborted'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a forest interrupted on two threads stops at the tree it was at and writes nothing', async () => {
    // This thread grows trees too (runPool's inline tasks): the abort must stop it and the worker.
    const { controller, progress, ticks } = abortAtTick(3);
    const pending = run('aborted-rf', ['algorithm=rf', 'n_estimators=40', 'threads=2'], { signal: controller.signal, progress });
    await expect(pending).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    expect(ticks()).toBe(3);
    expect(existsSync(join(dir, 'aborted-rf'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('replaces a previous model in place', async () => {
    await run('again', ['algorithm=dt']);
    await run('again', ['algorithm=logistic']);
    expect(JSON.parse(readFileSync(join(dir, 'again', 'model.json'), 'utf8')).algorithm).toBe('logistic');
  });
});
