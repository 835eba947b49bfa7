import { describe, expect, it } from 'vitest';
import type { InputColumn } from '../../../src/model/artifact.js';
import { fastMlflowJson } from '../../../src/serve/fast-mlflow.js';
import { parseJsonBody } from '../../../src/serve/json-body.js';
import { parseMlflowJson } from '../../../src/serve/parse-mlflow.js';

// The fast path for common MLflow bodies must give exactly the general path's table, or step aside
// (undefined) so that the general path answers, errors included.

const schema: InputColumn[] = [
  { name: 'x1', type: 'float', nullable: true },
  { name: 'x2', type: 'int', nullable: true },
  { name: 'color', type: 'category', nullable: true },
];
const names = schema.map((c) => c.name);
const general = (body: string) => parseMlflowJson(parseJsonBody(body), schema);

/** A small LCG, so that a failure names a reproducible body. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Values compared with Object.is, so -0 and 0 differ, as they would in a scorer. */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, (_, v: unknown) => (Object.is(v, -0) ? '-0' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v)) ===
    JSON.stringify(b, (_, v: unknown) => (Object.is(v, -0) ? '-0' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v));
}

describe('fastMlflowJson', () => {
  it('reads the common shapes into the same columns as the general path', () => {
    const bodies = [
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1.5, 2, "red"], [-0, null, "blue"]]}}',
      '{"dataframe_split":{"data":[[1e400,-1E-3,"a]b[c"]],"columns":["x1","x2","color"]}}',
      ' \n{ "dataframe_split" : { "data" : [ [ 0.1 , 12345678901234567890 , "é" ] ] } }\t',
      '{"dataframe_split": {"columns": ["color", "x1", "x2"], "data": [["red", 1, 2]]}, "params": {"proba": true}}',
      '{"params": {"proba": false}, "instances": [[1, 2, "red"], [3.25e2, 4, null]]}',
      '{"inputs": [[true, false, "x"]]}',
      '{"dataframe_split": {"columns": ["x1", "x1", "x2"], "data": [[1, 2, 3]]}}',
      '{"dataframe_split": {"columns": ["x1"], "data": [[1], [2], [3]]}}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "index": [0, "a", null], "data": [[1, 2, "red"]]}}',
      '{"dataframe_split": {"index": [], "data": [[1, 2, "red"]]}}',
    ];
    for (const body of bodies) {
      const fast = fastMlflowJson(body, names);
      expect(fast, body).toBeDefined();
      expect(same(fast, general(body)), body).toBe(true);
    }
    expect(fastMlflowJson(bodies[0]!, names)).toEqual({ table: { columns: { x1: [1.5, -0], x2: [2, null], color: ['red', 'blue'] }, rows: 2 }, proba: false });
    expect(fastMlflowJson(bodies[3]!, names)!.proba).toBe(true);
    expect(fastMlflowJson(bodies[1]!, names)!.table.columns.x1).toEqual([Infinity]);
    // A repeated column name keeps its last column, as the general path does.
    expect(fastMlflowJson(bodies[6]!, names)!.table.columns).toEqual({ x1: [2], x2: [3] });
  });

  it('steps aside for every other body, valid or not', () => {
    const bodies = [
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, "r\\"ed"]]}}', // an escape
      '{"dataframe_records": [{"x1": 1, "x2": 2, "color": "red"}]}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2]]}}', // short row
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, "a", 4]]}}', // long row
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": []}}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, {}]]}}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, [3]]]}}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, "red"]], "index": [0,]}}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, "red"]], "index": [[0]]}}',
      '{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, "red"]], "extra": 1}}',
      '{"dataframe_split": {"columns": ["x1"], "columns": ["x2"], "data": [[1]]}}',
      '{"instances": [[1, 2, "red"]], "instances": [[1, 2, "red"]]}',
      '{"instances": [[1, 2, "red"]], "inputs": [[1, 2, "red"]]}',
      '{"instances": [1, 2]}',
      '{"instances": [[1, 2, "red"]], "params": {"proba": true, "x": 1}}',
      '{"instances": [[1, 2, "red"]], "params": {"proba": "yes"}}',
      '{"instances": [[1, 2, "red"]], "extra": 1}',
      '{"instances": [[1, 2, "red"]]} x',
      '{"instances": [[1, 2, "red"]]',
      '{"instances": [[01, 2, "red"]]}',
      '{"instances": [[1., 2, "red"]]}',
      '{"instances": [[.5, 2, "red"]]}',
      '{"instances": [[+1, 2, "red"]]}',
      '{"instances": [[1e, 2, "red"]]}',
      '{"instances": [[-, 2, "red"]]}',
      '{"instances": [[NaN, 2, "red"]]}',
      '{"instances": [[1, 2, "tab\there"]]}',
      '\ufeff{"instances": [[1, 2, "red"]]}',
      '{}',
      '[]',
      '',
    ];
    for (const body of bodies) expect(fastMlflowJson(body, names), body).toBeUndefined();
  });

  it('reads every number exactly as JSON.parse does', () => {
    const rand = lcg(11);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
    const tokens = ['0', '-0', '0.0', '-0.0e-5', '1e22', '1e23', '9007199254740993', '123456789012345', '1234567890123456', '0.1', '0.30000000000000004', '5e-324', '1.7976931348623157e308', '1e-400', '2.2250738585072011e-308'];
    for (let n = 0; n < 20000; n++) {
      const int = rand() < 0.2 ? '0' : String(1 + Math.floor(rand() * 9)) + digits(Math.floor(rand() * 12));
      const frac = rand() < 0.5 ? `.${digits(1 + Math.floor(rand() * 10))}` : '';
      const exp = rand() < 0.4 ? `${rand() < 0.5 ? 'e' : 'E'}${['', '+', '-'][Math.floor(rand() * 3)]}${Math.floor(rand() * 40)}` : '';
      tokens.push(`${rand() < 0.3 ? '-' : ''}${int}${frac}${exp}`);
    }
    for (const token of tokens) {
      const fast = fastMlflowJson(`{"instances": [[${token}]]}`, ['x']);
      expect(Object.is(fast?.table.columns.x?.[0], JSON.parse(token)), token).toBe(true);
    }
  });

  it('keys the columns by the schema strings when the request names them in schema order', () => {
    const fast = fastMlflowJson('{"dataframe_split": {"columns": ["x1", "x2", "color"], "data": [[1, 2, "red"]]}}', names)!;
    expect(Object.keys(fast.table.columns)).toEqual(names);
    // Names that JSON must escape are compared the slow way, and still read right.
    const odd = ['a"b', 'c'];
    expect(fastMlflowJson('{"dataframe_split": {"columns": ["a\\"b", "c"], "data": [[1, 2]]}}', odd)).toBeUndefined();
    expect(fastMlflowJson('{"dataframe_split": {"columns": ["a"b", "c"], "data": [[1, 2]]}}', odd)).toBeUndefined();
  });

  it('builds the columns object with the schema keys in order, repeated and odd names as the general path does', () => {
    const body = '{"instances": [[1, 2, 3], [4, 5, 6]]}';
    for (const cols of [['b', 'a', '10'], ['a', 'b', 'a'], ['__proto__', 'constructor', 'x']]) {
      const s: InputColumn[] = cols.map((name) => ({ name, type: 'float', nullable: true }));
      const fast = fastMlflowJson(body, cols)!;
      const slow = parseMlflowJson(parseJsonBody(body), s);
      expect(Object.keys(fast.table.columns), cols.join()).toEqual(Object.keys(slow.table.columns));
      expect(Object.getPrototypeOf(fast.table.columns)).toEqual(Object.getPrototypeOf(slow.table.columns));
      expect(same(fast, slow), cols.join()).toBe(true);
    }
    expect(fastMlflowJson('{"instances": [[7, 8, 9]]}', ['b', 'a', '10'])!.table.columns).toEqual({ '10': [9], b: [7], a: [8] });
  });

  it('agrees with the general path on 2,000 generated bodies', () => {
    const rand = lcg(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const ws = () => pick(['', '', ' ', '\n', ' \t ']);
    const cell = () =>
      pick([
        () => String(Math.round((rand() - 0.5) * 1e6) / 100),
        () => (rand() * 1e30).toExponential(5),
        () => '-0',
        () => 'null',
        () => pick(['true', 'false']),
        () => JSON.stringify(pick(['red', 'blue', 'a"b', 'x\\y', 'ü', '[]'])),
        () => pick(['01', '1.', '{}', '[1]', '--1']), // not JSON, or not a scalar
      ])();
    let fastCount = 0;
    for (let n = 0; n < 2000; n++) {
      const width = rand() < 0.9 ? 3 : 2;
      const rows = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => `[${ws()}${Array.from({ length: width }, cell).join(`${ws()},${ws()}`)}${ws()}]`);
      const data = `[${ws()}${rows.join(`,${ws()}`)}${ws()}]`;
      const body = pick([
        () => `{${ws()}"dataframe_split":${ws()}{"columns":${ws()}["x1","x2","color"],${ws()}"data":${ws()}${data}}${ws()}}`,
        () => `{"dataframe_split":{"data":${data}}}`,
        () => `{"dataframe_split":{"data":${data},"index":[${ws()}0,${ws()}1],"columns":["x1","x2","color"]}}`,
        () => `{"instances":${data},${ws()}"params":{"proba":${pick(['true', 'false', '1'])}}}`,
        () => `{"inputs":${data}}${ws()}`,
      ])();
      const fast = fastMlflowJson(body, names);
      if (fast === undefined) continue;
      fastCount++;
      expect(same(fast, general(body)), body).toBe(true);
    }
    // The generator's valid bodies take the fast path (most of them; the rest step aside).
    expect(fastCount).toBeGreaterThan(200);
  });
});
