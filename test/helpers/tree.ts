import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A file tree described inline: a string or Buffer is a file's content, an object is a folder
 * (an empty object is an empty folder).
 */
export interface Tree {
  [name: string]: string | Buffer | Tree;
}

/** Writes `tree` under `root` (creating folders as needed). */
export function writeTree(root: string, tree: Tree): void {
  for (const [name, value] of Object.entries(tree)) {
    const path = join(root, name);
    if (typeof value === 'string' || Buffer.isBuffer(value)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, value);
    } else {
      mkdirSync(path, { recursive: true });
      writeTree(path, value);
    }
  }
}

/** A fresh temporary folder (real path, so comparisons with resolved paths hold). */
export function tempDir(prefix = 'mlpipe-test-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export interface TempRepo {
  dir: string;
  /** Runs git in the repo and returns its stdout. */
  git(...args: string[]): string;
  /** `git add -A && git commit -m message`. */
  commit(message: string): void;
  cleanup(): void;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'mlpipe test',
  GIT_AUTHOR_EMAIL: 'test@mlpipe.invalid',
  GIT_COMMITTER_NAME: 'mlpipe test',
  GIT_COMMITTER_EMAIL: 'test@mlpipe.invalid',
};

/** A temp folder with `tree` written into it; with `git: true` (default) it is a git repo with one commit. */
export function tempRepo(tree: Tree = {}, options: { git?: boolean } = {}): TempRepo {
  const dir = tempDir();
  writeTree(dir, tree);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
  if (options.git !== false) {
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', 'initial');
  }
  return {
    dir,
    git,
    commit(message) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
