import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { columnsIn } from '../../../src/model/column-reader.js';
import type { FeatureStep, InputColumn } from '../../../src/model/artifact.js';
import { preprocess } from '../../../src/model/preprocess.js';
import { fastMlflowJson } from '../../../src/serve/fast-mlflow.js';
import { recordsToTable } from '../../../src/serve/parse-mlflow.js';
import { inputIssues } from '../../../src/serve/validate.js';

// The compiled reader must give exactly `names.map((n) => columns[n])`, whatever the names.

describe('columnsIn', () => {
  it('reads the named columns in order, as own property gets', () => {
    const names = ['b', 'a', '10', 'a "quoted" \\ name', 'caf\u00e9\u2028', 'missing', '__proto__', 'toString', ''];
    const columns: Record<string, unknown[]> = JSON.parse('{"a": [1], "b": [2], "10": [3], "a \\"quoted\\" \\\\ name": [4], "caf\u00e9\u2028": [5], "__proto__": [6], "": [7]}');
    const read = columnsIn(names);
    expect(read(columns)).toEqual([[2], [1], [3], [4], [5], undefined, [6], undefined, [7]]);
    expect(read(columns)[6]).toEqual([6]);
    // A name every object inherits reads as the table's own column only: a missing `toString`
    // is missing, not Object.prototype.toString.
    expect(read(columns)[7]).toBeUndefined();
    expect(columnsIn(['constructor', '__proto__'])({})).toEqual([undefined, undefined]);
    // One reader per list of names.
    expect(columnsIn(names)).toBe(read);
    expect(columnsIn([])({})).toEqual([]);
  });

  it('falls back to plain lookups where code generation from strings is disallowed', () => {
    // The built modules (npm test builds first), in a node that refuses `new Function`.
    const script = `
      const { columnsIn, compile } = await import('./dist/model/column-reader.js');
      const { fastMlflowJson } = await import('./dist/serve/fast-mlflow.js');
      console.log(JSON.stringify([compile('return 1') === undefined, columnsIn(['b', 'a'])({ a: [1], b: [2] }), fastMlflowJson('{"instances": [[1, 2]]}', ['x', 'y'])]));`;
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, [[2], [1]], fastMlflowJson('{"instances": [[1, 2]]}', ['x', 'y'])]);
  });

  it('reports a missing column named like an Object.prototype member as missing', () => {
    // A model feature called `constructor` (Formula 1 data has one): the request lacks it.
    const columns = { a: [1] };
    expect(inputIssues([{ name: 'constructor', type: 'float', nullable: true }], { columns, rows: 1 })).toEqual([
      { column: 'constructor', row: -1, code: 'missing_column', expected: 'a column "constructor"', received: 'no such column' },
    ]);
    expect(() => preprocess([{ kind: 'numeric', column: 'constructor', impute: 7 }], columns, 1)).toThrow('missing input column "constructor"');
    // A record without the key gives a missing value, not Object.
    expect(recordsToTable([{ constructor: 2 }, { a: 1 }], ['constructor', 'a']).columns).toEqual({ constructor: [2, null], a: [null, 1] });
    // The paths that read a column outside the compiled reader (a list changed in place) too.
    const steps: FeatureStep[] = [{ kind: 'numeric', column: 'a', impute: 0 }];
    preprocess(steps, columns, 1);
    steps[0] = { kind: 'numeric', column: 'toString', impute: 0 };
    expect(() => preprocess(steps, columns, 1)).toThrow('missing input column "toString"');
  });

  it('serves preprocessing and validation right after their lists of names change in place', () => {
    const columns = { a: [1], b: [2], c: ['x'] };
    const steps: FeatureStep[] = [{ kind: 'numeric', column: 'a', impute: 0 }];
    expect(Array.from(preprocess(steps, columns, 1))).toEqual([1]);
    steps[0] = { kind: 'numeric', column: 'b', impute: 0 };
    steps.push({ kind: 'numeric', column: 'a', impute: 0 });
    expect(Array.from(preprocess(steps, columns, 1))).toEqual([2, 1]);
    const schema: InputColumn[] = [{ name: 'a', type: 'float', nullable: false }];
    expect(inputIssues(schema, { columns, rows: 1 })).toEqual([]);
    schema.push({ name: 'c', type: 'float', nullable: false });
    expect(inputIssues(schema, { columns, rows: 1 }).map((i) => [i.column, i.code])).toEqual([['c', 'invalid_type']]);
  });
});
