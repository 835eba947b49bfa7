import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeApp } from '../../src/serve/app.js';
import { loadModel } from '../../src/model/load.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tree.js';

// A model trained by `mlpipe train` serves: both scoring engines agree on it, and the server and
// `mlpipe predict` answer with the same labels.

let root: string;
beforeAll(() => {
  root = tempDir();
  const rows = ['age,plan,income,churn'];
  for (let i = 0; i < 300; i++) {
    const age = 18 + ((i * 37) % 60);
    const plan = ['free', 'pro', 'team'][i % 3]!;
    const income = 20 + ((i * 53) % 80);
    rows.push(`${age},${plan},${income},${(age > 50) !== (plan === 'free') ? 'yes' : 'no'}`);
  }
  writeFileSync(join(root, 'train.csv'), `${rows.join('\n')}\n`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ROWS = { age: [25, 60, 40, 70], plan: ['free', 'pro', 'team', 'free'], income: [30, 70, 55, 61] };

describe('serving a model trained by mlpipe train', () => {
  for (const algorithm of ['hgb', 'random_forest', 'logistic']) {
    it(`${algorithm}: onnxruntime and the TypeScript scorer agree, and the server scores it`, async () => {
      const out = join(root, algorithm);
      const trained = await runCli(['train', '--data', 'train.csv', '--target', 'churn', '--out', out, '--set', `algorithm=${algorithm}`], { cwd: root });
      expect(trained.code, trained.stderr).toBe(0);
      const onnx = await loadModel(out, { engine: 'onnx' });
      const ts = await loadModel(out, { engine: 'ts' });
      const a = await onnx.predict(ROWS, 4);
      const b = await ts.predict(ROWS, 4);
      expect(b.labels).toEqual(a.labels);
      Array.from(a.probabilities!).forEach((p, i) => {
        expect(b.probabilities![i]).toBeCloseTo(p, 5);
      });
      // The rule the data follows, churn when (age > 50) xor (plan is free), is one trees learn;
      // a linear model cannot, so only the agreement is checked there.
      if (algorithm !== 'logistic') expect(a.labels).toEqual(['yes', 'yes', 'no', 'no']);
      const app = new ServeApp({ load: () => loadModel(out), name: algorithm, serverVersion: '1' });
      await app.start();
      const res = await app.handle({
        method: 'POST',
        url: '/invocations',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: ROWS }),
      });
      // The server (TypeScript scorer for 4 rows) answers what onnxruntime computed, and so does
      // the batch command.
      expect(res.body).toBe(JSON.stringify({ predictions: a.labels }));
      const lines = ROWS.age.map((age, i) => JSON.stringify({ age, plan: ROWS.plan[i], income: ROWS.income[i] })).join('\n');
      const batch = await runCli(['predict', '--model', out, '-'], { input: lines });
      expect(batch.stdout).toBe(a.labels!.map((l) => `{"prediction":"${l}"}\n`).join(''));
    });
  }
});

describe('a trained model whose model.onnx was changed afterwards', () => {
  it('is refused by predict, evaluate and serve with E_MODEL (exit 14), naming the file', async () => {
    const out = join(root, 'checked');
    const trained = await runCli(['train', '--data', 'train.csv', '--target', 'churn', '--out', out, '--set', 'algorithm=random_forest', '--set', 'n_estimators=5'], { cwd: root });
    expect(trained.code, trained.stderr).toBe(0);
    const file = join(out, 'model.onnx');
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(meta.onnx.sha256).toBe(sha256);
    expect(meta.version).toBe(sha256.slice(0, 12));
    // Before: it scores. After one flipped bit in a leaf weight: every command refuses it.
    expect((await runCli(['predict', '--model', out, '-'], { input: '{"age": 60, "plan": "pro", "income": 70}' })).code).toBe(0);
    // A model.json from before the checksum: scored, with a warning on stderr.
    const { sha256: _, ...older } = meta.onnx;
    writeFileSync(join(out, 'model.json'), JSON.stringify({ ...meta, onnx: older }));
    const old = await runCli(['predict', '--model', out, '-'], { input: '{"age": 60, "plan": "pro", "income": 70}' });
    expect([old.code, old.stderr]).toEqual([0, `warning: model.json records no sha256 for model.onnx (a model trained before mlpipe checked it): ${file} is loaded unverified; train it again to record one\n`]);
    writeFileSync(join(out, 'model.json'), JSON.stringify(meta));
    const bytes = readFileSync(file);
    bytes[bytes.length - 40]! ^= 0x01;
    writeFileSync(file, bytes);
    const message = `${file} does not match model.json: the file was changed or damaged after training`;
    const predicted = await runCli(['predict', '--model', out, '-', '--json'], { input: '{"age": 60, "plan": "pro", "income": 70}' });
    expect(predicted.code).toBe(14);
    expect(JSON.parse(predicted.stdout)).toMatchObject({ error: { code: 'E_MODEL', message } });
    const evaluated = await runCli(['evaluate', '--model', out, '--data', 'train.csv'], { cwd: root });
    expect(evaluated.code).toBe(14);
    expect(evaluated.stderr).toContain(message);
    const served = await runCli(['serve', '--model', out, '--port', '0'], { cwd: root });
    expect(served.code).toBe(14);
    expect(served.stderr + served.stdout).toContain(message);
  });
});
