import { extname } from 'node:path';
import { MlpipeError } from '../../errors.js';
import type { Pipeline } from '../stage.js';
import { type PyValue, isPyDict, toJsonValue } from '../values.js';
import { parseStructured } from '../yaml-read.js';
import { TEMPLATES, type TemplateName } from './templates.js';

/**
 * Which plots a pipeline declares and the data behind them (../shared/docs/dvc-format.md §5.6):
 * top-level `plots:` entries and the `plots:` outputs of stages; CSV/TSV (header row), JSON and
 * YAML (a list of records, or the first list inside a mapping).
 */
export interface PlotDefinition {
  id: string;
  /** Data files and the y columns taken from each (empty: infer the last column). */
  sources: { file: string; y: string[]; x?: string }[];
  template: TemplateName;
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

export type Row = Record<string, unknown>;

export function plotDefinitions(pipeline: Pipeline): PlotDefinition[] {
  const defs = new Map<string, PlotDefinition>();
  for (const p of pipeline.plots) {
    const xOf = (file: string) => (typeof p.x === 'string' ? p.x : p.x?.[file]);
    const sources =
      p.y !== undefined && typeof p.y === 'object' && !Array.isArray(p.y)
        ? Object.entries(p.y).map(([file, y]) => ({ file, y: typeof y === 'string' ? [y] : y, x: xOf(file) }))
        : [{ file: p.id, y: p.y === undefined ? [] : typeof p.y === 'string' ? [p.y] : p.y, x: xOf(p.id) }];
    defs.set(p.id, withLabels({ id: p.id, sources, template: templateOf(p.template, p.id) }, p));
  }
  for (const stage of pipeline.stages) {
    for (const out of stage.outs) {
      if (out.kind !== 'plot' || defs.has(out.path)) continue;
      const props = out.plot ?? {};
      const source = { file: out.path, y: props.y ? [props.y] : [], x: props.x };
      defs.set(out.path, withLabels({ id: out.path, sources: [source], template: templateOf(props.template, out.path) }, props));
    }
  }
  return [...defs.values()];
}

function withLabels(def: PlotDefinition, props: { title?: string; x_label?: string; y_label?: string }): PlotDefinition {
  if (props.title) def.title = props.title;
  if (props.x_label) def.xLabel = props.x_label;
  if (props.y_label) def.yLabel = props.y_label;
  return def;
}

function templateOf(name: string | undefined, id: string): TemplateName {
  const t = name ?? 'linear';
  if (!(TEMPLATES as readonly string[]).includes(t)) {
    throw new MlpipeError('E_PIPELINE', `plot '${id}' asks for an unknown template '${t}'`, {
      expected: TEMPLATES.join(', '),
      received: t,
      hint: 'use one of the default templates in dvc.yaml',
    });
  }
  return t as TemplateName;
}

/** Parses a plot data file into records. */
export async function parsePlotData(text: string, file: string): Promise<Row[]> {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') {
    const { read } = await import('vega');
    return read(text, { type: ext === '.csv' ? 'csv' : 'tsv', parse: 'auto' }) as Row[];
  }
  let data: PyValue = parseStructured(text, file);
  if (isPyDict(data)) data = Object.values(data).find(Array.isArray) ?? [];
  if (!Array.isArray(data)) {
    throw new MlpipeError('E_BAD_INPUT', `plot file ${file} holds no list of records`, {
      expected: 'a CSV/TSV file with a header row, or JSON/YAML holding a list of records',
      received: file,
      hint: `check the format of ${file}`,
    });
  }
  return data.filter(isPyDict).map((r) => toJsonValue(r) as Row);
}
