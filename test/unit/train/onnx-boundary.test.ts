import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ModelMeta } from '../../../src/model/artifact.js';
import { toOnnx } from '../../../src/train/model/onnx.js';
import { type Scorer, argmax, score } from '../../../src/train/model/scorer.js';
import type { Tree } from '../../../src/train/tree/tree.js';
import { compileOnnx } from '../../../src/model/ts-scorer.js';

/**
 * The parity contract of train/model/onnx.ts on data built to sit on the decision boundary: a
 * forest of T stumps over one feature, where stump t votes 1/T (float32) for class 1 when x > t.
 * Row x = k therefore gets exactly k votes, and k = T/2 is the boundary. In float32 the sum of k
 * votes lands on either side of 0.5 depending on the order of additions, and onnxruntime splits
 * trees across its threads (more than 80 trees, few rows): with float thresholds, one row of 100
 * stumps scored 0.49999979 with 1 or 2 threads and 0.50000006 with 4 (label 0 vs 1). In double,
 * sums of float32 votes are exact, so every engine and thread count gives the same label.
 */
function stumps(T: number): Scorer {
  const trees: Tree[] = Array.from({ length: T }, (_, t) => ({
    feature: Int32Array.from([0, -1, -1]),
    threshold: Float32Array.from([t + 0.5]),
    bin: new Uint8Array(3),
    left: Int32Array.from([1, -1, -1]),
    right: Int32Array.from([2, -1, -1]),
    value: Float64Array.from([0, 0, Math.fround(1 / T)]),
    outputs: 1,
  }));
  return { kind: 'trees', features: 1, classes: 2, trees, targets: trees.map(() => 0), base: new Float64Array(1), link: 'probability' };
}

const META = {
  features: ['x'],
  onnx: { file: 'model.onnx', input: 'input', inputType: 'float32', outputs: { label: 'label', probabilities: 'probabilities' } },
} as unknown as ModelMeta;

describe('forest votes on the 0.5 boundary: one label whatever the engine or thread count', () => {
  // Exact double sums: 10 x fround(1/20) = 0.50000000745 (class 1), 50 x fround(1/100) =
  // 0.49999998882 (class 0), 150 x fround(1/300) = 0.50000001211 (class 1).
  for (const [T, expected] of [[20, 1], [100, 0], [300, 1]] as const) {
    it(`${T} stumps`, async () => {
      const scorer = stumps(T);
      const X = Float32Array.from({ length: T + 1 }, (_, k) => k);
      const mine = Array.from(argmax(score(scorer, X, X.length), 2));
      expect(mine[T / 2]).toBe(expected);
      expect(mine.slice(0, T / 2)).toEqual(new Array(T / 2).fill(0));
      expect(mine.slice(T / 2 + 1)).toEqual(new Array(T / 2).fill(1));

      const bytes = toOnnx(scorer, { name: 'stumps', docString: '', producerVersion: '0' });
      for (const threads of [1, 2, 4, 8]) {
        const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads });
        const batch = await session.run({ input: new ort.Tensor('float32', X, [X.length, 1]) });
        expect(Array.from(batch.label!.data as BigInt64Array, Number)).toEqual(mine);
        // One row at a time is the case onnxruntime parallelises over trees.
        for (const k of [T / 2 - 1, T / 2, T / 2 + 1]) {
          const one = await session.run({ input: new ort.Tensor('float32', X.subarray(k, k + 1), [1, 1]) });
          expect([threads, k, Number((one.label!.data as BigInt64Array)[0])]).toEqual([threads, k, mine[k]]);
        }
        await session.release();
      }

      const ts = await compileOnnx(bytes, META);
      if (typeof ts === 'string') throw new Error(ts);
      expect(Array.from(ts.score(X, X.length).labels!)).toEqual(mine);
      // The serving scorer's probabilities are the exact double sums mlpipe's scorer computes.
      expect(ts.score(X.subarray(T / 2), 1).probabilities![1]).toBe(score(scorer, X.subarray(T / 2), 1)[1]);
    });
  }
});
