import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { train } from '../../../src/train/train.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

/** Every data problem is reported with a stable code and reason before any training starts. */
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
writeTree(dir, {
  'ok.csv': `a,b,y\n${rows(50, (i) => `${i},${i % 3},${i % 2}`)}\n`,
  'one-class.csv': `a,y\n${rows(20, (i) => `${i},same`)}\n`,
  'typo.csv': `a,b,y\n${rows(40, (i) => `${i === 33 ? '12,5' : i},${i},${i % 2}`.replace('12,5', '"12,5"'))}\n`,
  'all-null.csv': `a,empty,y\n${rows(20, (i) => `${i},,${i % 2}`)}\n`,
  'many-classes.csv': `a,y\n${rows(30, (i) => `${i},c${i}`)}\n`,
  'no-target.csv': `a,y\n1,\n2,\n`,
  'header-only.csv': 'a,y\n',
  'params.yaml': 'train:\n  algorithm: rf\n  n_estimators: 0\n',
});

async function failure(options: Partial<Parameters<typeof train>[0]>) {
  try {
    await train({ data: 'ok.csv', target: 'y', cwd: dir, out: 'never', metricsFile: null, plotsDir: null, ...options });
  } catch (err) {
    return err as { code: string; message: string; data?: { reason?: string }; expected?: string; received?: string; hint?: string };
  }
  throw new Error('training succeeded but should have failed');
}

describe('bad input is refused with coded errors', () => {
  it('a missing target column', async () => {
    const e = await failure({ target: 'label' });
    expect(e).toMatchObject({ code: 'E_BAD_INPUT', message: 'target column "label" is not in the data', data: { reason: 'missing-target' } });
    expect(e.expected).toBe('one of ["a","b","y"]');
  });

  it('a target with one class', async () => {
    const e = await failure({ data: 'one-class.csv' });
    expect(e).toMatchObject({ code: 'E_TRAIN', message: 'target column "y" has only one class', data: { reason: 'one-class' } });
    expect(e.received).toBe('"same" in all 20 row(s)');
  });

  it('non-numeric values in a numeric feature, naming the row', async () => {
    const e = await failure({ data: 'typo.csv' });
    expect(e).toMatchObject({ code: 'E_BAD_INPUT', message: 'column "a" is numeric but holds 1 non-numeric value(s)', data: { reason: 'non-numeric' } });
    expect(e.received).toBe('row 34: "12,5"');
    expect(e.hint).toBe('clean the column, or declare it categorical with --set categorical=a');
  });

  it('an all-null column', async () => {
    const e = await failure({ data: 'all-null.csv' });
    expect(e).toMatchObject({ code: 'E_TRAIN', data: { reason: 'all-null' }, hint: 'drop it with --set drop=empty' });
  });

  it('more classes than max_classes', async () => {
    const e = await failure({ data: 'many-classes.csv', set: ['max_classes=10'] });
    expect(e).toMatchObject({ code: 'E_TRAIN', data: { reason: 'too-many-classes' }, expected: 'at most 10 classes', received: '30 distinct values' });
  });

  it('an empty training set (no rows, or no row with a target)', async () => {
    expect(await failure({ data: 'no-target.csv' })).toMatchObject({ code: 'E_TRAIN', data: { reason: 'empty' } });
    expect(await failure({ data: 'header-only.csv' })).toMatchObject({ code: 'E_TRAIN', data: { reason: 'empty' } });
  });

  it('an algorithm that does not fit the task', async () => {
    expect(await failure({ set: ['algorithm=linear'] })).toMatchObject({ code: 'E_TRAIN', data: { reason: 'algorithm-task' } });
  });

  it('bad parameters from params.yaml, and a missing data file', async () => {
    expect(await failure({ paramsFile: 'params.yaml' })).toMatchObject({ code: 'E_BAD_INPUT', data: { param: 'n_estimators' } });
    expect(await failure({ data: 'nope.csv' })).toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
