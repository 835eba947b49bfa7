import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeLockStage, parseLock, serializeLock } from '../../../src/pipeline/lockfile.js';
import { dumpYaml } from '../../../src/core/formats/yaml-write.js';
import { loadYaml, parseStructured } from '../../../src/pipeline/yaml-read.js';

const GOLDEN = readFileSync(new URL('../../fixtures/dvc/pipeline/expected/dvc.lock', import.meta.url), 'utf8');

describe('dvc.lock', () => {
  it('round-trips the golden file written by DVC 3.64 byte for byte', () => {
    expect(serializeLock(parseLock(GOLDEN))).toBe(GOLDEN);
  });

  it('parses the golden entries with Python value types', () => {
    const lock = parseLock(GOLDEN);
    expect([...lock.stages.keys()]).toEqual(['prepare', 'train']);
    const train = lock.stages.get('train')!;
    expect(train.cmd).toBe('sh train.sh');
    expect(train.deps[1]).toEqual({ path: 'train.sh', hash: 'md5', md5: '87da24b88b14fa59febf62f5370a0991', size: 165 });
    expect(train.params['params.yaml']).toEqual({ seed: 42n, train: { lr: 0.1, epochs: 10n, layers: [4n, 2n] } });
    expect(train.outs.map((o) => o.path)).toEqual(['loss.csv', 'metrics.json', 'model.bin']);
  });

  it('builds an entry in DVC order: sorted paths, params.yaml first, sorted keys', () => {
    const stage = makeLockStage({
      cmd: 'python train.py',
      deps: [
        { path: 'train.py', hash: 'md5', md5: 'd3b07384d113edec49eaa6238ad5ff00', size: 4 },
        { path: 'data', hash: 'md5', md5: '5ea40360f5b4ec688df672a4db9c17d1.dir', size: 6, nfiles: 2 },
      ],
      params: { 'b.yaml': { z: 1n, a: 'x' }, 'params.yaml': { 'train.epochs': 10n, lr: 0.001 } },
      outs: [{ path: 'model.pkl', hash: 'md5', md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3 }],
    });
    expect(serializeLock({ stages: new Map([['train', stage]]) })).toBe(
      `schema: '2.0'
stages:
  train:
    cmd: python train.py
    deps:
    - path: data
      hash: md5
      md5: 5ea40360f5b4ec688df672a4db9c17d1.dir
      size: 6
      nfiles: 2
    - path: train.py
      hash: md5
      md5: d3b07384d113edec49eaa6238ad5ff00
      size: 4
    params:
      params.yaml:
        lr: 0.001
        train.epochs: 10
      b.yaml:
        a: x
        z: 1
    outs:
    - path: model.pkl
      hash: md5
      md5: acbd18db4cc2f85cedef654fccc4a4d8
      size: 3
`,
    );
  });

  it('keeps legacy items without `hash` and unknown keys', () => {
    const text = `schema: '2.0'\nstages:\n  s:\n    cmd:\n    - echo a\n    - echo b\n    outs:\n    - path: foo\n      md5: acbd18db4cc2f85cedef654fccc4a4d8\n      size: 3\n      cloud:\n        r:\n          etag: x\n`;
    expect(serializeLock(parseLock(text))).toBe(text);
  });

  it('rejects a lock with another schema with E_CORRUPT', () => {
    expect(() => parseLock('schema: "1.0"\nstages: {}\n')).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }));
  });
});

describe('YAML emitter (ruamel.yaml round-trip dumper rules)', () => {
  it('quotes strings that would read back as other types', () => {
    expect(
      dumpYaml({ a: '2.0', b: '123', c: 'true', d: 'null', e: '', f: 'a: b', g: 'yes', h: '0123abc', i: '2024-01-02', j: "it's", k: "'q" }),
    ).toBe(`a: '2.0'\nb: '123'\nc: 'true'\nd: 'null'\ne: ''\nf: 'a: b'\ng: 'yes'\nh: 0123abc\ni: '2024-01-02'\nj: it's\nk: "'q"\n`);
  });

  it('writes Python floats by repr, ints, booleans, None and empty collections', () => {
    expect(dumpYaml({ a: 1, b: 0.1, c: 1e-5, d: 1e16, e: 3n, f: true, g: null, h: [], i: {}, j: Number.NaN })).toBe(
      'a: 1.0\nb: 0.1\nc: 1e-05\nd: 1e+16\ne: 3\nf: true\ng:\nh: []\ni: {}\nj: .nan\n',
    );
  });

  it('folds a long plain command at width 80 with the continuation indented', () => {
    const cmd = 'python src/train.py --input data/prepared/train.csv --output models/model.pkl --epochs 10 --lr 0.001';
    expect(dumpYaml({ stages: { train: { cmd } } })).toBe(
      'stages:\n  train:\n    cmd: python src/train.py --input data/prepared/train.csv --output models/model.pkl\n      --epochs 10 --lr 0.001\n',
    );
  });

  it('writes nested sequences and mappings in sequences', () => {
    expect(dumpYaml({ a: [[1n, 2n], { x: 1n, y: [3n] }], b: ['multi\nline'] })).toBe(
      // `y` is quoted: a YAML 1.1 reader takes it for a boolean (see core/formats/yaml-write.ts)
      "a:\n- - 1\n  - 2\n- x: 1\n  'y':\n  - 3\nb:\n- \"multi\\nline\"\n",
    );
  });
});

describe('YAML reader (ruamel.yaml typ="safe" types)', () => {
  it('keeps ints (bigint) and floats apart, YAML 1.2 booleans and strings, merge keys', () => {
    expect(loadYaml('a: 1\nb: 1.0\nc: 0x10\nd: yes\ne: 1_000\nf: -3\ng: .inf\nh: null\ni: 2024-01-02\nj: 1e3\nbase: &b {x: 1}\nk:\n  <<: *b\n  y: 2\n')).toEqual({
      a: 1n, b: 1, c: 16n, d: 'yes', e: 1000n, f: -3n, g: Number.POSITIVE_INFINITY, h: null, i: '2024-01-02', j: 1000, base: { x: 1n }, k: { x: 1n, y: 2n },
    });
  });

  it('reads JSON with ints and floats apart, the last of duplicate keys winning', () => {
    expect(parseStructured('{"a": 1, "b": 2.5, "a": 3, "c": [1.0]}', 'm.json')).toEqual({ a: 3n, b: 2.5, c: [1] });
    expect(parseStructured('a = 1\nb = 1.5\n[t]\nc = [1, 2]\n', 'p.toml')).toEqual({ a: 1n, b: 1.5, t: { c: [1n, 2n] } });
    expect(() => parseStructured('a: [', 'p.yaml')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
  });
});
