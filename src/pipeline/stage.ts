import type { PyValue } from './values.js';

/** One resolved stage of a dvc.yaml (after templating, foreach and matrix), paths made explicit. */
export interface Stage {
  /** `name` for the root dvc.yaml, or `sub/dvc.yaml:name` (DVC's "addressing"). */
  name: string;
  /** Repo-relative POSIX path of the dvc.yaml that defines it. */
  dvcfile: string;
  cmd: string | string[];
  /** Repo-relative POSIX folder the command runs in ('.' for the root). */
  wdir: string;
  deps: StageDep[];
  params: ParamsDep[];
  outs: StageOut[];
  frozen: boolean;
  alwaysChanged: boolean;
  desc?: string;
}

export interface StageDep {
  /** The path as written in dvc.yaml (relative to wdir); dvc.lock records and matches this string. */
  defPath: string;
  /** Repo-relative POSIX path. */
  path: string;
}

export interface ParamsDep {
  /** The params file as written (relative to wdir), default `params.yaml`. */
  defPath: string;
  path: string;
  /** Tracked key paths, or 'all' for a wholly tracked file. */
  keys: string[] | 'all';
}

export interface PlotProps {
  x?: string;
  y?: string;
  template?: string;
  title?: string;
  x_label?: string;
  y_label?: string;
  header?: boolean;
}

export interface StageOut extends StageDep {
  kind: 'out' | 'metric' | 'plot';
  cache: boolean;
  persist: boolean;
  push: boolean;
  remote?: string;
  plot?: PlotProps;
}

/** A top-level `plots:` entry: an id (often a file) with its properties. */
export interface TopLevelPlot {
  id: string;
  /** x as a column name, or file -> column. */
  x?: string | Record<string, string>;
  /** y as a column, columns, or file -> column(s). */
  y?: string | string[] | Record<string, string | string[]>;
  template?: string;
  title?: string;
  x_label?: string;
  y_label?: string;
}

export interface Pipeline {
  dvcfile: string;
  stages: Stage[];
  /** Top-level `params:` files (repo-relative). */
  params: string[];
  /** Top-level `metrics:` files (repo-relative). */
  metrics: string[];
  plots: TopLevelPlot[];
  /** The interpolation context: params.yaml of the dvc.yaml folder merged with `vars`. */
  vars: Record<string, PyValue>;
}

/** The command as the list of lines DVC runs one by one (`_enforce_cmd_list`: `splitlines()`). */
export function commandLines(cmd: string | string[]): string[] {
  return typeof cmd === 'string' ? cmd.split(/\r\n|\r|\n/).filter((l, i, all) => l !== '' || i < all.length - 1) : cmd;
}
