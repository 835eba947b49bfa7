import { describe, expect, it } from 'vitest';
import type { FeatureStep } from '../../../src/model/artifact.js';
import { featureCount, preprocess } from '../../../src/model/preprocess.js';

const steps: FeatureStep[] = [
  { kind: 'numeric', column: 'age', impute: 40, scale: { mean: 30, std: 10 } },
  { kind: 'numeric', column: 'flag', impute: 0 },
  { kind: 'onehot', column: 'color', categories: ['red', 'green'], unknown: 'ignore' },
  { kind: 'ordinal', column: 'size', categories: ['S', 'M', 'L'], missing: -1, unknown: -2 },
];

describe('preprocess (shared by training and serving)', () => {
  it('imputes, scales, one-hot and ordinal encodes into a row-major tensor', () => {
    const columns = {
      age: [50, null, '20'],
      flag: [true, false, Number.NaN],
      color: ['green', 'blue', null],
      size: ['L', null, 'XL'],
    };
    expect(featureCount(steps)).toBe(5);
    expect(Array.from(preprocess(steps, columns, 3))).toEqual([
      2, 1, 0, 1, 2, // (50-30)/10, true, green, L
      1, 0, 0, 0, -1, // imputed 40 -> 1, false, unknown colour, missing size
      -1, 0, 0, 0, -2, // "20" parsed, NaN imputed to 0, missing colour, unknown size
    ]);
  });

  it('produces float32 when asked, with the same values rounded', () => {
    const out = preprocess([{ kind: 'numeric', column: 'x', impute: 0 }], { x: [0.1] }, 1, 'float32');
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBe(Math.fround(0.1));
  });

  it('rejects a missing column, a non-numeric value and an unknown category when asked to', () => {
    expect(() => preprocess(steps, { age: [1] }, 1)).toThrowError(/missing input column "flag"/);
    expect(() => preprocess([{ kind: 'numeric', column: 'x', impute: 0 }], { x: ['abc'] }, 1)).toThrowError(
      'column "x", row 0: expected a number, got "abc"',
    );
    const strict: FeatureStep[] = [{ kind: 'onehot', column: 'c', categories: ['a'], unknown: 'error' }];
    try {
      preprocess(strict, { c: ['b'] }, 1);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'E_BAD_INPUT', data: { column: 'c', row: 0 } });
    }
  });
});
