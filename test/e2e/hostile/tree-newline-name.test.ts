import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { useRepos } from './repos.js';

// Issue #12 item 6: git's ignore files have no escape for a line break, so `/a\nb.txt` would become
// two patterns (`/a` and `b.txt`, the second ignoring every b.txt in the tree). Such names are refused.

const { initRepo } = useRepos();
const setup = () => initRepo({ '.gitignore': '/keep\n' });

describe('a name with a line break (issue #12 item 6)', () => {
  it('add refuses it with E_BAD_INPUT and leaves .gitignore, .dvc files and the cache as they were', async () => {
    const t = await setup();
    writeFileSync(join(t.dir, 'a\nb.txt'), 'data\n');
    const r = await runCli(['--json', 'add', 'a\nb.txt'], { cwd: t.dir });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'E_BAD_INPUT',
      message: '"a\\nb.txt" has a line break in its name, which .gitignore cannot express',
    });
    expect(readFileSync(join(t.dir, '.gitignore'), 'latin1')).toBe('/keep\n');
    expect(readdirSync(t.dir).filter((n) => n !== '.dvc' && n.endsWith('.dvc'))).toEqual([]);
    expect(existsSync(join(t.dir, '.dvc/cache/files'))).toBe(false);
    writeFileSync(join(t.dir, 'x\rb.txt'), 'data\n');
    const cr = await runCli(['--json', 'add', 'x\rb.txt'], { cwd: t.dir });
    expect(JSON.parse(cr.stdout).error.code).toBe('E_BAD_INPUT');
    expect(readFileSync(join(t.dir, '.gitignore'), 'latin1')).toBe('/keep\n');
  });

  it('move to such a name is refused before anything moves', async () => {
    const t = await setup();
    writeFileSync(join(t.dir, 'ok.txt'), 'ok\n');
    expect((await runCli(['add', 'ok.txt'], { cwd: t.dir })).code).toBe(0);
    const before = readFileSync(join(t.dir, '.gitignore'), 'latin1');
    expect(before).toBe('/keep\n/ok.txt\n');
    const r = await runCli(['--json', 'move', 'ok.txt', 'o\nk.txt'], { cwd: t.dir });
    expect(JSON.parse(r.stdout).error.code).toBe('E_BAD_INPUT');
    expect(readFileSync(join(t.dir, '.gitignore'), 'latin1')).toBe(before);
    expect(readFileSync(join(t.dir, 'ok.txt'), 'utf8')).toBe('ok\n');
  });

  it('inside a tracked folder it is fine: the manifest is JSON and .gitignore names only the folder', async () => {
    const t = await setup();
    mkdirSync(join(t.dir, 'd'));
    writeFileSync(join(t.dir, 'd/a\nb.txt'), 'data\n');
    const r = await runCli(['--json', 'add', 'd'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(t.dir, '.gitignore'), 'latin1')).toBe('/keep\n/d\n');
  });
});
