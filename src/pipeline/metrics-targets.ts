import { git as runGit } from '../core/repo/git.js';
import { flatten } from './interpolate.js';
import { type DiffResult, type MetricsShowResult, type Values, diffValues, readMetrics } from './metrics.js';
import { type TreeReader, readerFor } from './revision.js';
import { isPyDict } from './values.js';
import { parseStructured } from './yaml-read.js';

/**
 * Targets and revisions of `metrics show [TARGETS...] [-a|-T|-A]` and `metrics diff [A] [B]
 * --targets ...`, as DVC takes them (`dvc:dvc/repo/metrics/show.py`): a target is a metrics file
 * declared in dvc.yaml, a folder holding some, or any JSON/YAML/TOML file (read as metrics even when
 * dvc.yaml does not declare it); revisions are the workspace plus every branch tip, tag or commit.
 */
export interface RevisionSelection {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
}

/** The workspace, then the selected revisions named as DVC names them (branch or tag name, else short sha). */
export function selectRevisions(root: string, sel: RevisionSelection): string[] {
  const revs = ['workspace'];
  const git = (args: string[]) =>
    runGit(root, args)
      .trim()
      .split('\n')
      .filter(Boolean);
  if (sel.allBranches) revs.push(...git(['for-each-ref', '--format=%(refname:short)', 'refs/heads']));
  if (sel.allTags) revs.push(...git(['for-each-ref', '--format=%(refname:short)', 'refs/tags']));
  if (sel.allCommits) revs.push(...git(['rev-list', '--all', '--exclude=refs/exps/*', '--exclude=refs/mlpipe/*']).map((s) => s.slice(0, 7)));
  return [...new Set(revs)];
}

/** The metrics of one revision, limited to the targets (all declared metrics files without targets). */
export function targetMetrics(root: string, reader: TreeReader, targets: string[] = []): Values {
  const declared = readMetrics(root, reader);
  if (targets.length === 0) return declared;
  const out: Values = {};
  for (const raw of targets) {
    const target = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (target === '.' || target === '') {
      Object.assign(out, declared);
      continue;
    }
    const hits = Object.keys(declared).filter((f) => f === target || f.startsWith(`${target}/`));
    for (const f of hits) out[f] = declared[f] as Values[string];
    if (hits.length > 0) continue;
    const text = reader.read(target);
    if (text === undefined) continue;
    try {
      const data = parseStructured(text, target);
      if (isPyDict(data)) out[target] = flatten(data);
    } catch {
      // not a metrics file at this revision: nothing to show for it, as DVC
    }
  }
  return out;
}

export function metricsShowTargets(options: { root: string; targets?: string[] } & RevisionSelection): MetricsShowResult {
  const revisions: Record<string, Values> = {};
  for (const rev of selectRevisions(options.root, options)) {
    const reader = readerFor(options.root, rev);
    revisions[reader.label] = targetMetrics(options.root, reader, options.targets);
  }
  return { revisions };
}

export function metricsDiffTargets(options: { root: string; a?: string; b?: string; targets?: string[]; all?: boolean }): DiffResult {
  const ra = readerFor(options.root, options.a ?? 'HEAD');
  const rb = readerFor(options.root, options.b);
  const diff = diffValues(targetMetrics(options.root, ra, options.targets), targetMetrics(options.root, rb, options.targets), { all: options.all, withChange: true });
  return { a: ra.label, b: rb.label, diff };
}
