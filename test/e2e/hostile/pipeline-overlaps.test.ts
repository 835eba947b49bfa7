import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { errorOf, useRepos } from './repos.js';

// Issue #12 item 2: an output that is also the stage's dependency, and outputs overlapping data a
// .dvc file tracks, are refused before anything is deleted or run.

const { initRepo } = useRepos();

describe('a stage whose output is its own dependency (issue #12 item 2)', () => {
  it('repro refuses it with DVC\'s message before deleting the file; dag refuses too; status still reports', async () => {
    const t = await initRepo({
      'a.txt': 'b\na\n',
      'dvc.yaml': 'stages:\n  same:\n    cmd: sort a.txt -o a.txt\n    deps:\n    - a.txt\n    outs:\n    - a.txt\n',
    });
    const r = await runCli(['--json', 'repro'], { cwd: t.dir });
    expect(r.code).toBe(11);
    expect(errorOf(r)).toMatchObject({ code: 'E_PIPELINE', message: 'Same item(s) are defined as both a dependency and an output in stage: same.' });
    expect(readFileSync(join(t.dir, 'a.txt'), 'utf8')).toBe('b\na\n');
    expect(existsSync(join(t.dir, 'dvc.lock'))).toBe(false);
    const human = await runCli(['repro'], { cwd: t.dir });
    expect(human.stderr).toContain('Same item(s) are defined as both a dependency and an output in stage: same.');
    expect(readFileSync(join(t.dir, 'a.txt'), 'utf8')).toBe('b\na\n');
    expect(errorOf(await runCli(['--json', 'dag'], { cwd: t.dir })).code).toBe('E_PIPELINE');
    expect((await runCli(['status'], { cwd: t.dir })).code).toBe(0);
  });
});

describe('outputs overlapping tracked data (issue #12 item 2)', () => {
  it('move into a tracked folder is E_CONFLICT and moves nothing', async () => {
    const t = await initRepo({ 'big.bin': 'big\n', d: { 'x.txt': 'x\n' } });
    expect((await runCli(['add', 'big.bin', 'd'], { cwd: t.dir })).code).toBe(0);
    const r = await runCli(['--json', 'move', 'big.bin', 'd/inside.bin'], { cwd: t.dir });
    expect(r.code).toBe(6);
    expect(errorOf(r)).toMatchObject({ code: 'E_CONFLICT', message: 'd/inside.bin overlaps d, which d.dvc already tracks' });
    expect(readFileSync(join(t.dir, 'big.bin'), 'utf8')).toBe('big\n');
    expect(existsSync(join(t.dir, 'big.bin.dvc'))).toBe(true);
    expect(readdirSync(join(t.dir, 'd'))).toEqual(['x.txt']);
  });

  it('a stage output inside a tracked folder is E_CONFLICT before the command runs or anything is deleted', async () => {
    const t = await initRepo({ d: { 'x.txt': 'x\n', 'gen.txt': 'tracked\n' } });
    expect((await runCli(['add', 'd'], { cwd: t.dir })).code).toBe(0);
    mkdirSync(join(t.dir, 'src'));
    writeFileSync(join(t.dir, 'dvc.yaml'), 'stages:\n  gen:\n    cmd: touch ran && echo new > d/gen.txt\n    outs:\n    - d/gen.txt\n');
    const r = await runCli(['--json', 'repro'], { cwd: t.dir });
    expect(r.code).toBe(6);
    expect(errorOf(r)).toMatchObject({ code: 'E_CONFLICT', message: "output 'd/gen.txt' of stage 'gen' overlaps 'd', which d.dvc tracks" });
    expect(existsSync(join(t.dir, 'ran'))).toBe(false);
    expect(readFileSync(join(t.dir, 'd/gen.txt'), 'utf8')).toBe('tracked\n');
  });
});
