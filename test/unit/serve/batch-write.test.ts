import { describe, expect, it } from 'vitest';
import { csvRows, labelFields, renderPredictionCsv } from '../../../src/serve/batch-write.js';
import { wasmModule } from '../../../src/core/wasm.js';
import { float32TextWriter, jsTextTarget, wasmTextTarget } from '../../../src/serve/float32-text.js';
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

describe('renderPredictionCsv (the scoring thread renders the prediction columns)', () => {
  const classes = ['big, red', 'plain', 'ü"x'];
  // Probabilities the fast float32 writer handles and ones it leaves to String(): tiny, negative,
  // integers, powers of two, NaN.
  const special = [0.1, 0.75, 1e-7, -0.3, 0, 1, 2 ** -12, 3, Number.NaN, 0.3333333432674408, 1e-40, 0.5];
  const rows = 200;
  const probabilities = Float32Array.from({ length: rows * 3 }, (_, i) => special[i % special.length]! * (1 + (i % 7) / 10));
  const indices = Int32Array.from({ length: rows }, (_, r) => r % 4); // 3 is not a class: written as the number
  const labels = Array.from(indices, (i) => classes[i] ?? String(i));
  const ids = [Array.from({ length: rows }, (_, r) => (r % 5 === 0 ? `id,${r}` : `r${r}`))];

  const module = wasmModule('serve/float32-text');
  const targets = () => [jsTextTarget(float32TextWriter()), wasmTextTarget(module!)];

  it('finds the built float32-text.wasm (npm run build)', () => {
    expect(module).toBeInstanceOf(WebAssembly.Module);
  });

  it.each([0, 1])('gives the bytes csvRows writes from the decoded predictions, with and without ids and probabilities (target %i: JavaScript, WebAssembly)', (which) => {
    const target = targets()[which]!;
    for (const proba of [true, false]) {
      const rendered = renderPredictionCsv(target, rows, indices, labelFields(classes), proba ? probabilities : null, proba ? 3 : 0);
      const decoded: Predictions = { rows, labels, probabilities, values: null };
      for (const idValues of [[], ids]) {
        const expected = csvRows(idValues, decoded, 3, proba).toString('utf8');
        const fromRendered = csvRows(idValues, { ...decoded, csv: { ...rendered, proba } }, 3, proba).toString('utf8');
        expect(fromRendered).toBe(expected);
      }
    }
  });

  it('renders a regressor value per row, the same with either target', () => {
    const values = Float32Array.from(special);
    const expected = csvRows([], { rows: values.length, labels: null, probabilities: null, values }, 0, false).toString('utf8');
    for (const target of targets()) {
      const rendered = renderPredictionCsv(target, values.length, null, [], values, 1);
      expect(Buffer.from(rendered.bytes).toString('utf8')).toBe(expected);
    }
    expect(expected.split('\n').slice(0, 4)).toEqual(['0.10000000149011612', '0.75', '1.0000000116860974e-7', '-0.30000001192092896']);
  });
});
