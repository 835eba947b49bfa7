import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from './cli.js';
import { type TempRepo, tempRepo } from './tree.js';

export const EXP_FIXTURE = new URL('../fixtures/dvc/experiments/', import.meta.url).pathname;
export const expFixture = (p: string) => readFileSync(join(EXP_FIXTURE, p), 'utf8');

/**
 * The fixture's train.py in JavaScript: the same metrics.json and model.txt bytes, so no Python is
 * needed. FAIL_WHEN_B makes it fail for that value of b; HANG_WHEN_B makes it wait (for queue kill).
 */
export const TRAIN_MJS = `import { readFileSync, writeFileSync } from 'node:fs';
const p = Object.fromEntries(readFileSync('params.yaml', 'utf8').trim().split('\\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
const loss = Math.round((1 / (p.a + p.b)) * 10000) / 10000;
if (process.env.HANG_WHEN_B && String(p.b) === process.env.HANG_WHEN_B) {
  writeFileSync(process.env.HANG_FLAG, 'started');
  await new Promise((resolve) => setTimeout(resolve, 600000));
}
writeFileSync('metrics.json', \`{"score": \${p.a * 10 + p.b}, "loss": \${loss}}\`);
writeFileSync('model.txt', \`a=\${p.a} b=\${p.b}\\n\`);
if (process.env.FAIL_WHEN_B && String(p.b) === process.env.FAIL_WHEN_B) {
  console.error('train.mjs: b=' + p.b + ' is not allowed');
  process.exit(3);
}
`;

/** Fixed commit times (DVC prints dates) and a wide terminal. */
export const at = (minute: number) => {
  const date = `2024-01-01T00:${String(minute).padStart(2, '0')}:00Z`;
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, TZ: 'UTC', COLUMNS: '200' };
};

export interface ExpRepo extends TempRepo {
  mlpipe(minute: number, ...args: string[]): Promise<CliResult>;
  /** `git add -A && git commit` at that minute. */
  commitAt(minute: number, message: string): void;
}

/** The fixture's input as a DVC repository whose stage runs `node train.mjs`, committed at 00:50 after repro. */
export async function expRepo(): Promise<ExpRepo> {
  const repo = tempRepo({
    '.dvc': { config: '', '.gitignore': '/config.local\n/tmp\n/cache\n' },
    '.dvcignore': expFixture('expected/.dvcignore'),
  });
  cpSync(join(EXP_FIXTURE, 'input'), repo.dir, { recursive: true });
  writeFileSync(join(repo.dir, 'dvc.yaml'), expFixture('input/dvc.yaml').replace('python3 train.py', 'node train.mjs'));
  writeFileSync(join(repo.dir, 'train.mjs'), TRAIN_MJS);
  const mlpipe = (minute: number, ...args: string[]) => runCli(args, { cwd: repo.dir, env: at(minute) });
  const commitAt = (minute: number, message: string) => {
    repo.git('add', '-A');
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', message], { cwd: repo.dir, env: { ...process.env, ...at(minute) } });
  };
  const r = await mlpipe(50, 'repro');
  if (r.code !== 0) throw new Error(`repro failed: ${r.stderr}`);
  commitAt(50, 'baseline');
  return { ...repo, mlpipe, commitAt };
}
