import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { dumpYaml, type YamlValue } from '../formats/yaml-write.js';
import { collectWorkspace } from './dvcfiles.js';
import { ignoreOutput, unignoreOutput } from './gitignore-file.js';
import type { Repo } from './open.js';
import { rejectOverlaps } from './overlaps.js';
import { resolveInRepo, toRepoPath } from './paths.js';
import { assertConfined, assertIgnorableName } from './safe-path.js';

/**
 * `mlpipe move SRC DST` (DVC's `dvc move`): renames a tracked output and its `.dvc` file together
 * (`DST.dvc` next to DST, `path:` updated, other fields kept) and moves the `.gitignore` entry.
 */
export interface MoveOptions {
  src: string;
  dst: string;
  cwd?: string;
}

export async function move(repo: Repo, options: MoveOptions): Promise<{ from: string; to: string; dvcFile: string }> {
  const cwd = options.cwd ?? repo.root;
  const srcAbs = resolveInRepo(repo.root, cwd, options.src, 'source');
  let dstAbs = resolveInRepo(repo.root, cwd, options.dst, 'destination');
  assertConfined(repo, srcAbs, 'replace');
  assertConfined(repo, dstAbs, 'replace');
  if (existsSync(dstAbs) && statSync(dstAbs).isDirectory()) dstAbs = join(dstAbs, basename(srcAbs));
  assertConfined(repo, dstAbs, 'replace');
  assertIgnorableName(repo, dstAbs);
  return repo.withLock(() => {
    const srcRel = toRepoPath(repo.root, srcAbs);
    const tracked = collectWorkspace(repo).dvcFiles.find((f) => f.outputs.length === 1 && f.outputs[0]!.abs === srcAbs);
    if (!tracked) {
      throw new MlpipeError('E_NOT_FOUND', `${srcRel} is not a tracked output`, {
        expected: 'an output tracked by its own .dvc file',
        received: srcRel,
        hint: 'run `mlpipe ls` to see what is tracked',
      });
    }
    rejectOverlaps(repo, [{ rel: toRepoPath(repo.root, dstAbs) }], { except: tracked.path });
    if (existsSync(dstAbs)) {
      throw new MlpipeError('E_CONFLICT', `${toRepoPath(repo.root, dstAbs)} already exists`, { expected: 'a free destination', received: 'an existing file' });
    }
    const dvcAbs = join(dirname(dstAbs), `${basename(dstAbs)}.dvc`);
    const out = { ...tracked.file.outs[0]!.fields, path: basename(dstAbs) } as Record<string, YamlValue>;
    const text = dumpYaml({ ...(tracked.file.fields as Record<string, YamlValue>), outs: [out] });
    mkdirSync(dirname(dstAbs), { recursive: true });
    renameSync(srcAbs, dstAbs);
    writeFileAtomic(dvcAbs, text);
    if (dvcAbs !== tracked.abs) rmSync(tracked.abs, { force: true });
    unignoreOutput(repo, srcAbs);
    ignoreOutput(repo, dstAbs);
    return { from: srcRel, to: toRepoPath(repo.root, dstAbs), dvcFile: toRepoPath(repo.root, dvcAbs) };
  });
}
