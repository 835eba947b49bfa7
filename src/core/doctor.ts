import { version } from '../version.js';
import { findRepoRoot } from './repo/find-root.js';
import { git } from './repo/git.js';

export interface Component {
  name: string;
  ok: boolean;
  version: string | null;
}

export interface DoctorReport {
  mlpipe: string;
  platform: string;
  components: Component[];
  repo: string | null;
}

async function probe(name: string, load: () => Promise<string>): Promise<Component> {
  try {
    return { name, ok: true, version: await load() };
  } catch {
    return { name, ok: false, version: null };
  }
}

/** What `mlpipe doctor` reports: our version and which engines this machine can load. */
export async function diagnose(options: { cwd: string }): Promise<DoctorReport> {
  const components = await Promise.all([
    probe('node', async () => process.versions.node),
    probe('git', async () => git(process.cwd(), ['--version']).trim().replace(/^git version /, '')),
    probe('duckdb', async () => {
      const duckdb = await import('@duckdb/node-api');
      return duckdb.version();
    }),
    probe('onnxruntime-node', async () => {
      const ort = await import('onnxruntime-node');
      return ort.env.versions.node ?? ort.env.versions.common ?? 'loaded';
    }),
    probe('better-sqlite3', async () => {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(':memory:');
      const row = db.prepare('select sqlite_version() as v').get() as { v: string };
      db.close();
      return `sqlite ${row.v}`;
    }),
  ]);
  return {
    mlpipe: version(),
    platform: `${process.platform}-${process.arch}`,
    components,
    repo: findRepoRoot(options.cwd) ?? null,
  };
}
