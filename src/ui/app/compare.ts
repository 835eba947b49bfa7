import type { PlotDefinition } from '../../pipeline/plots/collect.js';
import { renderTemplate } from '../../pipeline/plots/templates.js';
import { type Series, buildValues } from '../../pipeline/plots/values.js';
import type { Experiment, PlotsData } from '../types.js';
import { fmt, h } from './dom.js';

/**
 * Compare: the params and metrics of the selected revisions side by side (cells that differ from
 * the first column marked), and each declared plot with the revisions overlaid, drawn with the
 * same templates and rows as `mlpipe plots diff`.
 */
export function renderCompare(selected: Experiment[], plots: PlotsData | undefined, embed: EmbedFn): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'h-compare' }, h('h2', { id: 'h-compare', tabindex: -1 }, 'Compare'));
  if (selected.length === 0) {
    section.append(h('p', {}, 'Select rows in the Experiments table, then press Compare.'));
    return section;
  }
  section.append(diffTable(selected));
  const charts = h('div', { class: 'charts', id: 'charts' });
  section.append(h('h3', {}, 'Plots'), charts);
  if (!plots || plots.definitions.length === 0) {
    charts.append(h('p', {}, 'dvc.yaml declares no plots.'));
    return section;
  }
  const label = new Map(selected.map((e) => [e.rev, e.name]));
  for (const def of plots.definitions) {
    const series: Series[] = [];
    for (const e of selected) {
      for (const src of def.sources) {
        const found = plots.series.find((x) => x.rev === e.rev && x.file === src.file);
        if (found) series.push({ rev: label.get(e.rev) ?? e.rev, file: src.file, x: src.x, y: src.y, rows: found.rows });
      }
    }
    const box = h('figure', { class: 'chart', 'data-plot': def.id }, h('figcaption', {}, def.title ?? def.id));
    charts.append(box);
    if (series.length === 0) {
      box.append(h('p', {}, 'No data for the selected revisions.'));
      continue;
    }
    const target = h('div', { class: 'vega' });
    box.append(target);
    void embed(target, renderTemplate(def.template, buildValues(def as PlotDefinition, series)));
  }
  return section;
}

export type EmbedFn = (el: HTMLElement, spec: Record<string, unknown>) => Promise<unknown>;

function diffTable(selected: Experiment[]): HTMLElement {
  const keys: { group: 'params' | 'metrics'; file: string; key: string }[] = [];
  const seen = new Set<string>();
  for (const group of ['params', 'metrics'] as const) {
    for (const e of selected) {
      for (const [file, kv] of Object.entries(e[group])) {
        for (const key of Object.keys(kv)) {
          const id = `${group}:${file}:${key}`;
          if (!seen.has(id)) {
            seen.add(id);
            keys.push({ group, file, key });
          }
        }
      }
    }
  }
  const head = h('tr', {}, h('th', { scope: 'col' }, ''), ...selected.map((e) => h('th', { scope: 'col', title: e.rev }, e.name)));
  const body = keys.map(({ group, file, key }) => {
    const values = selected.map((e) => e[group][file]?.[key]);
    const first = fmt(values[0]);
    return h(
      'tr',
      { 'data-key': `${group}:${file}:${key}` },
      h('th', { scope: 'row' }, `${group === 'params' ? 'param' : 'metric'} ${file}:${key}`),
      ...values.map((v, i) => {
        const differs = i > 0 && fmt(v) !== first;
        return h('td', { class: differs ? 'differs' : undefined }, fmt(v), differs ? h('span', { class: 'sr-only' }, ' (differs)') : null);
      }),
    );
  });
  return h('table', { id: 'diff-table', class: 'diff' }, h('caption', {}, 'Params and metrics; marked cells differ from the first column'), h('thead', {}, head), h('tbody', {}, ...body));
}
