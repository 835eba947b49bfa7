import type { Version } from './state.js';
import { tableStamp } from './views.js';

/**
 * A model card (in the spirit of Mitchell et al., "Model Cards for Model Reporting") built from
 * what the repository already knows about a registered version: the registry (version, stages,
 * commit), the dvc.yaml artifact declaration, model.json (task, target, features, metrics, params,
 * lineage, importance) and dvc.lock at that commit (md5 of each data dependency). Rendered as
 * Markdown and as one self-contained HTML file (inline CSS and SVG, no scripts, no fetches).
 */
export interface CardInput {
  name: string;
  version: Version;
  stages: string[];
  declaration?: { path: string; type?: string; desc?: string; labels?: string[]; meta?: Record<string, unknown> };
  /** model.json as stored (read loosely: older models lack lineage and importance). */
  model: Record<string, unknown>;
  /** Data dependencies of the producing stage as dvc.lock recorded them at the commit. */
  lockDeps: { path: string; md5: string }[];
  /** Metrics files at the commit (flattened key -> value). */
  metrics: Record<string, number | string | boolean>;
}

export interface CardData {
  title: string;
  summary: { label: string; value: string }[];
  predicts: string;
  data: { path: string; md5: string; source: string }[];
  metrics: { name: string; value: string }[];
  features: { name: string; type: string; importance: number | null }[];
  lineage: { label: string; value: string }[];
  params: string;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const num = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '')) : str(v));

/** Scalar metrics of a nested object, dotted keys (confusion matrices and per-class tables left out). */
function scalars(prefix: string, v: unknown, out: { name: string; value: string }[]): void {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') out.push({ name: prefix, value: num(v) });
  else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (k !== 'per_class') scalars(prefix ? `${prefix}.${k}` : k, x, out);
}

export function cardData(input: CardInput): CardData {
  const m = input.model;
  const v = input.version;
  const lineage = (m.lineage ?? {}) as { git?: { commit: string; dirty: boolean } | null; stage?: string | null; data?: { path: string; md5: string }[]; trainingSeconds?: number };
  const classes = Array.isArray(m.classes) ? (m.classes as string[]) : null;
  const task = str(m.task);
  const predicts =
    `A ${task || 'tabular'} ${str(m.algorithm)} model that predicts "${str(m.target)}"` +
    (classes ? ` (classes: ${classes.join(', ')})` : '') +
    ` from ${Array.isArray(m.inputSchema) ? m.inputSchema.length : 0} input columns.` +
    (input.declaration?.desc ? ` ${input.declaration.desc}.` : '');
  const metrics: { name: string; value: string }[] = [];
  scalars('', (m.metrics as Record<string, unknown> | undefined)?.test ?? {}, metrics);
  for (const [k, x] of Object.entries(input.metrics)) metrics.push({ name: `${k} (metrics file)`, value: num(x) });
  const importance = Array.isArray(m.importance) ? (m.importance as number[]) : null;
  const schema = new Map(((m.inputSchema as { name: string; type: string }[] | undefined) ?? []).map((c) => [c.name, c.type]));
  const features = ((m.features as string[] | undefined) ?? []).map((f, i) => ({ name: f, type: schema.get(f) ?? 'derived', importance: importance?.[i] ?? null }));
  const lockByPath = new Map(input.lockDeps.map((d) => [d.path, d.md5]));
  const data = [
    ...input.lockDeps.map((d) => ({ path: d.path, md5: d.md5, source: 'dvc.lock' })),
    ...(lineage.data ?? []).filter((d) => !lockByPath.has(d.path)).map((d) => ({ ...d, source: 'model.json' })),
  ];
  for (const d of data) {
    const recorded = (lineage.data ?? []).find((x) => x.path === d.path);
    if (d.source === 'dvc.lock' && recorded && recorded.md5 !== d.md5) d.source = `dvc.lock (model.json recorded ${recorded.md5}: trained on other data)`;
  }
  return {
    title: `Model card: ${input.name} ${v.version}`,
    summary: [
      { label: 'Artifact', value: input.name },
      { label: 'Version', value: v.version },
      { label: 'Stages', value: input.stages.join(', ') || '(none)' },
      { label: 'Commit', value: v.commit },
      { label: 'Registered', value: tableStamp(v.authoring.createdAt) },
      ...(input.declaration ? [{ label: 'Path', value: input.declaration.path }] : []),
      ...(input.declaration?.labels?.length ? [{ label: 'Labels', value: input.declaration.labels.join(', ') }] : []),
    ],
    predicts,
    data,
    metrics,
    features,
    lineage: [
      { label: 'Trained at commit', value: lineage.git ? `${lineage.git.commit}${lineage.git.dirty ? ' (with uncommitted changes)' : ''}` : 'unknown (not a git work tree)' },
      { label: 'Pipeline stage', value: lineage.stage ?? '(trained outside a pipeline)' },
      { label: 'Algorithm', value: str(m.algorithm) },
      { label: 'Trained on', value: str(m.createdAt) },
      { label: 'Training time', value: lineage.trainingSeconds !== undefined ? `${lineage.trainingSeconds} s` : 'unknown' },
      { label: 'mlpipe version', value: str(m.mlpipeVersion) },
      { label: 'Model content version', value: str(m.version) },
      ...Object.entries(input.declaration?.meta ?? {}).map(([k, x]) => ({ label: `meta.${k}`, value: str(x) })),
    ],
    params: JSON.stringify(m.params ?? {}, null, 2),
  };
}

