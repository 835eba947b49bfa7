import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOverrides, parseOverride } from '../../../src/pipeline/exp/overrides.js';
import { listExperiments, saveExperiment } from '../../../src/pipeline/exp/refs.js';
import { runCommand, shellArgv } from '../../../src/pipeline/run-command.js';
import { tempDir, tempRepo } from '../../helpers/tree.js';

describe('exp run -S overrides', () => {
  it('parses [file:]key=value with YAML-typed values', () => {
    expect(parseOverride('train.lr=0.2')).toEqual({ file: 'params.yaml', key: 'train.lr', text: '0.2', value: 0.2 });
    expect(parseOverride('cfg.yaml:layers=[8, 4]')).toMatchObject({ file: 'cfg.yaml', key: 'layers', value: [8, 4] });
    expect(parseOverride('name=a=b')).toMatchObject({ key: 'name', value: 'a=b' });
    expect(() => parseOverride('novalue')).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });

  it('edits the workspace params file keeping comments and layout, creating missing keys', () => {
    const repo = tempRepo({ 'params.yaml': '# training\ntrain:\n  lr: 0.1  # learning rate\n  layers: [4, 2]\n' });
    applyOverrides(repo.dir, [parseOverride('train.lr=0.2'), parseOverride('train.new.depth=3')]);
    expect(readFileSync(join(repo.dir, 'params.yaml'), 'utf8')).toBe(
      '# training\ntrain:\n  lr: 0.2 # learning rate\n  layers: [4, 2]\n  new:\n    depth: 3\n',
    );
    repo.cleanup();
  });
});

describe('experiment refs', () => {
  const repo = tempRepo({ 'params.yaml': 'lr: 0.1\n', '.gitignore': '/data\n', data: { 'big.bin': 'x' } });
  afterAll(() => repo.cleanup());

  it('commits the workspace under refs/exps/<baseline> without moving HEAD or touching the index', () => {
    const baseline = repo.git('rev-parse', 'HEAD').trim();
    const index = repo.git('ls-files', '--stage');
    writeFileSync(join(repo.dir, 'params.yaml'), 'lr: 0.5\n');
    const exp = saveExperiment(repo.dir, 'try', 'mlpipe exp run try');
    expect(exp.ref).toBe(`refs/exps/${baseline.slice(0, 2)}/${baseline.slice(2)}/try`);
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(baseline);
    expect(repo.git('ls-files', '--stage')).toBe(index);
    expect(repo.git('show', `${exp.commit}:params.yaml`)).toBe('lr: 0.5\n');
    expect(repo.git('ls-tree', '-r', '--name-only', exp.commit).split('\n').filter(Boolean)).toEqual(['.gitignore', 'params.yaml']);
    expect(listExperiments(repo.dir, baseline).map((e) => [e.name, e.baseline, e.commit])).toEqual([['try', baseline, exp.commit]]);
    expect(() => saveExperiment(repo.dir, 'try', 'again')).toThrow(expect.objectContaining({ code: 'E_CONFLICT' }));
  });

  it('commits on a machine where git knows no identity (a fresh CI runner), as mlpipe <mlpipe@localhost>', () => {
    const saved = { ...process.env };
    const home = tempDir('mlpipe-nohome-');
    try {
      // No global config, no GIT_* identity, and git must not guess one from the host name.
      for (const k of Object.keys(process.env)) if (k.startsWith('GIT_')) delete process.env[k];
      Object.assign(process.env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', EMAIL: '' });
      process.env.GIT_CONFIG_GLOBAL = join(home, 'none');
      writeFileSync(join(repo.dir, 'params.yaml'), 'lr: 0.7\n');
      const exp = saveExperiment(repo.dir, 'no-identity', 'mlpipe exp run no-identity');
      expect(repo.git('show', '-s', '--format=%an <%ae>|%cn <%ce>', exp.commit).trim()).toBe('mlpipe <mlpipe@localhost>|mlpipe <mlpipe@localhost>');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('stage commands run under the shell as DVC does', () => {
  it('uses $SHELL with its no-rc flags, /bin/sh by default', () => {
    expect(shellArgv({ SHELL: '/bin/bash' })).toEqual(['/bin/bash', '--noprofile', '--norc']);
    expect(shellArgv({ SHELL: '/usr/bin/zsh' })).toEqual(['/usr/bin/zsh', '--no-rcs']);
    expect(shellArgv({})).toEqual(['/bin/sh']);
  });

  it('runs in the working folder with DVC_ROOT and DVC_STAGE set, and returns the exit code', async () => {
    const repo = tempRepo({ sub: { 'x.txt': '' } }, { git: false });
    const line = 'test "$(pwd)" = "$DVC_ROOT/sub" && test "$DVC_STAGE" = train@1 && exit 7';
    expect(await runCommand({ line, cwd: join(repo.dir, 'sub'), root: repo.dir, stage: 'train@1', stdoutToStderr: true })).toBe(7);
    repo.cleanup();
  });
});
