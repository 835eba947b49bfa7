import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../src/model/artifact.js';
import { type Model, type Predictions, loadModel } from '../../../src/model/load.js';
import { finalizeTreeSums } from '../../../src/model/ort-finalize.js';
import { compileForest, decodeOperator } from '../../../src/model/ts-scorer.js';
import { float32AtMost, treeWalkPlan } from '../../../src/model/wasm-forest.js';
import { ScoringThread } from '../../../src/serve/scoring-thread.js';
import { toOnnx } from '../../../src/train/model/onnx.js';
import { train } from '../../../src/train/train.js';
import type { Tree } from '../../../src/train/tree/tree.js';
import { tempDir } from '../../helpers/tree.js';

// Batch prediction scores mlpipe's tree models with a WebAssembly walk instead of onnxruntime
// (src/model/wasm-forest.ts). Its outputs must be onnxruntime's, bit for bit: these tests score the
// same tensors both ways, on trained models and on inputs chosen to hit every edge (values equal to
// a threshold, NaN, infinities, margins whose logistic rounds next to a float32 boundary).

/** A deterministic generator (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 400 rows of five features, a binary label and a numeric target. */
function trainingCsv(): string {
  const random = rng(7);
  const lines = ['a,b,c,d,e,label,y'];
  for (let i = 0; i < 400; i++) {
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => Math.round((random() * 10 - 5) * 1000) / 1000) as [number, number, number, number, number];
    const label = a + 0.5 * b * b - c > 2 + random() ? 'yes' : 'no';
    lines.push(`${a},${b},${c},${d},${e},${label},${(a * b + Math.sin(c) * 3 + random()).toFixed(4)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Scores `x` with the walk and with onnxruntime alone; each gets its own copy (the tensor is handed over). */
async function scoreBothWays(model: Model, x: Float32Array, rows: number): Promise<[Predictions, Predictions]> {
  const walked = await ScoringThread.start(model, 2);
  const plain = await ScoringThread.start(model, 2, { walk: false });
  try {
    return await Promise.all([walked.scoreTensor(x.slice(), rows), plain.scoreTensor(x.slice(), rows)]);
  } finally {
    await Promise.all([walked.close(), plain.close()]);
  }
}

/** The float32 bit patterns of an output (a Float32Array from either scorer), so that -0 / 0 and NaN payloads count too. */
const bits = (values: ArrayLike<number> | null) => {
  if (values === null) return null;
  if (!(values instanceof Float32Array)) throw new Error('expected float32 outputs');
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
};

/** Rows mixing random values, every threshold of the model exactly, its float32 neighbours, and NaN or infinite cells. */
async function edgyRows(modelDir: string, meta: ModelMeta, rows: number): Promise<Float32Array> {
  const decoded = await decodeOperator(readFileSync(join(modelDir, 'model.onnx')), meta);
  if (typeof decoded === 'string') throw new Error(decoded);
  const prefix = meta.task === 'regression' ? 'target' : 'class';
  const forest = compileForest(decoded.attrs, prefix, meta.features.length, decoded.precision);
  if (typeof forest === 'string') throw new Error(forest);
  const width = meta.features.length;
  const perFeature: number[][] = Array.from({ length: width }, () => []);
  forest.mode.forEach((mode, i) => {
    if (mode !== 0) perFeature[forest.feature[i]!]!.push(forest.threshold[i]!);
  });
  const random = rng(11);
  const x = new Float32Array(rows * width);
  // The float32 next to t, above or below (from 0 or -0, the smallest subnormal of that sign).
  const next = (t: number, up: boolean) => {
    if (t === 0) return up ? 2 ** -149 : -(2 ** -149);
    const f = new Float32Array([t]);
    const word = new Int32Array(f.buffer);
    word[0]! += t >= 0 === up ? 1 : -1;
    return f[0]!;
  };
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      const pick = random();
      const thresholds = perFeature[j]!;
      const t = thresholds[Math.floor(random() * thresholds.length)] ?? 0;
      x[r * width + j] =
        pick < 0.3 ? t : pick < 0.4 ? next(t, true) : pick < 0.5 ? next(t, false) : pick < 0.53 ? Number.NaN : pick < 0.55 ? (random() < 0.5 ? Infinity : -Infinity) : random() * 12 - 6;
    }
  }
  return x;
}

describe('the WebAssembly tree walk gives onnxruntime outputs bit for bit', () => {
  const models: Record<string, { model: Model; dir: string }> = {};
  beforeAll(async () => {
    writeFileSync(join(dir, 'data.csv'), trainingCsv());
    const fits: [string, string, string[]][] = [
      ['hgb-binary', 'label', ['algorithm=hgb', 'max_iter=40']],
      ['rf-binary', 'label', ['algorithm=random_forest', 'n_estimators=15']],
      ['hgb-regression', 'y', ['algorithm=hgb', 'max_iter=40']],
      ['tree-regression', 'y', ['algorithm=decision_tree']],
    ];
    for (const [name, target, set] of fits) {
      // The other target column is one more feature (a category for the regressors).
      await train({ data: 'data.csv', target, cwd: dir, out: name, metricsFile: `${name}.json`, plotsDir: `${name}-plots`, name, set });
      models[name] = { model: await loadModel(join(dir, name), { engine: 'onnx' }), dir: join(dir, name) };
    }
  }, 120_000);
  afterAll(async () => {
    for (const { model } of Object.values(models)) await model.release();
  });

  it.each([
    ['hgb-binary', 'logistic'],
    ['rf-binary', 'probability'],
    ['hgb-regression', 'regression'],
    ['tree-regression', 'regression'],
  ])('%s: the plan is "%s" and 3,000 edge rows score the same as onnxruntime', async (name, kind) => {
    const { model, dir: modelDir } = models[name]!;
    const plan = await treeWalkPlan(readFileSync(join(modelDir, 'model.onnx')), model.meta);
    expect(typeof plan === 'string' ? plan : plan.kind).toBe(kind);
    const rows = 3000;
    const x = await edgyRows(modelDir, model.meta, rows);
    const [walked, plain] = await scoreBothWays(model, x, rows);
    expect(walked.labels).toEqual(plain.labels);
    expect(bits(walked.probabilities)).toEqual(bits(plain.probabilities));
    expect(bits(walked.values)).toEqual(bits(plain.values));
    expect(walked.rows).toBe(rows);
  }, 60_000);
});

/**
 * A one-feature binary classifier whose single tree is a staircase: row x = k (k = 0..n-1) reaches
 * leaf k, whose weight is margins[k]. Its logistic probabilities are those of the margins.
 */
function staircase(margins: number[]): Uint8Array {
  const n = margins.length;
  const nodes = 2 * n - 1;
  const feature = new Int32Array(nodes).fill(-1);
  const threshold = new Float32Array(nodes);
  const left = new Int32Array(nodes).fill(-1);
  const right = new Int32Array(nodes).fill(-1);
  const value = new Float64Array(nodes);
  for (let k = 0; k < n; k++) {
    const split = 2 * k;
    if (k < n - 1) {
      feature[split] = 0;
      threshold[split] = k + 0.5;
      left[split] = split + 1;
      right[split] = split + 2;
      value[split + 1] = margins[k]!;
    } else value[split] = margins[k]!;
  }
  const tree: Tree = { feature, threshold, bin: new Uint8Array(nodes), left, right, value, outputs: 1 };
  return toOnnx({ kind: 'trees', features: 1, classes: 2, trees: [tree], targets: [0], base: Float64Array.of(0), link: 'logistic' }, { name: 'staircase', docString: '', producerVersion: 'test' });
}

describe('logistic probabilities next to a float32 rounding boundary', () => {
  it('leaves the rows expf could round either way to onnxruntime, and matches it on every other', async () => {
    const random = rng(3);
    const unsureMargins: number[] = [];
    const otherMargins: number[] = [];
    // Margins whose e^-|v| lies next to a float32 rounding boundary: a fraction of a percent of them.
    for (let i = 0; i < 100_000 && unsureMargins.length < 150; i++) {
      const v = Math.fround(random() * 16 - 8);
      const unsure: number[] = [];
      finalizeTreeSums('logistic', Float64Array.of(v), 1, null, [0, 1], new Int32Array(1), new Float32Array(2), unsure);
      (unsure.length > 0 ? unsureMargins : otherMargins).push(v);
    }
    expect(unsureMargins.length).toBe(150);
    const margins = [...unsureMargins, ...otherMargins.slice(0, 500), 0, -0, 1e-30, -1e-30, 88, -88, 104, -104, 1e10, -1e10];
    const modelDir = join(dir, 'staircase');
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(join(modelDir, 'model.onnx'), staircase(margins));
    const model = await loadModel(join(modelDir, 'model.onnx'), { engine: 'onnx' });
    try {
      const plan = await treeWalkPlan(readFileSync(join(modelDir, 'model.onnx')), model.meta);
      expect(typeof plan === 'string' ? plan : plan.kind).toBe('logistic');
      const x = Float32Array.from(margins, (_, k) => k);
      const [walked, plain] = await scoreBothWays(model, x, margins.length);
      expect(walked.labels).toEqual(plain.labels);
      expect(bits(walked.probabilities)).toEqual(bits(plain.probabilities));
      // The walk alone decides all but the unsure margins.
      const unsure: number[] = [];
      finalizeTreeSums('logistic', Float64Array.from(margins), margins.length, null, [0, 1], new Int32Array(margins.length), new Float32Array(2 * margins.length), unsure);
      expect(unsure).toEqual(unsureMargins.map((_, k) => k));
    } finally {
      await model.release();
    }
  }, 60_000);
});

describe('float32AtMost', () => {
  it('gives the largest float32 at most t', () => {
    expect(float32AtMost(0.5)).toBe(0.5);
    expect(float32AtMost(0.1)).toBe(0.09999999403953552); // float32(0.1) = 0.10000000149... is above 0.1
    expect(float32AtMost(-0.1)).toBe(-0.10000000149011612);
    expect(float32AtMost(1e40)).toBe(3.4028234663852886e38);
    expect(float32AtMost(-1e40)).toBe(-Infinity);
    expect(float32AtMost(Infinity)).toBe(Infinity);
    expect(float32AtMost(1e-46)).toBe(0);
    expect(float32AtMost(-1e-46)).toBe(-1.401298464324817e-45);
    expect(float32AtMost(Number.NaN)).toBeNaN();
  });

  it('decides x <= t for float32 x as the double comparison does', () => {
    const random = rng(5);
    let mismatches = 0;
    for (let i = 0; i < 200_000; i++) {
      const t = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6);
      const x = Math.fround(random() < 0.5 ? t : (random() - 0.5) * 2 * Math.abs(t));
      if (x <= float32AtMost(t) !== x <= t) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
