import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isMlpipeError } from '../errors.js';
import { collectExperiments, type ExpState } from '../pipeline/exp/show.js';
import { git, listExperiments } from '../pipeline/exp/refs.js';
import { buildGraph, edges, topoOrder } from '../pipeline/graph.js';
import { loadLock, loadPipeline, readOutput } from '../pipeline/load.js';
import { type PlotDefinition, type Row, parsePlotData, plotDefinitions } from '../pipeline/plots/collect.js';
import { metricFiles } from '../pipeline/metrics.js';
import { workspaceReader } from '../pipeline/revision.js';
import { batchReaders, batchTimestamps } from './batch-reader.js';
import { toJsonValue } from '../pipeline/values.js';
import { findGitRootOf } from '../core/repo/open.js';
import { loadState } from '../registry/load.js';
import { isoStamp, selectVersions, showRegistry } from '../registry/views.js';
import type { DataReport, Experiment, ExperimentsData, ModelEntry, ModelsData, PipelineData, PlotsData, RegistryArtifact, StageView } from './types.js';

/**
 * The data behind each dashboard view, read with the library's own functions (exp show's collector,
 * the pipeline loader and status, the plots collector). Each function returns plain JSON; the HTTP
 * handler and `ui --export` serve the same objects.
 */

/** Every commit of the current branch (newest first), each followed by its experiments, then the workspace. */
export function experimentsData(root: string): ExperimentsData {
  const commits = git(root, ['rev-list', 'HEAD']).trim().split('\n').filter(Boolean);
  const revs = [...commits, ...listExperiments(root).map((e) => e.commit)];
  const data = collectExperiments({
    root,
    num: Math.max(1, commits.length),
    reader: batchReaders(root, revs, pipelineFiles(root)),
    timestamp: batchTimestamps(root, revs),
  });
  const rows: Experiment[] = [row(data.workspace, 'workspace', null)];
  for (const b of data.baselines) {
    rows.push(row(b.state, 'commit', null));
    for (const e of b.experiments) if (!e.executor || e.executor.state === 'success') rows.push(row(e.exp, 'experiment', b.state.rev));
  }
  return { branch: git(root, ['rev-parse', '--abbrev-ref', 'HEAD']).trim(), experiments: rows };
}

function row(s: ExpState, kind: Experiment['kind'], baseline: string | null): Experiment {
  const json = (v: ExpState['params']) =>
    Object.fromEntries(Object.entries(v).map(([f, kv]) => [f, Object.fromEntries(Object.entries(kv).map(([k, x]) => [k, toJsonValue(x)]))]));
  return {
    rev: s.rev,
    name: s.name ?? (kind === 'workspace' ? 'workspace' : s.rev.slice(0, 7)),
    kind,
    baseline,
    timestamp: s.timestamp ?? null,
    params: json(s.params),
    metrics: json(s.metrics),
    deps: Object.fromEntries(Object.entries(s.deps).map(([p, d]) => [p, d.hash])),
  };
}

/** The files exp show reads at each revision, by the workspace's pipeline: dvc.yaml, dvc.lock, params, metrics. */
function pipelineFiles(root: string): string[] {
  let pipeline: ReturnType<typeof loadPipeline>;
  try {
    pipeline = loadPipeline(workspaceReader(root));
  } catch {
    return ['dvc.yaml', 'dvc.lock', 'params.yaml'];
  }
  return ['dvc.yaml', 'dvc.lock', 'params.yaml', ...pipeline.stages.flatMap((s) => s.params.map((p) => p.path)), ...metricFiles(pipeline)];
}

/** Stages in topological order with their status, as `mlpipe status` computes it. */
export async function pipelineData(root: string): Promise<PipelineData> {
  const reader = workspaceReader(root);
  const pipeline = loadPipeline(reader);
  const lock = loadLock(reader);
  const graph = buildGraph(pipeline.stages);
  const order = topoOrder(graph, pipeline.stages.map((s) => s.name));
  let changed = new Map<string, unknown[]>();
  let statusError: string | null = null;
  try {
    const { withRepo } = await import('../core/repo/open.js');
    const { pipelineStatus, dataOpsFor } = await import('../pipeline/status.js');
    const status = await withRepo(root, (repo) => pipelineStatus(dataOpsFor(repo)));
    changed = new Map(status.changed.map((c) => [c.stage, c.reasons]));
  } catch (err) {
    // A running `repro` holds the repository lock: show the stages without their status.
    if (!isMlpipeError(err)) throw err;
    statusError = err.message;
  }
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const stages: StageView[] = order.map((name) => {
    const s = byName.get(name)!;
    const status: StageView['status'] = statusError ? 'unknown' : !lock.stages.has(name) ? 'never-run' : changed.has(name) ? 'changed' : 'up-to-date';
    return {
      name,
      cmd: Array.isArray(s.cmd) ? s.cmd.join(' && ') : s.cmd,
      status,
      reasons: changed.get(name) ?? [],
      deps: s.deps.map((d) => d.path),
      outs: s.outs.map((o) => ({ path: o.path, kind: o.kind, cache: o.cache })),
      params: s.params.map((p) => ({ file: p.path, keys: p.keys })),
    };
  });
  return { stages, edges: edges(graph), statusError };
}

