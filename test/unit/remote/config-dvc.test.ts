import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tree.js';

// Golden case remote-configs (real DVC 3.64.0): every `dvc remote add/modify/rename/default` and
// `dvc config` command of its `commands` file is run as `mlpipe ...` in the same layout (repo at
// <TMP>/repo, HOME=<TMP>/home), and the files and printed lists must be DVC's, byte for byte.
const FIXTURE = new URL('../../fixtures/dvc/remote-configs/', import.meta.url);
const fixture = (rel: string) => readFileSync(new URL(rel, FIXTURE), 'utf8');

interface Step {
  args: string[];
  output: string;
  exit: number;
}

/** The `$ dvc ...` lines (single quotes as the shell reads them) with their output and exit status. */
function steps(text: string): Step[] {
  const out: Step[] = [];
  for (const block of text.split(/^\$ dvc /m).slice(1)) {
    const [command = '', ...rest] = block.split('\n');
    const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    const exitLine = rest.find((l) => /^\(exit \d+\)$/.test(l));
    const output = rest.filter((l) => l !== exitLine).join('\n').trimEnd();
    out.push({ args, output, exit: exitLine ? Number(/\d+/.exec(exitLine)?.[0]) : 0 });
  }
  return out;
}

function setup(): { tmp: string; root: string; env: NodeJS.ProcessEnv } {
  const tmp = tempDir('mlpipe-rc-');
  const root = join(tmp, 'repo');
  mkdirSync(join(tmp, 'home'), { recursive: true });
  execFileSync('git', ['init', '-q', root]);
  return { tmp, root, env: { HOME: join(tmp, 'home'), XDG_CONFIG_HOME: join(tmp, 'home', '.config'), DVC_SYSTEM_CONFIG_DIR: join(tmp, 'system') } };
}

async function replay(text: string, root: string, tmp: string, env: NodeJS.ProcessEnv): Promise<void> {
  for (const step of steps(text)) {
    const res = await runCli(step.args, { cwd: root, env });
    const where = `mlpipe ${step.args.join(' ')}: ${res.stderr}`;
    if (step.exit !== 0) {
      // DVC refuses these (exit 251, config error); mlpipe refuses them too, before writing anything.
      expect(res.code, where).not.toBe(0);
      continue;
    }
    expect(res.code, where).toBe(0);
    const printsLikeDvc = step.args[0] === 'config' || (step.args[0] === 'remote' && step.args[1] === 'default' && step.args.length === 2);
    if (printsLikeDvc) expect(res.stdout.trimEnd().replaceAll(tmp, '<TMP>'), where).toBe(step.output);
  }
}

describe('DVC config files for gs, azure, ssh, webdav, http and s3 remotes (golden remote-configs)', () => {
  it('writes .dvc/config and .dvc/config.local exactly as DVC, and lists them as `dvc config --list` does', async () => {
    const { tmp, root, env } = setup();
    expect((await runCli(['init'], { cwd: root, env })).code).toBe(0);
    await replay(fixture('commands'), root, tmp, env);
    expect(readFileSync(join(root, '.dvc', 'config'), 'utf8')).toBe(fixture('expected/.dvc/config'));
    // DVC's rename touches .dvc/config only, so config.local after the main case is the one the
    // rename-pitfall case starts from and leaves alone.
    expect(readFileSync(join(root, '.dvc', 'config.local'), 'utf8')).toBe(fixture('rename-pitfall/config.local'));
  }, 240_000);

  it('renames the --local part of a remote too, where DVC leaves it behind and breaks the config', async () => {
    const { root, env } = setup();
    expect((await runCli(['init'], { cwd: root, env })).code).toBe(0);
    await runCli(['remote', 'add', 'http', 'https://dvc.example.com/store'], { cwd: root, env });
    await runCli(['remote', 'modify', 'http', 'auth', 'basic'], { cwd: root, env });
    await runCli(['remote', 'modify', '--local', 'http', 'password', 'fake-http-password'], { cwd: root, env });
    await runCli(['remote', 'add', '-d', 'other', 'https://other.example.com/x'], { cwd: root, env });
    const res = await runCli(['remote', 'rename', 'http', 'web', '--json'], { cwd: root, env });
    expect(JSON.parse(res.stdout)).toEqual({ name: 'http', newName: 'web', files: ['.dvc/config', '.dvc/config.local'] });
    expect(readFileSync(join(root, '.dvc', 'config'), 'utf8')).toBe(
      "[core]\n    remote = other\n['remote \"other\"']\n    url = https://other.example.com/x\n['remote \"web\"']\n    url = https://dvc.example.com/store\n    auth = basic\n",
    );
    expect(readFileSync(join(root, '.dvc', 'config.local'), 'utf8')).toBe("['remote \"web\"']\n    password = fake-http-password\n");
    const taken = await runCli(['remote', 'rename', 'web', 'other'], { cwd: root, env });
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain("remote 'other' already exists");
  }, 120_000);

  it('gets, sets, unsets and lists core and cache options per level', async () => {
    const { tmp, root, env } = setup();
    expect((await runCli(['init'], { cwd: root, env })).code).toBe(0);
    const cli = (...args: string[]) => runCli(args, { cwd: root, env });
    expect((await cli('config', 'cache.type', 'hardlink,symlink')).code).toBe(0);
    expect((await cli('config', '--global', 'core.analytics', 'false')).code).toBe(0);
    expect((await cli('config', '--local', 'cache.dir', '../big-cache')).code).toBe(0);
    expect((await cli('config', 'cache.type')).stdout).toBe('hardlink,symlink\n');
    expect(readFileSync(join(root, '.dvc', 'config.local'), 'utf8')).toBe('[cache]\n    dir = ../../big-cache\n');
    expect(readFileSync(join(tmp, 'home', '.config', 'dvc', 'config'), 'utf8')).toBe('[core]\n    analytics = false\n');
    expect((await cli('config', '--list', '--show-origin')).stdout).toBe(
      `${join(tmp, 'home', '.config', 'dvc', 'config')}\tcore.analytics=false\n.dvc/config\tcache.type=hardlink,symlink\n.dvc/config.local\tcache.dir=${join(tmp, 'big-cache')}\n`,
    );
    const bad = await cli('config', 'core.autostage', 'maybe');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('core.autostage must be true or false');
    expect((await cli('config', 'core.nope', '1')).code).toBe(3);
    expect((await cli('config', '--unset', 'cache.type')).code).toBe(0);
    const gone = await cli('config', 'cache.type');
    expect(gone.code).toBe(4);
    expect(gone.stderr).toContain("option 'cache.type' is not set");
  }, 120_000);
});
