import { MlpipeError } from '../errors.js';
import type { Stage } from './stage.js';

/**
 * The pipeline DAG as DVC's `build_graph` (../shared/docs/dvc-format.md §5.3): stage B depends on
 * stage A when a dep of B equals, is inside, or contains an output of A. Two stages writing the same
 * or overlapping outputs, and cycles, are errors.
 */
export interface Graph {
  stages: Stage[];
  /** stage name -> names of the stages it depends on (its upstream). */
  upstream: Map<string, string[]>;
}

export function buildGraph(stages: Stage[]): Graph {
  checkOutputs(stages);
  const upstream = new Map<string, string[]>();
  for (const stage of stages) {
    const deps = new Set<string>();
    for (const other of stages) {
      if (other === stage) continue;
      const feeds = other.outs.some((o) =>
        [...stage.deps.map((d) => d.path), ...stage.params.map((p) => p.path)].some((d) => overlaps(o.path, d)),
      );
      if (feeds) deps.add(other.name);
    }
    upstream.set(stage.name, [...deps]);
  }
  const graph = { stages, upstream };
  topoOrder(graph, stages.map((s) => s.name));
  return graph;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a === '.' || b === '.' || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

function checkOutputs(stages: Stage[]): void {
  const owners: { path: string; stage: string }[] = [];
  for (const stage of stages) {
    for (const out of stage.outs) {
      const clash = owners.find((o) => overlaps(o.path, out.path));
      if (clash) {
        const same = clash.path === out.path;
        throw new MlpipeError(
          'E_PIPELINE',
          same
            ? `output '${out.path}' is written by two stages: '${clash.stage}' and '${stage.name}'`
            : `outputs overlap: '${clash.path}' of stage '${clash.stage}' and '${out.path}' of stage '${stage.name}'`,
          {
            expected: 'each output path produced by exactly one stage, outputs not nested in each other',
            received: `${clash.stage}: ${clash.path}, ${stage.name}: ${out.path}`,
            hint: 'give one of the stages a different output path in dvc.yaml',
            data: { stages: [clash.stage, stage.name], paths: [clash.path, out.path] },
          },
        );
      }
      owners.push({ path: out.path, stage: stage.name });
    }
  }
}

/**
 * The stages to run for `targets` and their upstream, dependencies first (DFS post-order, as DVC's
 * `dfs_postorder_nodes`). Upstream of a frozen stage is not followed (`get_active_graph`).
 */
export function topoOrder(graph: Graph, targets: string[], options: { single?: boolean } = {}): string[] {
  if (options.single) return [...targets];
  const byName = new Map(graph.stages.map((s) => [s.name, s]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const st = state.get(name);
    if (st === 'done') return;
    if (st === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new MlpipeError('E_PIPELINE', `the pipeline has a cycle: ${cycle.join(' -> ')}`, {
        expected: 'a pipeline without cycles (a DAG)',
        received: cycle.join(' -> '),
        hint: 'remove one of the dependencies in the cycle from dvc.yaml',
        data: { cycle },
      });
    }
    state.set(name, 'visiting');
    if (!byName.get(name)?.frozen) for (const up of graph.upstream.get(name) ?? []) visit(up, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const t of targets) visit(t, []);
  return order;
}

/** Edges as [upstream, downstream] pairs, sorted. */
export function edges(graph: Graph, names?: Set<string>): [string, string][] {
  const out: [string, string][] = [];
  for (const [down, ups] of graph.upstream) {
    for (const up of ups) if (!names || (names.has(up) && names.has(down))) out.push([up, down]);
  }
  return out.sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `dvc dag --mermaid`: nodes numbered in sorted order, then sorted edges. */
export function renderMermaid(graph: Graph, names: string[]): string {
  const sorted = [...names].sort(cmp);
  const ids = new Map(sorted.map((n, i) => [n, `node${i + 1}`]));
  const lines = ['flowchart TD', ...sorted.map((n) => `\t${ids.get(n)}["${n}"]`)];
  for (const [a, b] of edges(graph, new Set(names))) lines.push(`\t${ids.get(a)}-->${ids.get(b)}`);
  return lines.join('\n');
}

/** `dvc dag --dot` (networkx `write_dot` of the reversed graph: edges point downstream). */
export function renderDot(graph: Graph, names: string[]): string {
  const lines = ['strict digraph  {', ...names.map((n) => `"${n}";`)];
  for (const [a, b] of edges(graph, new Set(names))) lines.push(`"${a}" -> "${b}";`);
  return `${lines.join('\n')}\n}`;
}

/**
 * A text rendering for terminals: stages in layers (a stage one layer below its deepest upstream),
 * boxes side by side, and each layer's incoming edges listed under it.
 */
export function renderText(graph: Graph, names: string[]): string {
  const keep = new Set(names);
  const layer = new Map<string, number>();
  const depth = (n: string): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    const ups = (graph.upstream.get(n) ?? []).filter((u) => keep.has(u));
    const d = ups.length === 0 ? 0 : Math.max(...ups.map(depth)) + 1;
    layer.set(n, d);
    return d;
  };
  for (const n of names) depth(n);
  const layers: string[][] = [];
  for (const n of names) {
    const i = layer.get(n) as number;
    layers[i] = [...(layers[i] ?? []), n];
  }
  const out: string[] = [];
  layers.forEach((row, i) => {
    if (i > 0) {
      const incoming = row.flatMap((n) => (graph.upstream.get(n) ?? []).filter((u) => keep.has(u)).map((u) => `${u} -> ${n}`));
      out.push(`    ${incoming.join(', ')}`, '        |', '        v');
    }
    out.push(row.map((n) => `+${'-'.repeat(n.length + 2)}+`).join('  '));
    out.push(row.map((n) => `| ${n} |`).join('  '));
    out.push(row.map((n) => `+${'-'.repeat(n.length + 2)}+`).join('  '));
  });
  return out.join('\n');
}
