import { MlpipeError } from '../errors.js';
import { buildGraph, edges, renderDot, renderMermaid, renderText, topoOrder } from './graph.js';
import { loadPipeline } from './load.js';
import { checkDepsNotOutputs } from './overlaps.js';
import { workspaceReader } from './revision.js';

export interface DagOptions {
  root: string;
  /** Show only this stage and its upstream. */
  target?: string;
  format?: 'text' | 'mermaid' | 'dot';
}

export interface DagResult {
  stages: string[];
  edges: [string, string][];
  rendered: string;
}

/** `mlpipe dag`: the pipeline graph as text, Mermaid or Graphviz dot. */
export function dag(options: DagOptions): DagResult {
  const pipeline = loadPipeline(workspaceReader(options.root));
  const graph = buildGraph(pipeline.stages);
  checkDepsNotOutputs(pipeline.stages);
  const all = pipeline.stages.map((s) => s.name);
  if (options.target !== undefined && !all.includes(options.target)) throw unknownStage(options.target, all);
  const names = options.target === undefined ? topoOrder(graph, all) : topoOrder(graph, [options.target]);
  const render = options.format === 'mermaid' ? renderMermaid : options.format === 'dot' ? renderDot : renderText;
  return { stages: names, edges: edges(graph, new Set(names)), rendered: render(graph, names) };
}

export function unknownStage(name: string, known: string[]): MlpipeError {
  return new MlpipeError('E_NOT_FOUND', `no stage named '${name}' in dvc.yaml`, {
    expected: known.length > 0 ? `one of: ${known.join(', ')}` : 'a stage defined in dvc.yaml',
    received: name,
    hint: 'list the stages with `mlpipe stage list`',
  });
}
