import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeOnnx } from '../../helpers/onnx-fixtures.mjs';
import { describeIf, pythonHas } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';

// The serving fixtures are written in JavaScript (no Python on a bare machine); where the reference
// `onnx` package is installed, it checks them and reads them back as it would a skl2onnx export.
const READ = [
  'import json, sys, onnx',
  'from onnx import helper',
  'm = onnx.load(sys.argv[1])',
  'onnx.checker.check_model(m, full_check=True)',
  'n = m.graph.node[0]',
  'def val(a):',
  '    v = helper.get_attribute_value(a)',
  '    if isinstance(v, bytes): return v.decode()',
  '    if isinstance(v, list): return [x.decode() if isinstance(x, bytes) else x for x in v]',
  '    return v',
  'print(json.dumps({"op": n.op_type, "domain": n.domain, "opsets": {o.domain: o.version for o in m.opset_import},',
  '  "inputs": [[d.dim_value for d in i.type.tensor_type.shape.dim] for i in m.graph.input],',
  '  "attrs": {a.name: val(a) for a in n.attribute}}))',
].join('\n');

describeIf(pythonHas('onnx'), 'python3 with the onnx package', 'ONNX fixtures accepted by the reference onnx checker', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (file: string) => JSON.parse(execFileSync('/usr/bin/python3', ['-c', READ, file], { encoding: 'utf8' }));

  it('tree: the hand-written regressor, attribute by attribute', () => {
    makeOnnx('tree', join(dir, 'tree.onnx'));
    const m = read(join(dir, 'tree.onnx'));
    expect([m.op, m.domain, m.opsets, m.inputs]).toEqual(['TreeEnsembleRegressor', 'ai.onnx.ml', { '': 17, 'ai.onnx.ml': 3 }, [[0, 3]]]);
    expect(m.attrs).toMatchObject({
      aggregate_function: 'SUM',
      n_targets: 1,
      nodes_featureids: [0, 1, 0, 0, 0, 2, 0, 0],
      nodes_values: [1.5, 10, 0, 0, 0, 0.5, 0, 0],
      nodes_modes: ['BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF'],
      target_weights: [3, 1, 2, 10, 20],
    });
  });

  it('linear, boosting and forest pass onnx.checker with the expected operators', () => {
    makeOnnx('linear', join(dir, 'linear.onnx'));
    makeOnnx('boosting', join(dir, 'boosting.onnx'), 5, 3, 4);
    makeOnnx('forest', join(dir, 'forest.onnx'), 5, 3, 4);
    const linear = read(join(dir, 'linear.onnx'));
    expect([linear.op, linear.attrs.post_transform, linear.attrs.classlabels_ints, linear.attrs.intercepts.map((x: number) => Math.fround(x))]).toEqual([
      'LinearClassifier',
      'SOFTMAX',
      [0, 1, 2],
      [Math.fround(0.1), Math.fround(-0.1), 0],
    ]);
    const boosting = read(join(dir, 'boosting.onnx'));
    expect([boosting.op, boosting.attrs.post_transform, boosting.attrs.nodes_modes.length, boosting.attrs.class_weights.length]).toEqual(['TreeEnsembleClassifier', 'LOGISTIC', 5 * 15, 5 * 8]);
    const forest = read(join(dir, 'forest.onnx'));
    expect(forest.attrs.post_transform).toBe('NONE');
    expect(forest.attrs.class_weights.every((w: number) => w >= 0 && w < 0.2)).toBe(true);
  });
});