/** The declared plots and, per revision, the rows of each data file ('workspace' or a commit). */
export async function plotsData(root: string, revs: string[]): Promise<PlotsData> {
  const defs: PlotDefinition[] = plotDefinitions(loadPipeline(workspaceReader(root)));
  const series: PlotsData['series'] = [];
  const commits = revs.filter((r) => r !== 'workspace');
  const batched = batchReaders(root, commits, ['dvc.lock', ...defs.flatMap((d) => d.sources.map((s) => s.file))]);
  for (const rev of revs) {
    const reader = rev === 'workspace' ? workspaceReader(root) : batched(rev);
    const lock = loadLock(reader);
    for (const file of new Set(defs.flatMap((d) => d.sources.map((s) => s.file)))) {
      const text = readOutput(root, reader, lock, file);
      if (text === undefined) continue;
      let rows: Row[];
      try {
        rows = await parsePlotData(text, file);
      } catch {
        continue; // a malformed file at an old revision: that revision has no series for it
      }
      series.push({ rev, file, rows });
    }
  }
  return { definitions: defs, series };
}

/** A JSON file that `mlpipe validate --json` wrote (the fields the Data view shows). */
function isValidationReport(v: unknown): v is DataReport['report'] {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.valid === 'boolean' && Array.isArray(r.issues) && typeof r.checks === 'object' && typeof r.rows === 'number';
}

/** Output files (and files one level inside output folders) of the pipeline, in the workspace. */
function outputFiles(root: string, match: (name: string) => boolean): string[] {
  const pipeline = loadPipeline(workspaceReader(root));
  const found: string[] = [];
  for (const stage of pipeline.stages) {
    for (const out of stage.outs) {
      const abs = join(root, out.path);
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(abs);
      } catch {
        continue;
      }
      if (st.isFile() && match(basename(out.path))) found.push(out.path);
      else if (st.isDirectory()) for (const e of readdirSync(abs, { withFileTypes: true })) if (e.isFile() && match(e.name)) found.push(relative(root, join(abs, e.name)));
    }
  }
  return found;
}

const readJson = (root: string, path: string): unknown => {
  try {
    return JSON.parse(readFileSync(join(root, path), 'utf8'));
  } catch {
    return undefined;
  }
};

/** Validation reports (`validate --json` output) among the pipeline's outputs. */
export function dataReports(root: string): DataReport[] {
  const out: DataReport[] = [];
  for (const path of outputFiles(root, (n) => n.endsWith('.json'))) {
    const json = readJson(root, path);
    if (isValidationReport(json)) out.push({ path, report: json });
  }
  return out;
}

/** The Models view: the pipeline's model folders and the model registry of the git repository. */
export function modelsData(root: string): ModelsData {
  return { folders: modelFolders(root), registry: registryData(root) };
}

/**
 * The registry read by `mlpipe models show`'s own functions: per active artifact the latest
 * version, the version holding each stage, and every active version with its stages.
 */
export function registryData(root: string): RegistryArtifact[] {
  const gitRoot = findGitRootOf(root);
  if (!gitRoot) return [];
  const state = loadState(gitRoot);
  const overview = showRegistry(state) as Record<string, { version: string | null; stage: Record<string, string | null> }>;
  return Object.keys(overview)
    .sort()
    .map((name) => {
      const o = overview[name] as (typeof overview)[string];
      return {
        name,
        latest: o.version,
        stages: Object.fromEntries(Object.entries(o.stage).filter((e): e is [string, string] => e[1] !== null)),
        versions: selectVersions(state, name).versions.map(({ version: v, stages }) => ({
          version: v.version,
          commit: v.commit,
          createdAt: isoStamp(v.authoring.createdAt),
          tag: v.authoring.tag ?? null,
          stages: [...new Set(stages.map((s) => s.stage))],
        })),
      };
    });
}

/** model.json of the pipeline's model folders. */
function modelFolders(root: string): ModelEntry[] {
  const out: ModelEntry[] = [];
  for (const path of outputFiles(root, (n) => n === 'model.json')) {
    const m = readJson(root, path) as Record<string, unknown> | undefined;
    if (m?.format !== 'mlpipe-model') continue;
    out.push({
      path: dirname(path),
      name: String(m.name ?? ''),
      version: String(m.version ?? ''),
      algorithm: String(m.algorithm ?? ''),
      task: String(m.task ?? ''),
      target: String(m.target ?? ''),
      metrics: (m.metrics as Record<string, unknown>) ?? {},
      params: (m.params as Record<string, unknown>) ?? {},
      dataHash: String(m.dataHash ?? ''),
      createdAt: String(m.createdAt ?? ''),
    });
  }
  return out;
}
