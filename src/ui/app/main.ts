import embed from 'vega-embed';
import './style.css';
import type { ExperimentsData } from '../types.js';
import { renderCompare } from './compare.js';
import { h } from './dom.js';
import { pickSource } from './source.js';
import { newTableState, renderTable } from './table.js';
import { renderData, renderModels, renderPipeline } from './views.js';

/**
 * The dashboard page: five views behind a nav, data from the server's JSON endpoints (live: polls
 * /api/version every 3 s) or from the snapshot an export embedded. No framework, no network beyond
 * its own origin.
 */
const VIEWS = ['experiments', 'compare', 'pipeline', 'data', 'models'] as const;
type View = (typeof VIEWS)[number];
const LABELS: Record<View, string> = { experiments: 'Experiments', compare: 'Compare', pipeline: 'Pipeline', data: 'Data', models: 'Models' };
const POLL_MS = 3000;

const source = pickSource();
const table = newTableState();
let experiments: ExperimentsData | undefined;
let version = '';

const main = h('main', { id: 'view' });
const status = h('p', { id: 'live', 'aria-live': 'polite' });
const nav = h('nav', { 'aria-label': 'Views' }, ...VIEWS.map((v) => h('button', { type: 'button', 'data-view': v, onclick: () => go(v) }, LABELS[v])));

function current(): View {
  const v = location.hash.slice(1) as View;
  return VIEWS.includes(v) ? v : 'experiments';
}

function go(v: View): void {
  if (location.hash !== `#${v}`) location.hash = v; // hashchange renders
  else void render(true);
}

const embedSvg = (el: HTMLElement, spec: Record<string, unknown>) => embed(el, spec as never, { actions: false, renderer: 'svg' });

async function render(focus: boolean): Promise<void> {
  const view = current();
  for (const b of nav.querySelectorAll('button')) b.setAttribute('aria-current', b.dataset.view === view ? 'page' : 'false');
  let el: HTMLElement;
  try {
    if (view === 'experiments' || view === 'compare') experiments ??= await source.experiments();
    const exps = experiments as ExperimentsData;
    switch (view) {
      case 'experiments':
        el = renderTable(exps, table, () => go('compare'));
        break;
      case 'compare': {
        const chosen = exps.experiments.filter((e) => table.selected.has(e.rev));
        el = renderCompare(chosen, chosen.length > 0 ? await source.plots(chosen.map((e) => e.rev)) : undefined, embedSvg);
        break;
      }
      case 'pipeline':
        el = renderPipeline(await source.pipeline());
        break;
      case 'data':
        el = renderData(await source.data());
        break;
      default:
        el = renderModels(await source.models());
    }
  } catch (err) {
    el = h('section', {}, h('h2', { tabindex: -1 }, 'Error'), h('p', { role: 'alert' }, err instanceof Error ? err.message : String(err)));
  }
  const scroll = main.querySelector('.scroller')?.scrollTop ?? 0;
  main.replaceChildren(el);
  if (focus) el.querySelector<HTMLElement>('h2')?.focus();
  else {
    const sc = main.querySelector('.scroller');
    if (sc) sc.scrollTop = scroll;
  }
  document.body.dataset.ready = view;
}

/** Live updates: when the repository's fingerprint changes, drop the cached data and re-render. */
async function poll(): Promise<void> {
  try {
    const v = await source.version();
    if (version && v !== version) {
      experiments = undefined;
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      await render(false);
    }
    version = v;
  } catch {
    status.textContent = 'Server unreachable; retrying';
  }
}

document.body.append(h('header', {}, h('h1', {}, 'mlpipe'), nav, status), main);
window.addEventListener('hashchange', () => void render(true));
void render(false);
if (!source.static) {
  void poll();
  setInterval(() => void poll(), POLL_MS);
} else {
  status.textContent = 'Static export';
}
