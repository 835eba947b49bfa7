import { compareCodePoints } from '../core/hash/manifest.js';
import { join } from 'node:path';
import { MlpipeError } from '../errors.js';
import { parseDvcYaml } from './dvcyaml.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { buildGraph } from './graph.js';
import { DVC_YAML, loadPipeline } from './load.js';
import { workspaceReader } from './revision.js';
import type { Stage } from './stage.js';
import type { PyDict, PyValue } from './values.js';
import { dumpYaml, editYamlMapping } from '../core/formats/yaml-write.js';

/**
 * `mlpipe stage add` as `dvc stage add`: writes a stage into dvc.yaml with DVC's key order (`desc,
 * cmd, wdir, deps (sorted), params, outs, metrics, plots, always_changed`, empty ones dropped,
 * ../shared/docs/dvc-format.md §3.2). An existing dvc.yaml keeps its comments and layout.
 */
export interface StageAddOptions {
  root: string;
  name: string;
  cmd: string;
  deps?: string[];
  /** `-p`: `key1,key2` (params.yaml) or `file.yaml:key1,key2` (`file.yaml:` for the whole file). */
  params?: string[];
  outs?: string[];
  outsNoCache?: string[];
  outsPersist?: string[];
  metrics?: string[];
  metricsNoCache?: string[];
  plots?: string[];
  plotsNoCache?: string[];
  wdir?: string;
  desc?: string;
  alwaysChanged?: boolean;
  /** Replace a stage of the same name. */
  force?: boolean;
}

export function stageAdd(options: StageAddOptions): { dvcfile: string; stage: Stage } {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(options.name)) {
    throw new MlpipeError('E_USAGE', `invalid stage name '${options.name}'`, {
      expected: 'letters, digits, "_" and "-"',
      received: options.name,
    });
  }
  const reader = workspaceReader(options.root);
  const existing = reader.read(DVC_YAML);
  const pipeline = loadPipeline(reader);
  if (pipeline.stages.some((s) => s.name === options.name || s.name.startsWith(`${options.name}@`)) && !options.force) {
    throw new MlpipeError('E_CONFLICT', `stage '${options.name}' already exists in dvc.yaml`, {
      expected: 'a new stage name',
      received: options.name,
      hint: 'use -f to overwrite it',
    });
  }
  const definition = stageDefinition(options);
  let text: string;
  if (existing === undefined || existing.trim() === '') text = dumpYaml({ stages: { [options.name]: definition } });
  else {
    const edited = editYamlMapping(existing, [{ path: ['stages', options.name], value: definition }], { lineWidth: 0 });
    if (edited === undefined) throw new MlpipeError('E_PIPELINE', 'dvc.yaml is not a mapping', { hint: 'fix dvc.yaml' });
    text = edited;
  }
  // Validate the whole result (schema, templates, duplicate outputs, cycles) before writing it.
  const updated = parseDvcYaml({ text, file: DVC_YAML, readFile: (p) => reader.read(p) });
  buildGraph(updated.stages);
  writeFileAtomic(join(options.root, DVC_YAML), text);
  return { dvcfile: DVC_YAML, stage: updated.stages.find((s) => s.name === options.name) as Stage };
}

function stageDefinition(o: StageAddOptions): PyDict {
  const def: PyDict = {};
  if (o.desc) def.desc = o.desc;
  def.cmd = o.cmd;
  if (o.wdir && o.wdir !== '.') def.wdir = o.wdir;
  if (o.deps?.length) def.deps = [...o.deps].sort(compareCodePoints);
  const params = (o.params ?? []).flatMap(paramItems);
  if (params.length) def.params = params;
  const outs = [...(o.outs ?? []), ...flagged(o.outsNoCache, { cache: false }), ...flagged(o.outsPersist, { persist: true })];
  if (outs.length) def.outs = outs;
  const metrics = [...(o.metrics ?? []), ...flagged(o.metricsNoCache, { cache: false })];
  if (metrics.length) def.metrics = metrics;
  const plots = [...(o.plots ?? []), ...flagged(o.plotsNoCache, { cache: false })];
  if (plots.length) def.plots = plots;
  if (o.alwaysChanged) def.always_changed = true;
  return def;
}

function flagged(paths: string[] | undefined, flags: PyDict): PyValue[] {
  return (paths ?? []).map((p) => ({ [p]: flags }));
}

/** `-p` values: `a,b` -> ["a", "b"]; `f.yaml:a,b` -> [{f.yaml: [a, b]}]; `f.yaml:` -> [{f.yaml: null}]. */
function paramItems(spec: string): PyValue[] {
  const i = spec.lastIndexOf(':');
  const file = i >= 0 ? spec.slice(0, i) : undefined;
  const keys = (i >= 0 ? spec.slice(i + 1) : spec).split(',').map((k) => k.trim()).filter(Boolean);
  if (file === undefined || file === 'params.yaml') return keys;
  return [{ [file]: keys.length ? keys : null }];
}

/** `mlpipe stage list`: each stage with its description or outputs. */
export function stageList(root: string): { name: string; description: string }[] {
  const pipeline = loadPipeline(workspaceReader(root));
  return pipeline.stages.map((s) => {
    const outs = s.outs.filter((o) => o.kind === 'out').map((o) => o.path);
    const reports = s.outs.filter((o) => o.kind !== 'out').map((o) => o.path);
    const parts = [...(outs.length ? [`Outputs ${outs.join(', ')}`] : []), ...(reports.length ? [`Reports ${reports.join(', ')}`] : [])];
    return { name: s.name, description: s.desc ?? parts.join('; ') };
  });
}
