import { describe, expect, it } from 'vitest';
import type { Predictions } from '../../../src/model/load.js';
import { mlflowBody } from '../../../src/serve/respond.js';

// MLflow answers: 1-row label bodies come from a per-label cache; every body must be the JSON of
// {"predictions": ...} whatever the label.

const labels = (xs: string[]): Predictions => ({ rows: xs.length, labels: xs, probabilities: new Float64Array(xs.length * 2).fill(0.5), values: null });

describe('mlflowBody', () => {
  it('writes a 1-row label answer as the JSON of its predictions, cached or not', () => {
    for (const label of ['no', 'yes', 'a "quoted" \\ label', 'caf\u00e9 \u2028', '', 'no']) {
      expect(mlflowBody(labels([label]), 2, false)).toBe(JSON.stringify({ predictions: [label] }));
      expect(mlflowBody(labels([label]), 2, false)).toBe(JSON.stringify({ predictions: [label] }));
    }
  });

  it('stays right past the cache size, and for other shapes', () => {
    for (let i = 0; i < 1100; i++) expect(mlflowBody(labels([`class ${i}`]), 2, false)).toBe(`{"predictions":["class ${i}"]}`);
    expect(mlflowBody(labels(['no', 'yes']), 2, false)).toBe('{"predictions":["no","yes"]}');
    expect(mlflowBody(labels(['yes']), 2, true)).toBe('{"predictions":[[0.5,0.5]]}');
    expect(mlflowBody({ rows: 1, labels: null, probabilities: null, values: new Float64Array([1.25]) }, 0, false)).toBe('{"predictions":[1.25]}');
  });
});
