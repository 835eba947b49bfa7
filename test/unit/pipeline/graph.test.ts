import { describe, expect, it } from 'vitest';
import { parseDvcYaml } from '../../../src/pipeline/dvcyaml.js';
import { buildGraph, renderDot, renderMermaid, renderText, topoOrder } from '../../../src/pipeline/graph.js';

const stagesOf = (text: string) => parseDvcYaml({ text, file: 'dvc.yaml', readFile: () => undefined }).stages;

const DIAMOND = `stages:
  evaluate:
    cmd: e
    deps: [model/m.bin, data/test]
    metrics: [metrics.json]
  train:
    cmd: t
    deps: [data/train/part1.csv]
    outs: [model]
  split:
    cmd: s
    deps: [raw]
    outs: [data/train, data/test]
  raw:
    cmd: r
    outs: [raw]
`;

describe('pipeline graph', () => {
  it('links stages by output paths equal to, containing or inside dep paths', () => {
    const g = buildGraph(stagesOf(DIAMOND));
    expect(Object.fromEntries(g.upstream)).toEqual({ evaluate: ['train', 'split'], train: ['split'], split: ['raw'], raw: [] });
  });

  it('orders targets dependencies first; -s runs only the target', () => {
    const g = buildGraph(stagesOf(DIAMOND));
    expect(topoOrder(g, ['evaluate'])).toEqual(['raw', 'split', 'train', 'evaluate']);
    expect(topoOrder(g, ['train'])).toEqual(['raw', 'split', 'train']);
    expect(topoOrder(g, ['train'], { single: true })).toEqual(['train']);
  });

  it('does not follow the upstream of a frozen stage', () => {
    const g = buildGraph(stagesOf(DIAMOND.replace('    cmd: t\n', '    cmd: t\n    frozen: true\n')));
    expect(topoOrder(g, ['evaluate'])).toEqual(['train', 'raw', 'split', 'evaluate']);
    expect(topoOrder(g, ['train'])).toEqual(['train']);
  });

  it('refuses cycles and duplicate or overlapping outputs with E_PIPELINE', () => {
    expect(() => buildGraph(stagesOf('stages:\n  a:\n    cmd: a\n    deps: [y]\n    outs: [x]\n  b:\n    cmd: b\n    deps: [x]\n    outs: [y]\n'))).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: 'the pipeline has a cycle: a -> b -> a' }),
    );
    expect(() => buildGraph(stagesOf('stages:\n  a:\n    cmd: a\n    outs: [x]\n  b:\n    cmd: b\n    outs: [x]\n'))).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: "output 'x' is written by two stages: 'a' and 'b'" }),
    );
    expect(() => buildGraph(stagesOf('stages:\n  a:\n    cmd: a\n    outs: [x]\n  b:\n    cmd: b\n    outs: [x/y]\n'))).toThrow(
      expect.objectContaining({ code: 'E_PIPELINE', message: "outputs overlap: 'x' of stage 'a' and 'x/y' of stage 'b'" }),
    );
  });

  it('renders mermaid and dot as dvc dag does', () => {
    const g = buildGraph(stagesOf(DIAMOND));
    const names = topoOrder(g, ['evaluate']);
    expect(renderMermaid(g, names)).toBe(
      'flowchart TD\n\tnode1["evaluate"]\n\tnode2["raw"]\n\tnode3["split"]\n\tnode4["train"]\n\tnode2-->node3\n\tnode3-->node1\n\tnode3-->node4\n\tnode4-->node1',
    );
    expect(renderDot(g, names)).toBe(
      'strict digraph  {\n"raw";\n"split";\n"train";\n"evaluate";\n"raw" -> "split";\n"split" -> "evaluate";\n"split" -> "train";\n"train" -> "evaluate";\n}',
    );
    expect(renderText(g, ['raw', 'split'])).toBe('+-----+\n| raw |\n+-----+\n    raw -> split\n        |\n        v\n+-------+\n| split |\n+-------+');
  });
});
