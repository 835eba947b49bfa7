import { describe, expect, it } from 'vitest';
import { csvRows } from '../../../src/serve/batch-write.js';
import type { Predictions } from '../../../src/model/load.js';

const classified = (labels: string[], probabilities: number[]): Predictions => ({
  rows: labels.length,
  labels,
  probabilities: Float32Array.from(probabilities),
  values: null,
});

describe('csvRows', () => {
  it('writes labels and float32 probabilities as the shortest double text', () => {
    const out = csvRows([], classified(['no', 'yes'], [0.25, 0.75, 0.1, 0.9]), 2, true);
    expect(out.toString('utf8')).toBe('no,0.25,0.75\nyes,0.10000000149011612,0.8999999761581421\n');
  });

  it('leaves the probabilities out without --proba', () => {
    expect(csvRows([], classified(['no', 'yes'], [0.25, 0.75, 0.1, 0.9]), 2, false).toString('utf8')).toBe('no\nyes\n');
  });

  it('quotes ids and labels holding commas, quotes or newlines, and keeps UTF-8 ids intact', () => {
    const ids = [['a,b', 'ü"x', null]];
    const out = csvRows(ids, classified(['big, red', 'plain', 'big, red'], [1, 0, 0, 1, 0.5, 0.5]), 2, false);
    expect(out.toString('utf8')).toBe('"a,b","big, red"\n"ü""x",plain\n,"big, red"\n');
  });

  it('writes regression values and grows past its first estimate for long ids', () => {
    const long = 'x'.repeat(5000);
    const p: Predictions = { rows: 2, labels: null, probabilities: null, values: Float64Array.from([1.5, -2]) };
    const out = csvRows([[long, '日本']], p, 0, false);
    expect(out.toString('utf8')).toBe(`${long},1.5\n日本,-2\n`);
    expect(out.length).toBe(5000 + ",1.5\n".length + 6 + ",-2\n".length);
  });
});
