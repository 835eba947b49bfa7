import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MlpipeError } from '../errors.js';
import { assetsDir } from './assets.js';
import { dataReports, experimentsData, modelsData, pipelineData, plotsData } from './collect.js';
import type { Snapshot } from './types.js';
import { repoVersion } from './version.js';

/** Marks a folder `ui --export` wrote, so that exporting again may replace it (and nothing else). */
const MARKER = '.mlpipe-ui';

export interface ExportOptions {
  root: string;
  /** Output folder (created; replaced only if an earlier export wrote it). */
  dir: string;
}

export interface ExportResult {
  dir: string;
  experiments: number;
  files: string[];
}

/** Everything the views show, with the plot data of every row of the experiments table. */
export async function snapshot(root: string): Promise<Snapshot> {
  const experiments = experimentsData(root);
  return {
    version: repoVersion(root),
    experiments,
    pipeline: await pipelineData(root),
    plots: await plotsData(root, experiments.experiments.map((e) => e.rev)),
    data: dataReports(root),
    models: modelsData(root),
  };
}

/**
 * `mlpipe ui --export DIR`: the front end plus `data.js` (which sets `window.__MLPIPE_DATA__`), so the
 * site opens from file:// with no server and no network. Written to a temp folder, then renamed.
 */
export async function exportSite(options: ExportOptions): Promise<ExportResult> {
  const assets = assetsDir();
  if (!assets) {
    throw new MlpipeError('E_NOT_FOUND', 'the dashboard front end is not built', {
      expected: 'dist/ui/app/index.html',
      received: 'nothing',
      hint: 'run `npm run build` in the mlpipe checkout',
    });
  }
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) {
    throw new MlpipeError('E_CONFLICT', `${options.dir} exists and was not written by \`mlpipe ui --export\``, {
      expected: 'a new or empty folder, or an earlier export',
      received: dir,
      hint: 'choose another folder, or empty this one first',
    });
  }
  const data = await snapshot(options.root);
  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(dirname(dir), { recursive: true });
    cpSync(assets, tmp, { recursive: true });
    // `</` cannot end the script early: data.js is a separate file, but keep it safe to inline too
    writeFileSync(join(tmp, 'data.js'), `window.__MLPIPE_DATA__ = ${JSON.stringify(data).replaceAll('</', '<\\/')};\n`);
    writeFileSync(join(tmp, MARKER), `${data.version}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, experiments: data.experiments.experiments.length, files: readdirSync(dir).sort() };
}
