// Issue 4: push and pull of many files, mlpipe vs the plain tool doing the same copy:
//   - local folder remote: `mlpipe push` vs `cp -r` of the files; `mlpipe pull` (fetch + checkout into
//     an empty cache and workspace) vs `cp -r` back;
//   - git remote: `mlpipe push` (branch of a bare repo) vs `git add -A && git commit && git push` of the
//     same files; `mlpipe pull` in a fresh clone vs `git clone --depth 1` of that branch.
// Default: 1,000 files totalling 32 MiB (BENCH_REMOTE_FILES, BENCH_REMOTE_MIB), 3 runs (BENCH_RUNS),
// BENCH_REMOTE_GIT=0 to leave out the git remote,
// to stay near the 3-minute budget on a shared 2-core machine: git's own compression of the pushed
// pack dominates the git cases (both sides). The 1 GiB: BENCH_REMOTE_MIB=1024 (many minutes).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLPIPE, REPO_DIR, compare } from './lib/harness.mjs';

const FILES = Number(process.env.BENCH_REMOTE_FILES ?? 1000);
const MIB = Number(process.env.BENCH_REMOTE_MIB ?? 32);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const root = mkdtempSync(join(tmpdir(), 'mlpipe-bench-remote-'));
const env = {
  ...process.env,
  NO_COLOR: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@localhost',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@localhost',
};
const sh = (cmd, cwd = root) => execFileSync('sh', ['-c', cmd], { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
const mlpipe = (args, cwd) => execFileSync('node', [MLPIPE, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });

// The data: FILES files of pseudo-random bytes (incompressible, like real features/images).
const project = join(root, 'project');
const data = join(project, 'data');
mkdirSync(data, { recursive: true });
const size = Math.floor((MIB * 2 ** 20) / FILES);
for (let i = 0; i < FILES; i++) writeFileSync(join(data, `part-${String(i).padStart(5, '0')}.bin`), randomBytes(size));
sh('git init -q -b main && git remote add origin ../origin.git && git init -q --bare ../origin.git', project);
// init + add through the library (the CLI commands belong to the versioning issue).
const setup = `import { add, initRepo, openRepo } from ${JSON.stringify(join(REPO_DIR, 'dist', 'index.js'))};
initRepo({ cwd: process.cwd() }); const repo = openRepo(process.cwd()); await add(repo, { targets: ['data'] }); repo.close();`;
// (a script file, not `node -e`: the hashing workers would inherit `--input-type=module`)
writeFileSync(join(root, 'setup.mjs'), setup);
execFileSync('node', [join(root, 'setup.mjs')], { cwd: project, env, stdio: 'inherit' });
mlpipe(['remote', 'add', 'folder', '../folder-remote'], project);
mlpipe(['remote', 'add', 'git', 'git'], project);
console.log(`data: ${FILES} files, ${((size * FILES) / 2 ** 20).toFixed(0)} MiB in ${root}`);

const folder = join(root, 'folder-remote');
const cpDest = join(root, 'cp-remote');
const emptyLocal = () => sh(`chmod -R u+w .dvc/cache data 2>/dev/null; rm -rf .dvc/cache data`, project);

compare({
  name: 'remote-push-local',
  description: `push ${FILES} files / ${MIB} MiB to a local folder remote vs cp -r of the same files`,
  runs,
  env,
  cwd: project,
  subjects: {
    'mlpipe push -r folder': ['node', MLPIPE, 'push', '-r', 'folder'],
    'cp -r data': ['cp', '-r', data, cpDest],
  },
  before: () => sh(`chmod -R u+w "${folder}" "${cpDest}" 2>/dev/null; rm -rf "${folder}" "${cpDest}"`),
});

// The pull runs start from an empty cache and workspace; the folder remote and cp copy are in place.
mlpipe(['push', '-r', 'folder'], project);
sh(`cp -r "${data}" "${cpDest}"`);
compare({
  name: 'remote-pull-local',
  description: `pull ${FILES} files / ${MIB} MiB from a local folder remote (fetch + checkout) vs cp -r back`,
  runs,
  env,
  cwd: project,
  subjects: {
    'mlpipe pull -r folder': ['node', MLPIPE, 'pull', '-r', 'folder'],
    'cp -r back': ['cp', '-r', cpDest, join(root, 'cp-back')],
  },
  before: (n) => (n.startsWith('mlpipe') ? emptyLocal() : sh(`rm -rf "${join(root, 'cp-back')}"`)),
});
// (the last timed run was mlpipe's pull, so the project has its cache and data again)

// cache.type hardlink (DVC's option for large data): the checkout links each fetched object instead of
// copying it, so a pull writes the bytes once, as `cp -r` does. (config.local: nothing to undo in git)
mlpipe(['config', '--local', 'cache.type', 'hardlink'], project);
compare({
  name: 'remote-pull-local-hardlink',
  description: `pull ${FILES} files / ${MIB} MiB from a local folder remote with cache.type hardlink vs cp -r back`,
  runs,
  env,
  cwd: project,
  subjects: {
    'mlpipe pull -r folder (hardlink)': ['node', MLPIPE, 'pull', '-r', 'folder'],
    'cp -r back': ['cp', '-r', cpDest, join(root, 'cp-back')],
  },
  before: (n) => (n.startsWith('mlpipe') ? emptyLocal() : sh(`rm -rf "${join(root, 'cp-back')}"`)),
});
mlpipe(['config', '--local', '--unset', 'cache.type'], project);
emptyLocal();
mlpipe(['pull', '-r', 'folder'], project);
if (process.env.BENCH_REMOTE_GIT === '0') {
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

// git: the plain baseline commits the same files in a repo of its own and pushes them to a bare repo.
const resetGit = (n) => {
  if (n.startsWith('mlpipe')) sh(`rm -rf origin.git project/.dvc/tmp/git-remotes && git init -q --bare origin.git`);
  else sh(`rm -rf plain plain.git && git init -q --bare plain.git && git init -q -b main plain && cp -r "${data}" plain/data && git -C plain remote add origin ../plain.git`);
};
compare({
  name: 'remote-push-git',
  description: `push ${FILES} files / ${MIB} MiB to a git remote (bare repo) vs git add + commit + push of the same files`,
  runs,
  env,
  cwd: project,
  subjects: {
    'mlpipe push -r git': ['node', MLPIPE, 'push', '-r', 'git'],
    'git add/commit/push': ['sh', '-c', 'cd ../plain && git add -A && git commit -qm data && git push -q origin main'],
  },
  before: (n) => resetGit(n),
});

// Pull into a fresh state: empty cache, workspace and git work repository, vs a shallow clone.
mlpipe(['push', '-r', 'git'], project);
sh(`rm -rf plain plain.git && git init -q --bare plain.git && git init -q -b main plain && cp -r "${data}" plain/data && cd plain && git remote add origin ../plain.git && git add -A && git commit -qm data && git push -q origin main`);
compare({
  name: 'remote-pull-git',
  description: `pull ${FILES} files / ${MIB} MiB from a git remote into an empty cache vs git clone --depth 1`,
  runs,
  env,
  cwd: project,
  subjects: {
    'mlpipe pull -r git': ['node', MLPIPE, 'pull', '-r', 'git'],
    'git clone --depth 1': ['git', 'clone', '-q', '--depth', '1', '-b', 'main', `file://${join(root, 'plain.git')}`, join(root, 'clone')],
  },
  before: (n) => {
    if (!n.startsWith('mlpipe')) return sh('rm -rf clone');
    emptyLocal();
    sh('rm -rf .dvc/tmp/git-remotes', project);
  },
});
rmSync(root, { recursive: true, force: true });
