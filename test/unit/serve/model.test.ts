import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ServeApp } from '../../../src/serve/app.js';
import { type Model, type Predictions, loadModel } from '../../../src/model/load.js';
import { compileOnnx } from '../../../src/model/ts-scorer.js';
import { ScoringThread } from '../../../src/serve/scoring-thread.js';
import { linearExpected, linearModel, makeOnnx, withModels } from './fixtures.js';

const models = withModels();
let root: string;
beforeAll(() => {
  root = models();
});

/** Deterministic rows over `width` float columns, with values near the trees' thresholds. */
function grid(names: string[], rows: number): Record<string, number[]> {
  const cols: Record<string, number[]> = {};
  names.forEach((n, j) => {
    cols[n] = Array.from({ length: rows }, (_, r) => Math.round(Math.sin(r * 7.3 + j * 1.7) * 3000) / 1000);
  });
  return cols;
}

function expectSame(a: Predictions, b: Predictions): void {
  expect(b.rows).toBe(a.rows);
  expect(b.labels).toEqual(a.labels);
  for (const key of ['probabilities', 'values'] as const) {
    const x = a[key];
    const y = b[key];
    expect(y === null).toBe(x === null);
    if (x && y) for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(x[i]!, 5);
  }
}

describe('scoring engines', () => {
  it('onnxruntime and the TypeScript scorer agree on a 100-tree boosting model', async () => {
    const dir = join(root, 'boost');
    mkdirSync(dir);
    makeOnnx('boosting', join(dir, 'model.onnx'), 100, 6, 20);
    const onnx = await loadModel(join(dir, 'model.onnx'), { engine: 'onnx' });
    const ts = await loadModel(join(dir, 'model.onnx'), { engine: 'ts' });
    expect(ts.tsScorer).toEqual({ op: 'TreeEnsembleClassifier' });
    expect(onnx.meta.task).toBe('binary');
    const cols = grid(onnx.meta.features, 2000);
    const a = await onnx.predict(cols, 2000);
    expectSame(a, await ts.predict(cols, 2000));
    expect(new Set(a.labels)).toEqual(new Set(['0', '1']));
  });

  it('agree on a forest voting probabilities (onnxruntime\'s non-negative binary case)', async () => {
    const file = join(root, 'forest.onnx');
    makeOnnx('forest', file, 30, 4, 6);
    const onnx = await loadModel(file, { engine: 'onnx' });
    const ts = await loadModel(file, { engine: 'ts' });
    const cols = grid(onnx.meta.features, 1000);
    const a = await onnx.predict(cols, 1000);
    expectSame(a, await ts.predict(cols, 1000));
    expect(new Set(a.labels)).toEqual(new Set(['0', '1']));
  });

  it('send NaN in the feature tensor down the same branches', async () => {
    // Preprocessing imputes missing values, so NaN reaches the trees only through the raw scorer.
    const file = join(root, 'boost', 'model.onnx');
    const bytes = readFileSync(file);
    const model = await loadModel(file, { engine: 'onnx' });
    const scorer = await compileOnnx(bytes, model.meta);
    if (typeof scorer === 'string') throw new Error(scorer);
    const rows = 500;
    const x = Float32Array.from({ length: rows * 20 }, (_, i) => (i % 7 === 0 ? Number.NaN : Math.sin(i) * 2));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', x, [rows, 20]) });
    const raw = scorer.score(x, rows);
    expect(Array.from(raw.labels!)).toEqual(Array.from(out.label!.data as BigInt64Array, Number));
    const p = out.probabilities!.data as Float32Array;
    for (let i = 0; i < p.length; i++) expect(raw.probabilities![i]).toBeCloseTo(p[i]!, 5);
  });

  it('agree on the linear classifier and the tree regressor, with known values', async () => {
    for (const [name, rows] of [['iris', { x1: [1, 5, -3], x2: [2, null, 7], color: ['red', 'blue', null] }], ['tree', { a: [0, 0, 2, 1.5], b: [5, 11, 0, 10], c: [0, 1, 0.5, 0.6] }]] as const) {
      const onnx = await loadModel(join(root, name), { engine: 'onnx' });
      const ts = await loadModel(join(root, name), { engine: 'ts' });
      const n = Object.values(rows)[0]!.length;
      const a = await onnx.predict(rows, n);
      expectSame(a, await ts.predict(rows, n));
      if (name === 'tree') expect(Array.from(a.values!)).toEqual([11, 22, 13, 21]);
      else {
        expect(a.labels).toEqual(['versicolor', 'virginica', 'versicolor']);
        const expected = [...linearExpected(1, 2, 'red'), ...linearExpected(5, null, 'blue'), ...linearExpected(-3, 7, null)];
        Array.from(a.probabilities!).forEach((p, i) => {
          expect(p).toBeCloseTo(expected[i]!, 6);
        });
      }
    }
  });

  it('uses the TypeScript scorer for small batches and onnxruntime for large ones in auto mode', async () => {
    const model = await loadModel(join(root, 'tree'));
    expect(model.tsScorer).toEqual({ op: 'TreeEnsembleRegressor' });
    const cols = grid(['a', 'b', 'c'], 5000);
    const big = await model.predict(cols, 5000);
    expect(big.values).toBeInstanceOf(Float32Array); // onnxruntime's output tensor
    const small = await model.predict({ a: [0], b: [5], c: [0] }, 1);
    expect(small.values).toBeInstanceOf(Float64Array);
    expect(Array.from(small.values!)).toEqual([11]);
  });
});

