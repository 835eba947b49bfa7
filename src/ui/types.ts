import type { PlotDefinition, Row } from '../pipeline/plots/collect.js';

/**
 * The JSON the dashboard's endpoints return (and `ui --export` embeds). Types only: the front end
 * (src/ui/app) imports them too, so this file must not import runtime code.
 */
export type FileValues = Record<string, Record<string, unknown>>; // file -> flattened key -> value

export interface Experiment {
  /** Full commit sha, or 'workspace'. */
  rev: string;
  /** Experiment name, branch name of a baseline, or the short sha. */
  name: string;
  kind: 'workspace' | 'commit' | 'experiment';
  /** The commit an experiment was run from; null for commits and the workspace. */
  baseline: string | null;
  timestamp: string | null;
  params: FileValues;
  metrics: FileValues;
  /** Dependency path -> md5 (the data versions). */
  deps: Record<string, string | null>;
}

export interface ExperimentsData {
  branch: string;
  experiments: Experiment[];
}

export interface StageView {
  name: string;
  cmd: string;
  status: 'changed' | 'up-to-date' | 'never-run' | 'unknown';
  /** The reasons `mlpipe status --json` gives for a changed stage. */
  reasons: unknown[];
  deps: string[];
  outs: { path: string; kind: 'out' | 'metric' | 'plot'; cache: boolean }[];
  params: { file: string; keys: string[] | 'all' }[];
}

export interface PipelineData {
  /** In topological order (upstream first). */
  stages: StageView[];
  edges: [string, string][];
  /** Why the status could not be computed (e.g. a running repro holds the lock); null when it was. */
  statusError: string | null;
}

export interface PlotsData {
  definitions: PlotDefinition[];
  series: { rev: string; file: string; rows: Row[] }[];
}

export interface DataReport {
  path: string;
  report: {
    valid: boolean;
    data: string;
    rows: number;
    columns: string[];
    checks: { total: number; passed: number; errors: number; warnings: number };
    issues: { code: string; severity: string; column: string | null; rule: string; message: string; count: number | null }[];
    drift: { reference: string; columns: { column: string; method: string; statistic: number; drifted: boolean }[] } | null;
  };
}

export interface ModelEntry {
  /** The model folder, relative to the repository. */
  path: string;
  name: string;
  version: string;
  algorithm: string;
  task: string;
  target: string;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
  dataHash: string;
  createdAt: string;
}

/** One artifact of the model registry (GTO's git tags), as `mlpipe models show` sees it. */
export interface RegistryArtifact {
  name: string;
  /** The latest registered version (null when only stages or nothing active remain). */
  latest: string | null;
  /** Each stage held now and the version holding it. */
  stages: Record<string, string>;
  /** Active versions, newest first, with the stages each holds now. */
  versions: { version: string; commit: string; createdAt: string; tag: string | null; stages: string[] }[];
}

/** The Models view: model folders among the pipeline outputs, and the registry. */
export interface ModelsData {
  folders: ModelEntry[];
  registry: RegistryArtifact[];
}

/** Everything at once: what `ui --export` writes into data.js. */
export interface Snapshot {
  version: string;
  experiments: ExperimentsData;
  pipeline: PipelineData;
  plots: PlotsData;
  data: DataReport[];
  models: ModelsData;
}
