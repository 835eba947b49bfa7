import type { DataReport, ExperimentsData, ModelsData, PipelineData, PlotsData, Snapshot } from '../types.js';

/**
 * Where the views get their data: the server's JSON endpoints, or the snapshot that
 * `mlpipe ui --export` embedded in data.js (window.__MLPIPE_DATA__) for file:// with no server.
 */
export interface Source {
  /** true for an exported site: no live updates. */
  static: boolean;
  version(): Promise<string>;
  experiments(): Promise<ExperimentsData>;
  pipeline(): Promise<PipelineData>;
  plots(revs: string[]): Promise<PlotsData>;
  data(): Promise<DataReport[]>;
  models(): Promise<ModelsData>;
}

declare global {
  interface Window {
    __MLPIPE_DATA__?: Snapshot;
  }
}

export function pickSource(): Source {
  const snap = window.__MLPIPE_DATA__;
  if (snap) {
    return {
      static: true,
      version: async () => snap.version,
      experiments: async () => snap.experiments,
      pipeline: async () => snap.pipeline,
      plots: async (revs) => ({ definitions: snap.plots.definitions, series: snap.plots.series.filter((x) => revs.includes(x.rev)) }),
      data: async () => snap.data,
      models: async () => snap.models,
    };
  }
  const token = new URLSearchParams(location.search).get('token');
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${body.message ?? res.status}`);
    return body as T;
  };
  return {
    static: false,
    version: async () => (await get<{ version: string }>('api/version')).version,
    experiments: () => get('api/experiments'),
    pipeline: () => get('api/pipeline'),
    plots: (revs) => get(`api/plots?revs=${revs.map(encodeURIComponent).join(',')}`),
    data: () => get('api/data'),
    models: () => get('api/models'),
  };
}
