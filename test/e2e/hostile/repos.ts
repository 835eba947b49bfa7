import type { ChildProcess } from 'node:child_process';
import { afterEach, expect } from 'vitest';
import { type CliResult, runCli } from '../../helpers/cli.js';
import { type TempRepo, type Tree, tempRepo, writeTree } from '../../helpers/tree.js';

/**
 * Temp repos (git + `mlpipe init`) and child processes of one test file, removed or killed after
 * each test. Call once at the top level of the file.
 */
export function useRepos(): { initRepo(tree?: Tree): Promise<TempRepo>; children: ChildProcess[] } {
  const repos: TempRepo[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const r of repos.splice(0)) r.cleanup();
  });
  return {
    children,
    /** A git repo after `mlpipe init` (committed), then `tree` written and left untracked. */
    async initRepo(tree = {}) {
      const t = tempRepo();
      repos.push(t);
      expect((await runCli(['init'], { cwd: t.dir })).code).toBe(0);
      t.commit('init');
      writeTree(t.dir, tree);
      return t;
    },
  };
}

/** The `error` object of a `--json` run that failed. */
export function errorOf(r: CliResult): { code: string; message: string; hint?: string } {
  return JSON.parse(r.stdout).error;
}
