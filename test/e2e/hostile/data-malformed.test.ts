import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../../helpers/cli.js';
import { tempDir, writeTree } from '../../helpers/tree.js';

// #12.12-14: malformed files, bad values at predict time, huge regression targets. Every message is
// checked for SQL text: mlpipe names the file, the column and the row, never the query it built.

const SQL = /\b(SELECT|read_csv|read_parquet|TRY_CAST|count_if|struct_pack)\b|FROM \(/;
const seen: CliResult[] = [];
const cli = async (args: string[], input?: string, json = true) => {
  const r = await runCli([...(json ? ['--json'] : []), ...args], { cwd: dir, ...(input === undefined ? {} : { input }) });
  seen.push(r);
  return r;
};
const errorOf = (r: CliResult) => JSON.parse(r.stdout || r.stderr).error as { code: string; message: string; data?: Record<string, unknown> };

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const dir = tempDir();
writeTree(dir, {
  'dup.csv': 'a,a,b\n1,2,3\n4,5,6\n',
  'header-only.csv': 'name,age,city\n',
  'nul.csv': 'a,b\n1,2\n3,\u00004\n',
  'train.csv': `a,b,y\n${rows(60, (i) => `${i % 10},${(i * 3) % 7},${i % 10 > 4 ? 'hi' : 'lo'}`)}\n`,
  'bad-row.csv': `a,b\n${rows(30, (i) => (i === 16 ? 'abc,2' : `${i % 10},1`))}\n`,
  'huge.csv': `x,target\n${rows(50, (i) => `${i},${i % 2 ? '1.5e308' : '-1.2e308'}`)}\n`,
});
writeFileSync(join(dir, 'gz.csv'), gzipSync('a,b\n1,2\n'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('malformed files get coded errors or self-consistent results', () => {
  it('duplicate header names are refused, naming them (not silently read as headerless)', async () => {
    for (const cmd of [['schema', 'infer'], ['profile']]) {
      const r = await cli([...cmd, 'dup.csv']);
      expect(r.code).toBe(3);
      expect(errorOf(r)).toMatchObject({ code: 'E_BAD_INPUT', message: `the header of ${join(dir, 'dup.csv')} repeats column name "a"` });
    }
  });

  it('a header-only CSV yields a schema that accepts it', async () => {
    const r = await cli(['schema', 'infer', 'header-only.csv', '-o', 'header-only.yaml']);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'header-only.yaml'), 'utf8');
    expect(text).not.toContain('allowed');
    const v = await cli(['validate', 'header-only.csv', '--schema', 'header-only.yaml']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, rows: 0 });
  });

  it('a NUL byte and gzip data named .csv are E_BAD_INPUT saying what the file is', async () => {
    const nul = await cli(['profile', 'nul.csv']);
    expect(errorOf(nul)).toMatchObject({ code: 'E_BAD_INPUT', message: `${join(dir, 'nul.csv')} is not a text file: a NUL byte at line 3 (byte 10)` });
    const gz = await cli(['schema', 'infer', 'gz.csv']);
    expect(errorOf(gz)).toMatchObject({ code: 'E_BAD_INPUT', message: `${join(dir, 'gz.csv')} holds gzip-compressed data but its name does not end in .gz` });
    writeFileSync(join(dir, 's.yaml'), 'version: 1\ncolumns:\n  a: {type: int}\n  b: {type: int}\n');
    const v = await cli(['validate', 'nul.csv', '--schema', 's.yaml']);
    expect(errorOf(v).code).toBe('E_BAD_INPUT');
  });
});

describe('predict on a value that does not parse', () => {
  it('is E_BAD_INPUT naming the column and the row (from 1), with nothing on stdout and no -o file', async () => {
    expect((await cli(['train', '-d', 'train.csv', '-t', 'y', '-o', 'model', '--set', 'algorithm=tree'])).code).toBe(0);
    const plain = await cli(['predict', '--model', 'model', 'bad-row.csv'], undefined, false);
    expect(plain.code).toBe(3);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('error [E_BAD_INPUT]: column "a", row 17: expected a number, got "abc"');
    const r = await cli(['predict', '--model', 'model', 'bad-row.csv']);
    expect(errorOf(r)).toMatchObject({
      code: 'E_BAD_INPUT',
      message: 'column "a", row 17: expected a number, got "abc"',
      data: { column: 'a', row: 17, value: 'abc' },
    });
    writeFileSync(join(dir, 'old-preds.csv'), 'kept\n');
    const o = await cli(['predict', '--model', 'model', 'bad-row.csv', '-o', 'old-preds.csv']);
    expect(o.code).toBe(3);
    expect(readFileSync(join(dir, 'old-preds.csv'), 'utf8')).toBe('kept\n');
    const n = await cli(['predict', '--model', 'model', 'bad-row.csv', '-o', 'new-preds.csv']);
    expect(n.code).toBe(3);
    expect(existsSync(join(dir, 'new-preds.csv'))).toBe(false);
  });

  it('JSON Lines rows count from 1 too', async () => {
    const r = await cli(['predict', '--model', 'model', '-'], '{"a": 1, "b": 2}\n{"a": "x", "b": 2}\n', false);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('error [E_BAD_INPUT]: invalid input: column "a", row 2: expected an integer, got "x"');
  });
});

describe('a regression target near 1e308', () => {
  it('is refused before training, not fitted into NaN metrics', async () => {
    const r = await cli(['train', '-d', 'huge.csv', '-t', 'target', '-o', 'huge-model', '--set', 'task=regression']);
    expect(r.code).toBe(3);
    expect(errorOf(r)).toMatchObject({ code: 'E_BAD_INPUT', data: { reason: 'target-range', column: 'target', maxAbs: 1.5e308 } });
    expect(existsSync(join(dir, 'huge-model'))).toBe(false);
  });
});

describe('no message carries SQL', () => {
  it('scans every message above', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const r of seen) {
      expect(r.stdout).not.toMatch(SQL);
      expect(r.stderr).not.toMatch(SQL);
    }
  });
});
