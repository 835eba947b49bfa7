import type { Experiment, ExperimentsData } from '../types.js';
import { fmt, h } from './dom.js';

/**
 * The experiments table: sort (header buttons), text filter, column chooser, only-changed toggle and
 * row selection for Compare. Only the rows in view are in the DOM (fixed row height, spacer rows
 * above and below), so 1,000 experiments scroll as smoothly as ten.
 */
export const ROW_HEIGHT = 30;
const OVERSCAN = 8;

export interface Column {
  key: string;
  label: string;
  group: 'run' | 'params' | 'metrics' | 'deps';
  get(e: Experiment): unknown;
}

export interface TableState {
  sortKey: string | null;
  sortDir: 1 | -1;
  filter: string;
  onlyChanged: boolean;
  hidden: Set<string>;
  selected: Set<string>;
}

export function newTableState(): TableState {
  return { sortKey: null, sortDir: 1, filter: '', onlyChanged: false, hidden: new Set(), selected: new Set() };
}

export function columnsOf(rows: Experiment[]): Column[] {
  const cols: Column[] = [
    { key: 'name', label: 'Experiment', group: 'run', get: (e) => e.name },
    { key: 'created', label: 'Created', group: 'run', get: (e) => e.timestamp ?? '' },
  ];
  const seen = new Set<string>();
  for (const group of ['params', 'metrics'] as const) {
    for (const e of rows) {
      for (const [file, kv] of Object.entries(e[group])) {
        for (const k of Object.keys(kv)) {
          const key = `${group}:${file}:${k}`;
          if (seen.has(key)) continue;
          seen.add(key);
          cols.push({ key, label: k, group, get: (x) => x[group][file]?.[k] });
        }
      }
    }
  }
  for (const e of rows) {
    for (const path of Object.keys(e.deps)) {
      const key = `deps:${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // a data version shows as the first 8 hex digits of its md5, as `exp show` prints it
      cols.push({ key, label: path, group: 'deps', get: (x) => x.deps[path]?.slice(0, 8) });
    }
  }
  return cols;
}

function compare(a: unknown, b: unknown): number {
  if (a === undefined || a === '' || a === null) return b === undefined || b === '' || b === null ? 0 : 1;
  if (b === undefined || b === '' || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return fmt(a) < fmt(b) ? -1 : fmt(a) > fmt(b) ? 1 : 0;
}

/** Rows after the filter (a case-insensitive substring of any shown value) and the sort. */
export function visibleRows(rows: Experiment[], cols: Column[], state: TableState): Experiment[] {
  const q = state.filter.trim().toLowerCase();
  let out = q ? rows.filter((e) => e.rev.toLowerCase().startsWith(q) || cols.some((c) => fmt(c.get(e)).toLowerCase().includes(q))) : rows.slice();
  const col = cols.find((c) => c.key === state.sortKey);
  if (col) {
    // missing values stay last in both orders
    out = out.sort((a, b) => {
      const va = col.get(a);
      const vb = col.get(b);
      const missing = va === undefined || va === '' || vb === undefined || vb === '';
      return missing ? compare(va, vb) : state.sortDir * compare(va, vb);
    });
  }
  return out;
}

/** Columns shown: not hidden by the chooser and, with only-changed, differing between the rows. */
export function shownColumns(rows: Experiment[], cols: Column[], state: TableState): Column[] {
  return cols.filter((c) => {
    if (state.hidden.has(c.key)) return false;
    if (!state.onlyChanged || c.group === 'run') return true;
    const first = fmt(rows[0] ? c.get(rows[0]) : undefined);
    return rows.some((r) => fmt(c.get(r)) !== first);
  });
}

export function renderTable(data: ExperimentsData, state: TableState, onCompare: () => void): HTMLElement {
  const all = data.experiments;
  const cols = columnsOf(all);
  const count = h('p', { id: 'row-count', 'aria-live': 'polite' });
  const compareBtn = h('button', { id: 'compare', type: 'button', onclick: () => onCompare() });
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { id: 'exp-table', 'aria-rowcount': all.length });
  table.append(thead, tbody);
  const scroller = h('div', { class: 'scroller', tabindex: 0, role: 'region', 'aria-label': 'Experiments table' }, table);
  let rows: Experiment[] = [];
  let shown: Column[] = [];

  const updateCompare = () => {
    const n = state.selected.size;
    compareBtn.textContent = n === 0 ? 'Compare (select rows)' : `Compare ${n} selected`;
    compareBtn.disabled = n === 0;
  };

  const renderHead = () => {
    const groups = h('tr', { class: 'groups' }, h('th', { scope: 'col' }));
    const names = h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')));
    let prev = '';
    for (const c of shown) {
      if (c.group !== prev) {
        groups.append(h('th', { scope: 'colgroup', colspan: shown.filter((x) => x.group === c.group).length, class: `g-${c.group}` }, c.group === 'run' ? '' : c.group));
        prev = c.group;
      }
      const sorted = state.sortKey === c.key;
      const btn = h(
        'button',
        {
          type: 'button',
          class: 'sort',
          'data-col': c.key,
          title: `Sort by ${c.key}`,
          onclick: () => {
            state.sortDir = sorted ? (state.sortDir === 1 ? -1 : 1) : 1;
            state.sortKey = c.key;
            refresh();
          },
        },
        c.label,
        sorted ? (state.sortDir === 1 ? ' ▲' : ' ▼') : '',
      );
      names.append(h('th', { scope: 'col', class: `g-${c.group}`, 'aria-sort': sorted ? (state.sortDir === 1 ? 'ascending' : 'descending') : 'none' }, btn));
    }
    thead.replaceChildren(groups, names);
  };

  const renderBody = () => {
    const top = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const fit = Math.ceil((scroller.clientHeight || 600) / ROW_HEIGHT) + 2 * OVERSCAN;
    const end = Math.min(rows.length, top + fit);
    const span = shown.length + 1;
    const out: HTMLElement[] = [];
    if (top > 0) out.push(h('tr', { class: 'spacer', 'aria-hidden': 'true', style: `height:${top * ROW_HEIGHT}px` }, h('td', { colspan: span })));
    for (let i = top; i < end; i++) {
      const e = rows[i]!;
      const box = h('input', {
        type: 'checkbox',
        'aria-label': `Select ${e.name}`,
        checked: state.selected.has(e.rev),
        onchange: (ev: Event) => {
          if ((ev.target as HTMLInputElement).checked) state.selected.add(e.rev);
          else state.selected.delete(e.rev);
          updateCompare();
        },
      });
      const tr = h('tr', { class: `row k-${e.kind}`, 'data-rev': e.rev, 'aria-rowindex': i + 1 }, h('td', {}, box));
      for (const c of shown) tr.append(h('td', { 'data-col': c.key, class: `g-${c.group}`, title: c.key === 'name' ? e.rev : undefined }, fmt(c.get(e))));
      out.push(tr);
    }
    if (end < rows.length) out.push(h('tr', { class: 'spacer', 'aria-hidden': 'true', style: `height:${(rows.length - end) * ROW_HEIGHT}px` }, h('td', { colspan: span })));
    tbody.replaceChildren(...out);
  };

  let frame = 0;
  scroller.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderBody();
    });
  });

  const refresh = () => {
    rows = visibleRows(all, cols, state);
    shown = shownColumns(rows, cols, state);
    count.textContent = `${rows.length} of ${all.length} rows`;
    renderHead();
    renderBody();
  };

  const chooser = h(
    'fieldset',
    { class: 'chooser' },
    h('legend', {}, 'Columns'),
    ...cols.map((c) =>
      h(
        'label',
        {},
        h('input', {
          type: 'checkbox',
          'data-col': c.key,
          checked: !state.hidden.has(c.key),
          onchange: (ev: Event) => {
            if ((ev.target as HTMLInputElement).checked) state.hidden.delete(c.key);
            else state.hidden.add(c.key);
            refresh();
          },
        }),
        ` ${c.group === 'run' ? '' : `${c.group}: `}${c.key.replace(/^(params|metrics|deps):/, '')}`,
      ),
    ),
  );
  const filter = h('input', {
    id: 'filter',
    type: 'search',
    value: state.filter,
    placeholder: 'name, sha or value',
    oninput: (ev: Event) => {
      state.filter = (ev.target as HTMLInputElement).value;
      scroller.scrollTop = 0;
      refresh();
    },
  });
  const onlyChanged = h('input', {
    id: 'only-changed',
    type: 'checkbox',
    checked: state.onlyChanged,
    onchange: (ev: Event) => {
      state.onlyChanged = (ev.target as HTMLInputElement).checked;
      refresh();
    },
  });
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('label', { for: 'filter' }, 'Filter '),
    filter,
    h('label', {}, onlyChanged, ' Only changed columns'),
    h('details', {}, h('summary', {}, 'Choose columns'), chooser),
    compareBtn,
  );
  updateCompare();
  const section = h('section', { 'aria-labelledby': 'h-exp' }, h('h2', { id: 'h-exp', tabindex: -1 }, `Experiments on ${data.branch}`), toolbar, count, scroller);
  refresh();
  return section;
}