describe('a model exported by another tool', () => {
  it('serves a bare model.onnx with metadata derived from the graph', async () => {
    const dir = join(root, 'foreign');
    mkdirSync(dir);
    makeOnnx('tree', join(dir, 'model.onnx'));
    const model: Model = await loadModel(dir);
    expect(model.meta.name).toBe('foreign');
    expect(model.meta.version).toMatch(/^[0-9a-f]{12}$/);
    expect(model.meta.task).toBe('regression');
    expect(model.meta.inputSchema).toEqual([
      { name: 'f0', type: 'float', nullable: false },
      { name: 'f1', type: 'float', nullable: false },
      { name: 'f2', type: 'float', nullable: false },
    ]);
    const app = new ServeApp({ load: () => loadModel(dir), name: 'foreign', serverVersion: '1' });
    await app.start();
    const res = await app.handle({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, body: '{"instances": [[0, 5, 0], [2, 0, 1]]}' });
    expect(res.body).toBe('{"predictions":[11,23]}');
  });

  it('derives a classifier from label and probabilities outputs', async () => {
    const dir = join(root, 'foreign-linear');
    mkdirSync(dir);
    makeOnnx('linear', join(dir, 'clf.onnx'));
    const model = await loadModel(join(dir, 'clf.onnx'));
    expect([model.meta.task, model.meta.classes, model.meta.features.length]).toEqual(['multiclass', ['0', '1', '2'], 5]);
    const p = await model.predict({ f0: [0], f1: [2], f2: [1], f3: [0], f4: [0] }, 1);
    expect(p.labels).toEqual(['1']);
  });
});

describe('bad model folders', () => {
  it('says what is wrong with model.json', async () => {
    const dir = join(root, 'badjson');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), '{"format": "mlpipe-model", "formatVersion": 2}');
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'E_MODEL',
      message: expect.stringContaining('"formatVersion" must be 1; "task" must be binary, multiclass or regression'),
    });
    writeFileSync(join(dir, 'model.json'), '{');
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/model\.json is not valid JSON/) });
    await expect(loadModel(join(root, 'missing'))).rejects.toMatchObject({ code: 'E_MODEL', message: `no model at ${join(root, 'missing')}` });
  });

  it('rejects a model.json that does not match its ONNX graph', async () => {
    const dir = join(root, 'mismatch');
    const meta = linearModel(dir);
    /** Replaces model.onnx and records its checksum, so the graph itself is what is checked. */
    const replace = (bytes: Buffer | string) => {
      writeFileSync(join(dir, 'model.onnx'), bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...meta, onnx: { ...meta.onnx, sha256 } }));
    };
    replace(readFileSync(join(root, 'tree', 'model.onnx')));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'E_MODEL',
      message: expect.stringContaining('tensor "label" not in the graph; tensor "probabilities" not in the graph'),
    });
    replace('not onnx');
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/^onnxruntime cannot load/) });
  });
});

describe('model.onnx checksum (model.json "onnx.sha256")', () => {
  it('refuses a model.onnx with one flipped byte, naming the file and both hashes', async () => {
    const dir = join(root, 'flipped');
    const meta = linearModel(dir);
    const file = join(dir, 'model.onnx');
    const bytes = readFileSync(file);
    // A byte inside a float coefficient: onnxruntime would load the graph and predict with it.
    const at = bytes.indexOf(Buffer.from(new Float32Array([-0.5]).buffer));
    expect(at).toBeGreaterThan(0);
    bytes[at + 3]! ^= 0x01;
    writeFileSync(file, bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    const err = await loadModel(dir, { engine: 'onnx' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'E_MODEL',
      message: `${file} does not match model.json: the file was changed or damaged after training`,
      expected: `sha256 ${meta.onnx.sha256} (model.json "onnx.sha256")`,
      received: `sha256 ${actual}`,
      data: { file: 'model.onnx', expected: meta.onnx.sha256, actual },
    });
    // The graph is still valid ONNX: without the check it would have been served.
    const { sha256: _, ...unchecked } = meta.onnx;
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...meta, onnx: unchecked }));
    const model = await loadModel(dir, { engine: 'onnx', onWarning: () => {} });
    expect(model.meta.task).toBe('multiclass');
  });

  it('checks the file again when batch prediction reads it for its scoring thread', async () => {
    const dir = join(root, 'swapped');
    linearModel(dir);
    const model = await loadModel(dir, { engine: 'onnx' });
    const bytes = readFileSync(join(dir, 'model.onnx'));
    bytes[bytes.length - 20]! ^= 0xff;
    writeFileSync(join(dir, 'model.onnx'), bytes);
    await expect(ScoringThread.start(model)).rejects.toMatchObject({
      code: 'E_MODEL',
      message: `${join(dir, 'model.onnx')} does not match model.json: the file was changed or damaged after training`,
    });
    await model.release();
  });

  it('loads a model.json written before the field existed, with a warning', async () => {
    const dir = join(root, 'older');
    const meta = linearModel(dir);
    const { sha256: _, ...older } = meta.onnx;
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...meta, onnx: older }));
    const warnings: string[] = [];
    const model = await loadModel(dir, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `model.json records no sha256 for model.onnx (a model trained before mlpipe checked it): ${join(dir, 'model.onnx')} is loaded unverified; train it again to record one`,
    ]);
    expect((await model.predict({ x1: [1], x2: [2], color: ['red'] }, 1)).labels).toEqual(['versicolor']);
    // A model with its checksum loads without a word.
    const quiet: string[] = [];
    await loadModel(join(root, 'iris'), { onWarning: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
  });
});
