/**
 * Installing mlpipe without the npm registry holding it: `npm install git+file://CLONE` into an
 * empty project, as `npm install github:OWNER/mlpipe#TAG` does. npm clones the repository, installs
 * its dependencies and devDependencies there, runs `prepare` (the TypeScript build), packs the
 * `files` and installs that, so `dist/` exists without being committed. Dependencies come from the
 * npm registry (the one network this needs; the test takes a minute or two).
 *
 * onnxruntime-node's postinstall downloads CUDA libraries from NuGet on linux-x64 unless
 * ONNXRUNTIME_NODE_INSTALL=skip (or npm config onnxruntime-node-install=skip) is set; a package
 * cannot set that for its dependencies, so the setup action sets it and the README says so. This
 * test installs as the action does.
 *
 * Runs in CI and when MLPIPE_TEST_GIT_INSTALL=1: on this machine better-sqlite3 and fs-ext find no prebuilt
 * binaries (GitHub releases are out of reach) and compile from source, twice (in npm's clone for
 * `prepare`, and in the project), which took 192 s on two cores here; on a GitHub
 * runner the prebuilt binaries download and the install takes about a minute.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runProcess as run } from '../helpers/cli.js';
import { describeIf } from '../helpers/require.js';
import { tempDir } from '../helpers/tree.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

// Always in CI (MLPIPE_REQUIRE_ALL=1); on a developer's machine only when asked, since it takes minutes.
const WANTED = process.env.MLPIPE_TEST_GIT_INSTALL === '1' || process.env.MLPIPE_REQUIRE_ALL === '1';
describeIf(WANTED, 'MLPIPE_TEST_GIT_INSTALL=1 (a minutes-long npm install from a git URL; CI always runs it)', 'install from a git URL', () => {
  it('npm install git+file:// of this repository gives a working mlpipe (doctor passes)', async () => {
    const clone = join(tempDir('mlpipe-clone-'), 'mlpipe');
    execFileSync('git', ['clone', '-q', '--no-hardlinks', REPO, clone]);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const project = tempDir('mlpipe-user-');
    writeFileSync(join(project, 'package.json'), '{ "name": "user-project", "version": "1.0.0", "private": true }\n');
    const env: NodeJS.ProcessEnv = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false' };
    // Keep this process's npm settings (set by `npm test`) away from the user's install.
    for (const k of Object.keys(env)) if (k.startsWith('npm_') && k !== 'npm_config_audit' && k !== 'npm_config_fund' && k !== 'npm_config_cache') delete env[k];
    const install = await run('npm', ['install', `git+file://${clone}#${head}`], { cwd: project, env });
    expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
    const pkg = join(project, 'node_modules', 'mlpipe');
    expect(existsSync(join(pkg, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false); // only the package's `files`
    const doctor = await run(join(project, 'node_modules', '.bin', 'mlpipe'), ['doctor'], { cwd: project });
    expect(doctor.code, doctor.stderr).toBe(0);
    // component -> status, from the table under the header line
    const rows = Object.fromEntries(
      doctor.stdout
        .split('\n')
        .slice(1, 6)
        .map((l) => l.split(/\s+/).slice(0, 2)),
    );
    expect(rows).toEqual({ node: 'ok', git: 'ok', duckdb: 'ok', 'onnxruntime-node': 'ok', 'better-sqlite3': 'ok' });
  }, 1_200_000);
});
