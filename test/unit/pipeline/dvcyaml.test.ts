import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDvcYaml } from '../../../src/pipeline/dvcyaml.js';

const golden = (p: string) => readFileSync(new URL(`../../fixtures/dvc/pipeline/input/${p}`, import.meta.url), 'utf8');

function parse(text: string, files: Record<string, string> = {}, file = 'dvc.yaml') {
  return parseDvcYaml({ text, file, readFile: (p) => files[p] });
}

describe('dvc.yaml', () => {
  it('reads the golden pipeline: deps, params, outs with metric/plot flags', () => {
    const p = parse(golden('dvc.yaml'), { 'params.yaml': golden('params.yaml') });
    expect(p.stages.map((s) => s.name)).toEqual(['prepare', 'train']);
    const train = p.stages[1]!;
    expect(train.cmd).toBe('sh train.sh');
    expect(train.wdir).toBe('.');
    expect(train.deps).toEqual([
      { defPath: 'data/prepared.csv', path: 'data/prepared.csv' },
      { defPath: 'train.sh', path: 'train.sh' },
    ]);
    expect(train.params).toEqual([{ defPath: 'params.yaml', path: 'params.yaml', keys: ['train', 'seed'] }]);
    expect(train.outs).toEqual([
      { defPath: 'model.bin', path: 'model.bin', kind: 'out', cache: true, persist: false, push: true },
      { defPath: 'metrics.json', path: 'metrics.json', kind: 'metric', cache: false, persist: false, push: true },
      { defPath: 'loss.csv', path: 'loss.csv', kind: 'plot', cache: true, persist: false, push: true, plot: { x: 'step', y: 'loss' } },
    ]);
    expect(p.vars).toEqual({ prepare: { keep_rows: 3n }, train: { lr: 0.1, epochs: 10n, layers: [4n, 2n] }, seed: 42n });
  });

  it('interpolates ${} from params.yaml and vars (files with key selection and inline maps)', () => {
    const p = parse(
      `vars:
  - cfg.json:model
  - out_dir: models
stages:
  train:
    cmd: python train.py --lr \${train.lr} --layers \${model.layers[1]} --fast \${fast} --esc \\\${x}
    outs:
    - \${out_dir}/m.bin
    params:
    - train.lr
`,
      { 'params.yaml': 'train:\n  lr: 0.1\nfast: true\n', 'cfg.json': '{"model": {"layers": [8, 4]}, "other": 1}' },
    );
    expect(p.stages[0]!.cmd).toBe('python train.py --lr 0.1 --layers 4 --fast true --esc ${x}');
    expect(p.stages[0]!.outs[0]!.path).toBe('models/m.bin');
    expect(p.vars).toEqual({ train: { lr: 0.1 }, fast: true, model: { layers: [8n, 4n] }, out_dir: 'models' });
  });

  it('unpacks a dict into --flags inside cmd', () => {
    const p = parse('stages:\n  s:\n    cmd: run ${args}\n', { 'params.yaml': 'args:\n  lr: 0.5\n  v: true\n  q: false\n  name: a b\n  ids: [1, 2]\n' });
    expect(p.stages[0]!.cmd).toBe("run --lr 0.5 --v --name 'a b' --ids 1 2");
  });

  it('names foreach stages name@value for scalar lists, name@index for composite lists, name@key for dicts', () => {
    const p = parse(`stages:
  a:
    foreach: [us, 1.0, true]
    do:
      cmd: echo \${item}
  b:
    foreach:
    - {x: 1}
    - {x: 2}
    do:
      cmd: echo \${item.x}
  c:
    foreach:
      small: {n: 1}
      big: {n: 9}
    do:
      cmd: echo \${key} \${item.n}
      outs:
      - \${key}.txt
`);
    expect(p.stages.map((s) => [s.name, s.cmd])).toEqual([
      ['a@us', 'echo us'],
      ['a@1.0', 'echo 1.0'],
      ['a@true', 'echo true'],
      ['b@0', 'echo 1'],
      ['b@1', 'echo 2'],
      ['c@small', 'echo small 1'],
      ['c@big', 'echo big 9'],
    ]);
    expect(p.stages[6]!.outs[0]!.path).toBe('big.txt');
  });

  it('names matrix stages name@a-b, composite values as <key><index>, from ${} lists too', () => {
    const p = parse(
      `stages:
  m:
    matrix:
      model: [lr, tree]
      data: \${datasets}
      cfg: [{a: 1}]
    cmd: fit \${item.model} \${item.data} \${key}
`,
      { 'params.yaml': 'datasets: [d1, d2]\n' },
    );
    expect(p.stages.map((s) => s.name)).toEqual(['m@lr-d1-cfg0', 'm@lr-d2-cfg0', 'm@tree-d1-cfg0', 'm@tree-d2-cfg0']);
    expect(p.stages[1]!.cmd).toBe('fit lr d2 lr-d2-cfg0');
  });

  it('resolves paths against wdir and keeps the written path for dvc.lock', () => {
    const p = parse('stages:\n  s:\n    cmd: make\n    wdir: src\n    deps: [../data/x.csv, ./code.py]\n    params: [{../cfg.toml: }]\n', {}, 'dvc.yaml');
    const s = p.stages[0]!;
    expect(s.wdir).toBe('src');
    expect(s.deps).toEqual([
      { defPath: '../data/x.csv', path: 'data/x.csv' },
      { defPath: './code.py', path: 'src/code.py' },
    ]);
    expect(s.params).toEqual([{ defPath: '../cfg.toml', path: 'cfg.toml', keys: 'all' }]);
  });

  it('prefixes stages of a dvc.yaml in a sub-folder with its path', () => {
    const p = parse('stages:\n  s:\n    cmd: make\n    outs: [o]\n', {}, 'sub/dvc.yaml');
    expect(p.stages[0]!.name).toBe('sub/dvc.yaml:s');
    expect(p.stages[0]!.outs[0]!.path).toBe('sub/o');
  });

  it('fails with E_PIPELINE naming the file and stage', () => {
    expect(() => parse('stages:\n  train:\n    cmd: x\n    depz: [a]\n')).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: "dvc.yaml: stage 'train' has an unknown key 'depz'" }),
    );
    expect(() => parse('stages:\n  train:\n    deps: [a]\n')).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: "dvc.yaml: stage 'train' needs `cmd` (a string or a list of strings)" }),
    );
    expect(() => parse('stages:\n  t:\n    cmd: echo ${nope.x}\n')).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: "dvc.yaml, stage 't', cmd: could not find 'nope.x' to interpolate" }),
    );
    expect(() => parse('stages: [\n')).toThrow(expect.objectContaining({ code: 'E_PIPELINE' }));
    expect(() => parse('vars: [{a: 1}]\nstages: {}\n', { 'params.yaml': 'a: 2\n' })).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: "dvc.yaml, vars: cannot redefine 'a' from 'vars': it is already defined" }),
    );
  });

  it('refuses paths that leave the repository', () => {
    expect(() => parse('stages:\n  t:\n    cmd: x\n    outs: [../../etc/passwd]\n')).toThrow(
      expect.objectContaining({ code: 'E_OUTSIDE_REPO' }),
    );
    expect(() => parse('stages:\n  t:\n    cmd: x\n    deps: [/etc/passwd]\n')).toThrow(expect.objectContaining({ code: 'E_OUTSIDE_REPO' }));
  });
});
