import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { parseDvcFile, serializeNewDvcFile, serializeUpdatedDvcFile } from '../formats/dvcfile.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { ProgressReporter } from '../progress.js';
import { isGitTracked } from './git.js';
import { ignoreOutput } from './gitignore-file.js';
import { commitPath } from './hash-path.js';
import type { Repo } from './open.js';
import { resolveInRepo, toRepoPath } from './paths.js';
import { assertConfined, assertIgnorableName } from './safe-path.js';
import { rejectOverlaps } from './overlaps.js';
import { relinkOutput } from './relink.js';

/**
 * `mlpipe add PATH...` (§3.1, §3.7): stores each file or directory in the cache, writes
 * `PATH.dvc` next to it and the `.gitignore` entry, all under the repo lock. Order matters for
 * interruption: objects first (each atomic), then the `.dvc` file (atomic), then `.gitignore`; a
 * killed add leaves at worst complete unreferenced objects and temp files, which the next add reuses
 * or gc removes.
 */
export interface AddOptions {
  targets: string[];
  /** Folder the targets are relative to (default: the repo root). */
  cwd?: string;
  progress?: ProgressReporter;
}

export interface AddedOutput {
  path: string;
  dvcFile: string;
  md5: string;
  size: number;
  nfiles?: number;
  gitignore?: string;
}

export async function add(repo: Repo, options: AddOptions): Promise<AddedOutput[]> {
  if (options.targets.length === 0) {
    throw new MlpipeError('E_USAGE', 'nothing to add', { expected: 'at least one file or directory', received: 'no paths' });
  }
  const cwd = options.cwd ?? repo.root;
  // Check every target before touching anything.
  const targets = options.targets.map((t) => {
    const abs = resolveInRepo(repo.root, cwd, t);
    const rel = toRepoPath(repo.root, abs);
    assertConfined(repo, abs, 'follow');
    assertIgnorableName(repo, abs);
    if (!existsSync(abs)) {
      throw new MlpipeError('E_NOT_FOUND', `${rel} does not exist`, { expected: 'an existing file or directory', received: rel });
    }
    if (abs.endsWith('.dvc')) {
      throw new MlpipeError('E_BAD_INPUT', `${rel} is a tracking file, not data`, { expected: 'a data file or directory', received: rel, hint: `add the data itself: mlpipe add ${rel.slice(0, -4)}` });
    }
    if (repo.gitRoot && isGitTracked(repo.gitRoot, abs)) {
      throw new MlpipeError('E_CONFLICT', `output '${rel}' is already tracked by git`, {
        expected: 'data that git does not track',
        received: rel,
        hint: `run \`git rm -r --cached ${rel}\` and commit, then add it again`,
      });
    }
    return { abs, rel };
  });
  rejectOverlaps(repo, targets);
  return repo.withLock(async () => {
    const added: AddedOutput[] = [];
    for (const { abs, rel } of targets) {
      const hash = await commitPath(repo, abs, { progress: options.progress });
      const dvcAbs = join(dirname(abs), `${basename(abs)}.dvc`);
      const out = { md5: hash.md5, size: hash.size, ...(hash.isdir ? { nfiles: hash.nfiles } : {}), ...(hash.isexec ? { isexec: true } : {}) };
      writeFileAtomic(dvcAbs, dvcFileText(dvcAbs, basename(abs), out));
      await relinkOutput(repo, abs, hash);
      const gitignore = ignoreOutput(repo, abs);
      added.push({ path: rel, dvcFile: toRepoPath(repo.root, dvcAbs), ...out, ...(gitignore ? { gitignore } : {}) });
    }
    return added;
  });
}

/** A new `.dvc` file, or the existing one updated in place when it tracks this same output. */
function dvcFileText(dvcAbs: string, outPath: string, out: { md5: string; size: number; nfiles?: number; isexec?: boolean }): string {
  if (existsSync(dvcAbs)) {
    const existing = parseDvcFile(readFileSync(dvcAbs, 'utf8'), dvcAbs);
    if (existing.outs.length === 1 && existing.outs[0]!.path === outPath) {
      // A re-added legacy output becomes a DVC 3 one (DVC's add always writes `hash: md5`).
      const upgraded = { ...existing, outs: existing.outs.map((o) => ({ ...o, legacy: false })) };
      return serializeUpdatedDvcFile(upgraded, [out]);
    }
  }
  return serializeNewDvcFile([{ ...out, path: outPath }]);
}
