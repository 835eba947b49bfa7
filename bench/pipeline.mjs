// Issue 5: `mlpipe status` and a no-op `mlpipe repro` of a 20-stage pipeline whose stages depend on
// 10,000 tracked files (20 folders of 500 files), after one full run. Goal: well under a second.
// Baseline, run side by side on the same tree: `git status` (git stats the same 10,000 files,
// which are also committed to git for this purpose). Sizes: BENCH_FILES (default 10000),
// BENCH_STAGES (default 20), BENCH_RUNS (default 7).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, MLPIPE, compare } from './lib/harness.mjs';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const STAGES = Number(process.env.BENCH_STAGES ?? 20);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const dir = join(BENCH_DIR, 'work', 'pipeline');

function setup() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '.dvc'), { recursive: true });
  writeFileSync(join(dir, '.dvc', 'config'), '');
  writeFileSync(join(dir, '.dvc', '.gitignore'), '/config.local\n/tmp\n/cache\n');
  const perStage = Math.ceil(FILES / STAGES);
  const stages = [];
  for (let s = 1; s <= STAGES; s++) {
    const name = `s${String(s).padStart(2, '0')}`;
    const part = join(dir, 'data', name);
    mkdirSync(part, { recursive: true });
    for (let f = 0; f < perStage && (s - 1) * perStage + f < FILES; f++) writeFileSync(join(part, `f${f}.csv`), `id,value\n${s},${f}\n`);
    const prev = s > 1 ? `s${String(s - 1).padStart(2, '0')}` : undefined;
    stages.push(
      `  ${name}:\n    cmd: ls data/${name} | wc -l > out/${name}.txt${prev ? ` && cat out/${prev}.txt >> out/${name}.txt` : ''}\n` +
        `    deps:\n    - data/${name}\n${prev ? `    - out/${prev}.txt\n` : ''}    params:\n    - lr\n    outs:\n    - out/${name}.txt\n`,
    );
  }
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'params.yaml'), 'lr: 0.1\n');
  writeFileSync(join(dir, 'dvc.yaml'), `stages:\n${stages.join('')}`);
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '-qm', 'bench tree');
  execFileSync('node', [MLPIPE, 'repro', '-q'], { cwd: dir, stdio: 'pipe' });
  execFileSync('node', [MLPIPE, 'status'], { cwd: dir, stdio: 'pipe' }); // warm the state cache
}

setup();
compare({
  name: 'pipeline-status',
  description: `\`mlpipe status\` of a ${STAGES}-stage pipeline over ${FILES} files vs \`git status\` on the same tree`,
  runs,
  cwd: dir,
  subjects: { 'mlpipe status': ['node', MLPIPE, 'status'], 'git status': ['git', 'status', '--porcelain'] },
});
compare({
  name: 'pipeline-repro-noop',
  description: `no-op \`mlpipe repro\` of a ${STAGES}-stage pipeline over ${FILES} files vs \`git status\` on the same tree`,
  runs,
  cwd: dir,
  subjects: { 'mlpipe repro (no-op)': ['node', MLPIPE, 'repro'], 'git status': ['git', 'status', '--porcelain'] },
});
