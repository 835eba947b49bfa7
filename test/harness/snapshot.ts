/**
 * The "GitHub" of the workflow e2e tests: a bare repository whose `main` holds this repository's
 * files as they are in the work tree (tracked files and untracked ones git does not ignore), and a
 * developer clone `dev` with it as `origin`. Registry tags and commits need an identity: GIT_ENV.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This repository's work tree. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'dev',
  GIT_AUTHOR_EMAIL: 'dev@mlpipe.invalid',
  GIT_COMMITTER_NAME: 'dev',
  GIT_COMMITTER_EMAIL: 'dev@mlpipe.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

export interface SnapshotOptions {
  /**
   * Commit the built dist/ too (force-added: it is ignored), so that the setup action skips its
   * build as it would on a release; like the node_modules link for `npm ci`, a cost the tests do
   * not repeat in every job.
   */
  dist?: boolean;
  /** Adds files to the snapshot before it is committed (e.g. a small demo project). */
  extra?: (dev: string) => void;
}

export function publishSnapshot(root: string, options: SnapshotOptions = {}): { origin: string; dev: string } {
  const origin = join(root, 'github.git');
  const dev = join(root, 'dev');
  git(root, 'init', '-q', '--bare', '-b', 'main', origin);
  mkdirSync(dev);
  git(dev, 'init', '-q', '-b', 'main');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(REPO, f)));
  for (const f of files) cpSync(join(REPO, f), join(dev, f));
  options.extra?.(dev);
  git(dev, 'add', '-A');
  if (options.dist) {
    cpSync(join(REPO, 'dist'), join(dev, 'dist'), { recursive: true });
    git(dev, 'add', '-f', 'dist');
  }
  git(dev, 'commit', '-q', '-m', 'snapshot');
  git(dev, 'remote', 'add', 'origin', origin);
  git(dev, 'push', '-q', 'origin', 'main');
  return { origin, dev };
}
