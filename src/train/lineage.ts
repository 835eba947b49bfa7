import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { readYaml } from '../core/formats/yaml-read.js';
import { md5File } from '../core/hash/md5.js';
import { dirOid, serializeDirManifest } from '../core/hash/manifest.js';
import { findRepoRoot } from '../core/repo/find-root.js';
import type { Lineage } from '../model/artifact.js';

/**
 * The `lineage` of model.json (src/model/artifact.ts): commit, the md5 of each data dependency of
 * the producing stage computed as dvc.lock records them (so they match the dvc.lock written right
 * after the run), training time.
 */
export async function gitState(cwd: string): Promise<Lineage['git']> {
  // Asynchronous, and the two commands at once: `train` starts this before it reads the data, so
  // that git (20-40 ms a command, more in a large repository) runs while DuckDB scans.
  const git = (args: string[]) =>
    new Promise<{ ok: boolean; stdout: string }>((resolve) => {
      execFile('git', args, { cwd, encoding: 'utf8' }, (err, stdout) => resolve({ ok: !err, stdout: stdout ?? '' }));
    });
  const [head, status] = await Promise.all([git(['rev-parse', '--verify', '-q', 'HEAD']), git(['status', '--porcelain', '--untracked-files=no'])]);
  if (!head.ok) return null;
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

const toPosix = (p: string) => p.split(sep).join('/');

/** The stage (name, deps) that lists `outRel` (or a parent of it) among its outs. */
function producingStage(root: string, outRel: string): { name: string; deps: string[] } | undefined {
  let doc: unknown;
  try {
    doc = readYaml(readFileSync(join(root, 'dvc.yaml'), 'utf8'));
  } catch {
    return undefined;
  }
  const stages = (doc as { stages?: Record<string, { outs?: unknown[]; deps?: unknown[]; wdir?: string }> } | undefined)?.stages ?? {};
  for (const [name, stage] of Object.entries(stages)) {
    const wdir = stage.wdir ?? '.';
    const paths = (list: unknown[] | undefined) =>
      (list ?? []).map((o) => posix.normalize(posix.join(wdir, typeof o === 'string' ? o : Object.keys(o as object)[0] ?? '')));
    if (paths(stage.outs).some((o) => outRel === o || outRel.startsWith(`${o}/`))) return { name, deps: paths(stage.deps) };
  }
  return undefined;
}

async function depMd5(abs: string): Promise<string | undefined> {
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (st.isFile()) return md5File(abs);
  if (!st.isDirectory()) return undefined;
  const files = (readdirSync(abs, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[]).filter((d) => d.isFile());
  const entries = [];
  for (const f of files) {
    const full = join(f.parentPath, f.name);
    entries.push({ relpath: toPosix(relative(abs, full)), md5: await md5File(full) });
  }
  return dirOid(serializeDirManifest(entries));
}

/** Code (scripts) is left out: only data dependencies are lineage, code is in the commit. */
const CODE = /\.(?:m?js|cjs|ts|py|sh|ya?ml|json)$/;

/** `git` is gitState's answer for the working folder, taken when training started. */
export async function collectLineage(options: {
  cwd: string;
  git: Lineage['git'];
  dataPath: string;
  dataMd5: string;
  outDir: string;
  trainingSeconds: number;
}): Promise<Lineage> {
  const root = findRepoRoot(options.cwd);
  const git = options.git;
  const data: Lineage['data'] = [];
  let stageName: string | null = null;
  if (root) {
    const stage = producingStage(root, toPosix(relative(root, options.outDir)));
    if (stage) {
      stageName = stage.name;
      for (const dep of stage.deps.filter((d) => !CODE.test(d))) {
        // The training data is usually a dependency: its md5 is already known.
        const abs = join(root, dep);
        const md5 = abs === options.dataPath ? options.dataMd5 : await depMd5(abs);
        if (md5) data.push({ path: dep, md5 });
      }
    }
  }
  const dataRel = toPosix(relative(root ?? options.cwd, options.dataPath));
  if (!data.some((d) => d.path === dataRel)) data.unshift({ path: dataRel, md5: options.dataMd5 });
  return { git, stage: stageName, data, trainingSeconds: Math.round(options.trainingSeconds * 1000) / 1000 };
}
