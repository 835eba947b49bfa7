import type { DataReport, ModelsData, PipelineData, StageView } from '../types.js';
import { fmt, h, s } from './dom.js';

const STATUS_TEXT: Record<StageView['status'], string> = { changed: 'changed', 'up-to-date': 'up to date', 'never-run': 'never run', unknown: 'status unknown' };

/** Pipeline: a layered DAG (a stage's column is its longest path from a source) and the stage list. */
export function renderPipeline(p: PipelineData): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'h-pipe' }, h('h2', { id: 'h-pipe', tabindex: -1 }, 'Pipeline'));
  if (p.stages.length === 0) {
    section.append(h('p', {}, 'dvc.yaml defines no stages.'));
    return section;
  }
  if (p.statusError) section.append(h('p', { class: 'warn' }, `Status unavailable: ${p.statusError}`));
  section.append(dagSvg(p));
  const list = h('ol', { class: 'stages', id: 'stages' });
  for (const st of p.stages) {
    list.append(
      h(
        'li',
        { 'data-stage': st.name },
        h('h3', {}, st.name, ' ', h('span', { class: `badge s-${st.status}` }, STATUS_TEXT[st.status])),
        h('code', { class: 'cmd' }, st.cmd),
        h('dl', {}, h('dt', {}, 'deps'), h('dd', {}, st.deps.join(', ') || '—'), h('dt', {}, 'params'), h('dd', {}, st.params.map((x) => `${x.file}: ${x.keys === 'all' ? 'all' : x.keys.join(', ')}`).join('; ') || '—'), h('dt', {}, 'outs'), h('dd', {}, st.outs.map((o) => `${o.path}${o.kind === 'out' ? '' : ` (${o.kind})`}`).join(', ') || '—')),
        st.reasons.length > 0 ? h('details', {}, h('summary', {}, 'Why changed'), h('pre', {}, JSON.stringify(st.reasons, null, 2))) : null,
      ),
    );
  }
  section.append(list);
  return section;
}

function dagSvg(p: PipelineData): SVGElement {
  const layer = new Map<string, number>();
  for (const st of p.stages) {
    // stages come upstream first, so every parent already has its layer
    const parents = p.edges.filter(([, to]) => to === st.name).map(([from]) => layer.get(from) ?? 0);
    layer.set(st.name, parents.length === 0 ? 0 : Math.max(...parents) + 1);
  }
  const rows = new Map<number, number>();
  const pos = new Map<string, { x: number; y: number }>();
  const W = 150;
  const H = 40;
  for (const st of p.stages) {
    const l = layer.get(st.name)!;
    const r = rows.get(l) ?? 0;
    rows.set(l, r + 1);
    pos.set(st.name, { x: 10 + l * (W + 50), y: 10 + r * (H + 20) });
  }
  const width = 20 + (Math.max(...layer.values()) + 1) * (W + 50);
  const height = 20 + Math.max(...rows.values()) * (H + 20);
  const svg = s('svg', { id: 'dag', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Pipeline graph: ${p.edges.map(([a, b]) => `${a} to ${b}`).join(', ') || 'no edges'}` });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }, s('path', { d: 'M0,0L10,5L0,10z', fill: '#444' }))));
  for (const [from, to] of p.edges) {
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    svg.append(s('line', { x1: a.x + W, y1: a.y + H / 2, x2: b.x, y2: b.y + H / 2, stroke: '#444', 'marker-end': 'url(#arrow)' }));
  }
  for (const st of p.stages) {
    const { x, y } = pos.get(st.name)!;
    svg.append(
      s('g', { class: `node s-${st.status}`, 'data-stage': st.name }, s('rect', { x, y, width: W, height: H, rx: 6 }), s('text', { x: x + 8, y: y + 17 }, st.name), s('text', { x: x + 8, y: y + 33, class: 'sub' }, STATUS_TEXT[st.status])),
    );
  }
  return svg;
}

export function renderData(reports: DataReport[]): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'h-data' }, h('h2', { id: 'h-data', tabindex: -1 }, 'Data validation'));
  if (reports.length === 0) section.append(h('p', {}, 'No validation report among the pipeline outputs (write one with `mlpipe validate ... --json > reports/validation.json` in a stage).'));
  for (const { path, report: r } of reports) {
    const card = h(
      'article',
      { class: 'report', 'data-report': path },
      h('h3', {}, path, ' ', h('span', { class: `badge ${r.valid ? 's-up-to-date' : 's-changed'}` }, r.valid ? 'valid' : 'invalid')),
      h('p', {}, `${r.data}: ${r.rows} rows, ${r.columns.length} columns; ${r.checks.total} checks, ${r.checks.passed} passed, ${r.checks.errors} errors, ${r.checks.warnings} warnings`),
    );
    if (r.issues.length > 0) {
      card.append(
        h(
          'table',
          { class: 'issues' },
          h('thead', {}, h('tr', {}, ...['Severity', 'Column', 'Rule', 'Rows', 'Message'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...r.issues.map((i) => h('tr', {}, h('td', { class: i.severity }, i.severity), h('td', {}, i.column ?? '(table)'), h('td', {}, i.rule), h('td', {}, fmt(i.count)), h('td', {}, i.message)))),
        ),
      );
    }
    if (r.drift) {
      card.append(
        h('h4', {}, `Drift against ${r.drift.reference}`),
        h('ul', {}, ...r.drift.columns.map((c) => h('li', {}, `${c.column}: ${c.method} ${Number(c.statistic).toPrecision(3)} — ${c.drifted ? 'drifted' : 'no drift'}`))),
      );
    }
    section.append(card);
  }
  return section;
}

export function renderModels(models: ModelsData): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'h-models' }, h('h2', { id: 'h-models', tabindex: -1 }, 'Models'));
  const { folders, registry } = models;
  if (folders.length === 0) {
    section.append(h('p', {}, 'No model folder (model.json) among the pipeline outputs.'));
  } else {
    const head = ['Folder', 'Name', 'Version', 'Algorithm', 'Task', 'Target', 'Metrics', 'Params', 'Data md5', 'Created'];
    section.append(
      table(
        'models',
        head,
        folders.map((m) => [m.path, m.name, m.version, m.algorithm, m.task, m.target, kv(m.metrics), kv(m.params), m.dataHash.slice(0, 8), m.createdAt]),
      ),
    );
  }
  section.append(h('h3', { id: 'h-registry' }, 'Registry'));
  if (registry.length === 0) {
    section.append(h('p', {}, 'No registered model (mlpipe models register NAME).'));
    return section;
  }
  // Per artifact: the latest version and the version in each stage; then every version.
  const stages = [...new Set(registry.flatMap((a) => Object.keys(a.stages)))].sort();
  section.append(
    table(
      'registry',
      ['Artifact', 'Latest', ...stages.map((s) => `#${s}`)],
      registry.map((a) => [a.name, a.latest ?? '', ...stages.map((s) => a.stages[s] ?? '')]),
    ),
    table(
      'registry-versions',
      ['Artifact', 'Version', 'Stages', 'Commit', 'Registered'],
      registry.flatMap((a) => a.versions.map((v) => [a.name, v.version, v.stages.join(', '), v.commit.slice(0, 7), v.createdAt])),
    ),
  );
  return section;
}

function table(id: string, head: string[], rows: string[][]): HTMLElement {
  return h(
    'table',
    { id },
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((v) => h('td', {}, v))))),
  );
}

const kv = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(', ');
