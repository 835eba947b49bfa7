import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { NA_VALUES } from '../../../src/data/na.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// #12.9: missing values as people write them (R's NA, pandas' defaults) are missing everywhere.

/** 240 rows; `x` is numeric with one missing-value token of each kind, `y` the label. */
function csv(): string {
  const tokens = ['NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '-NaN', '', 'n/a', '<NA>'];
  const lines = ['x,size,y'];
  for (let i = 0; i < 240; i++) {
    const x = i % 20 === 5 ? tokens[(i - 5) / 20]! : String((i * 7) % 50);
    lines.push(`${x},${['S', 'M', 'L'][i % 3]},${(i * 7) % 50 > 24 ? 'big' : 'small'}`);
  }
  return `${lines.join('\n')}\n`;
}

const dir = tempDir();
writeTree(dir, { 'data.csv': csv(), 'rows.csv': 'x,size\n3,S\nNA,M\n#N/A,L\n' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('missing-value tokens', () => {
  it('the default list is pandas 2.x STR_NA_VALUES (R\'s NA included)', () => {
    expect([...NA_VALUES].sort()).toEqual(
      ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'].sort(),
    );
  });

  it('schema infer and profile read them as missing in a numeric column', async () => {
    const inferred = await runCli(['schema', 'infer', 'data.csv', '-o', 'schema.yaml'], { cwd: dir });
    expect(inferred.code).toBe(0);
    const schema = parse(readFileSync(join(dir, 'schema.yaml'), 'utf8'));
    expect(schema.columns.x).toEqual({ type: 'int', nullable: true, min: 0, max: 49 });
    // The default list is not written out.
    expect(schema.csv.nullMarkers).toBeUndefined();
    const profiled = JSON.parse((await runCli(['--json', 'profile', 'data.csv'], { cwd: dir })).stdout);
    expect(profiled.columns[0]).toMatchObject({ name: 'x', type: 'int', count: 228, nulls: 12 });
    const valid = await runCli(['validate', 'data.csv', '--schema', 'schema.yaml'], { cwd: dir });
    expect(valid.code).toBe(0);
  });

  it('train keeps the column numeric (imputed), predict reads NA and #N/A as missing', async () => {
    const trained = await runCli(['--json', 'train', '-d', 'data.csv', '-t', 'y', '-o', 'model', '--set', 'algorithm=tree'], { cwd: dir });
    expect(trained.code).toBe(0);
    const model = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'));
    expect(model.inputSchema[0]).toEqual({ name: 'x', type: 'int', nullable: true });
    const predicted = await runCli(['predict', '--model', 'model', 'rows.csv'], { cwd: dir });
    expect(predicted.code).toBe(0);
    expect(predicted.stdout.trim().split('\n')).toHaveLength(4);
    const jsonl = await runCli(['predict', '--model', 'model', '-'], { cwd: dir, input: '{"x": "NA", "size": "S"}\n' });
    expect(jsonl.code).toBe(0);
  });

  it('--na-values replaces the list: with only empty cells missing, "NA" makes x text', async () => {
    const r = await runCli(['--json', 'schema', 'infer', 'data.csv', '--na-values', ''], { cwd: dir });
    expect(r.code).toBe(0);
    const { schema } = JSON.parse(r.stdout);
    expect(schema.columns.x.type).toBe('string');
    expect(schema.csv.nullMarkers).toEqual(['']);
    const custom = await runCli(['--json', 'profile', 'data.csv', '--na-values', 'NA,None'], { cwd: dir });
    // NaN, nan, null ... are then values: x is text, with NA, None and the empty cell missing.
    expect(JSON.parse(custom.stdout).columns[0]).toMatchObject({ type: 'string', nulls: 3 });
  });
});
