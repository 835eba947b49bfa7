import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MlpipeError } from '../../errors.js';
import { writeFileAtomic } from '../../core/fs/atomic.js';
import { loadLock, loadPipeline, readOutput } from '../load.js';
import { readerFor } from '../revision.js';
import { type PlotDefinition, parsePlotData, plotDefinitions } from './collect.js';
import { plotsHtml } from './html.js';
import { TEMPLATES, type TemplateName, renderTemplate } from './templates.js';
import { type Series, buildValues } from './values.js';

export interface PlotsOptions {
  root: string;
  /** Plot ids or data files to render; all declared plots when empty. */
  targets?: string[];
  /** Revisions to overlay ('workspace' for the working tree); `show` uses the workspace only. */
  revs?: string[];
  /** Output folder (DVC's default `dvc_plots`), relative to the root; the page is `index.html`. */
  out?: string;
  /** DVC's `-x`, `-y`, `--template`, `--title`, `--x-label`, `--y-label`: override the targets' plot properties. */
  props?: PlotProps;
}

export interface PlotProps {
  x?: string;
  y?: string;
  template?: string;
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

export interface PlotsResult {
  /** Absolute path of the HTML page. */
  path: string;
  plots: { id: string; template: string; revisions: string[]; points: number }[];
}

/** `plots show` / `plots diff`: one HTML page with a Vega-Lite chart per declared plot. */
export async function renderPlots(options: PlotsOptions): Promise<PlotsResult> {
  const revs = options.revs && options.revs.length > 0 ? options.revs : ['workspace'];
  const readers = revs.map((rev) => readerFor(options.root, rev));
  const workspacePipeline = loadPipeline(readers[readers.length - 1]!);
  let defs = plotDefinitions(workspacePipeline);
  if (options.targets && options.targets.length > 0) {
    const wanted = new Set(options.targets);
    const declared = defs.filter((d) => wanted.has(d.id) || d.sources.some((s) => wanted.has(s.file)));
    // A data file dvc.yaml does not declare is plotted ad hoc, as `dvc plots show FILE -x COL -y COL`.
    const known = new Set(declared.flatMap((d) => [d.id, ...d.sources.map((s) => s.file)]));
    const adHoc = options.targets
      .filter((t) => !known.has(t) && readers.some((r) => r.read(t) !== undefined))
      .map((t): PlotDefinition => ({ id: t, sources: [{ file: t, y: [] }], template: 'linear' }));
    defs = [...declared, ...adHoc];
    if (defs.length === 0) {
      throw new MlpipeError('E_NOT_FOUND', `no plot named ${options.targets.join(', ')} in dvc.yaml`, {
        expected: 'a plot id or data file declared under `plots:` in dvc.yaml',
        received: options.targets.join(', '),
        hint: 'run `mlpipe plots show` without targets to render every declared plot',
      });
    }
  }
  if (defs.length === 0) {
    throw new MlpipeError('E_NOT_FOUND', 'dvc.yaml declares no plots', {
      expected: 'a top-level `plots:` list or `plots:` outputs of a stage',
      received: 'no plots',
      hint: 'add `plots: [- loss.csv: {x: step, y: loss}]` to a stage in dvc.yaml',
    });
  }
  if (options.props) defs = defs.map((d) => withProps(d, options.props as PlotProps));
  const rendered: { id: string; spec: unknown }[] = [];
  const summary: PlotsResult['plots'] = [];
  for (const def of defs) {
    const series: Series[] = [];
    for (const reader of readers) {
      const lock = loadLock(reader);
      for (const source of def.sources) {
        const text = readOutput(options.root, reader, lock, source.file);
        if (text === undefined) continue;
        series.push({ rev: reader.label, file: source.file, x: source.x, y: source.y, rows: await parsePlotData(text, source.file) });
      }
    }
    if (series.length === 0) continue;
    const input = buildValues(def, series);
    rendered.push({ id: def.id, spec: renderTemplate(def.template, input) });
    summary.push({ id: def.id, template: def.template, revisions: [...new Set(series.map((s) => s.rev))], points: input.values.length });
  }
  if (rendered.length === 0) {
    throw new MlpipeError('E_NOT_FOUND', `no data found for the plots ${defs.map((d) => d.id).join(', ')}`, {
      expected: 'the plot data files to exist (run the pipeline first)',
      received: defs.flatMap((d) => d.sources.map((s) => s.file)).join(', '),
      hint: 'run `mlpipe repro` to produce them',
    });
  }
  const path = resolve(options.root, options.out ?? 'dvc_plots', 'index.html');
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, plotsHtml('mlpipe plots', rendered));
  return { path, plots: summary };
}

function withProps(def: PlotDefinition, props: PlotProps): PlotDefinition {
  if (props.template !== undefined && !(TEMPLATES as readonly string[]).includes(props.template)) {
    throw new MlpipeError('E_USAGE', `unknown plot template '${props.template}'`, { expected: TEMPLATES.join(', '), received: props.template });
  }
  return {
    ...def,
    sources: def.sources.map((s) => ({ ...s, ...(props.x !== undefined ? { x: props.x } : {}), ...(props.y !== undefined ? { y: [props.y] } : {}) })),
    ...(props.template !== undefined ? { template: props.template as TemplateName } : {}),
    ...(props.title !== undefined ? { title: props.title } : {}),
    ...(props.xLabel !== undefined ? { xLabel: props.xLabel } : {}),
    ...(props.yLabel !== undefined ? { yLabel: props.yLabel } : {}),
  };
}