const INTENDED_USE = 'To be completed by the model owner: the decisions this model supports, who uses it, the populations it was validated on, and the uses it must not be put to.';

const mdCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderMarkdown(c: CardData): string {
  const lines = [`# ${c.title}`, ''];
  for (const s of c.summary) lines.push(`- **${s.label}:** ${s.label === 'Commit' ? `\`${s.value}\`` : s.value}`);
  lines.push('', '## What it predicts', '', c.predicts, '', '## Intended use', '', `_${INTENDED_USE}_`, '', '## Data', '');
  lines.push('| data | md5 | recorded in |', '|---|---|---|', ...c.data.map((d) => `| ${mdCell(d.path)} | \`${d.md5}\` | ${mdCell(d.source)} |`));
  lines.push('', '## Metrics', '', '| metric | value |', '|---|---:|', ...c.metrics.map((m) => `| ${mdCell(m.name)} | ${m.value} |`));
  lines.push('', '## Features and importance', '', '| feature | input type | importance |', '|---|---|---:|');
  lines.push(...c.features.map((f) => `| ${mdCell(f.name)} | ${f.type} | ${f.importance === null ? '-' : num(f.importance)} |`));
  lines.push('', '## Lineage', '');
  for (const l of c.lineage) lines.push(`- **${l.label}:** ${l.value}`);
  lines.push('', '<details><summary>Training parameters</summary>', '', '```json', c.params, '```', '', '</details>', '');
  return lines.join('\n');
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Horizontal bars of feature importance, largest first, as inline SVG. */
function importanceSvg(features: CardData['features']): string {
  const rows = features.filter((f) => f.importance !== null).sort((a, b) => (b.importance as number) - (a.importance as number));
  if (rows.length === 0) return '<p class="muted">This algorithm reports no feature importance.</p>';
  const max = Math.max(...rows.map((r) => r.importance as number), 1e-12);
  const h = 22;
  const bars = rows
    .map((r, i) => {
      const w = Math.max(1, Math.round(((r.importance as number) / max) * 360));
      return `<g transform="translate(0,${i * h})"><text x="170" y="15" text-anchor="end">${esc(r.name)}</text><rect class="bar" x="180" y="3" width="${w}" height="${h - 6}"><title>${esc(r.name)}: ${num(r.importance)}</title></rect><text x="${186 + w}" y="15">${num(r.importance)}</text></g>`;
    })
    .join('');
  return `<svg role="img" aria-label="feature importance" width="620" height="${rows.length * h}" viewBox="0 0 620 ${rows.length * h}">${bars}</svg>`;
}

export function renderHtml(c: CardData): string {
  const table = (head: string[], rows: string[][], numeric: number[] = []) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
      .map((r) => `<tr>${r.map((x, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${esc(x)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const dl = (items: { label: string; value: string }[]) => `<dl>${items.map((i) => `<dt>${esc(i.label)}</dt><dd>${esc(i.value)}</dd>`).join('')}</dl>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.6rem}h2{font-size:1.2rem;border-bottom:1px solid #dde;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef}
td.num{text-align:right;font-variant-numeric:tabular-nums}code,pre{font-family:ui-monospace,monospace;font-size:.9em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
.muted{color:#667}.intended{background:#fff8e6;border-left:4px solid #e0a800;padding:.5rem 1rem}
svg text{font-size:12px;fill:#1d2330}svg .bar{fill:#3b6fd8}pre{background:#f5f6fa;padding:.75rem;overflow:auto}
</style></head><body>
<h1>${esc(c.title)}</h1>
<section id="summary">${dl(c.summary)}</section>
<section id="predicts"><h2>What it predicts</h2><p>${esc(c.predicts)}</p></section>
<section id="intended-use"><h2>Intended use</h2><p class="intended">${esc(INTENDED_USE)}</p></section>
<section id="data"><h2>Data</h2>${table(['data', 'md5', 'recorded in'], c.data.map((d) => [d.path, d.md5, d.source]))}</section>
<section id="metrics"><h2>Metrics</h2>${table(['metric', 'value'], c.metrics.map((m) => [m.name, m.value]), [1])}</section>
<section id="features"><h2>Features and importance</h2>${importanceSvg(c.features)}
${table(['feature', 'input type', 'importance'], c.features.map((f) => [f.name, f.type, f.importance === null ? '-' : num(f.importance)]), [2])}</section>
<section id="lineage"><h2>Lineage</h2>${dl(c.lineage)}<details><summary>Training parameters</summary><pre>${esc(c.params)}</pre></details></section>
</body></html>
`;
}
