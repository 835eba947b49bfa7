import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, parseSet, resolveParams, trainSection } from '../../../src/train/params.js';

describe('training parameters', () => {
  it('parses --set values as YAML scalars and lists', () => {
    expect(parseSet('max_iter=100')).toEqual(['max_iter', 100]);
    expect(parseSet('early_stopping=false')).toEqual(['early_stopping', false]);
    expect(parseSet('max_depth=null')).toEqual(['max_depth', null]);
    expect(parseSet('drop=[a, b]')).toEqual(['drop', ['a', 'b']]);
    expect(parseSet('algorithm=rf')).toEqual(['algorithm', 'rf']);
    expect(() => parseSet('max_iter')).toThrowError(/--set expects key=value/);
  });

  it('layers defaults, the params file and overrides, resolving aliases', () => {
    const p = resolveParams({ algorithm: 'gbdt', max_iter: 50 }, { max_iter: 7, drop: 'a,b' });
    expect(p).toEqual({ ...DEFAULT_PARAMS, algorithm: 'hgb', max_iter: 7, drop: ['a', 'b'] });
  });

  it('rejects unknown keys and out-of-range values with the parameter named', () => {
    expect(() => resolveParams({ max_itr: 5 })).toThrowError('unknown training parameter "max_itr"');
    try {
      resolveParams({ learning_rate: -1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'E_BAD_INPUT', data: { param: 'learning_rate' }, received: '-1' });
    }
    expect(() => resolveParams({ algorithm: 'svm' })).toThrowError('training parameter "algorithm" is invalid');
  });

  it('reads the train section of params.yaml', () => {
    expect(trainSection({ train: { seed: 1 }, other: 2 }, 'params.yaml')).toEqual({ seed: 1 });
    expect(trainSection({ prepare: {} }, 'params.yaml')).toEqual({});
    expect(() => trainSection({ train: [1] }, 'params.yaml')).toThrowError(/not a mapping/);
  });
});
