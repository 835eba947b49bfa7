import { readYaml } from './yaml-read.js';
import { MlpipeError } from '../../errors.js';

/**
 * `dvc.lock` (../shared/docs/dvc-format.md §3.3), the reading side versioning needs: the outputs of
 * every stage and their hashes. Entries without `hash:` are legacy (md5-dos2unix). Writing the lock
 * belongs to the pipeline (src/pipeline/lockfile.ts).
 */
export interface LockEntry {
  path: string;
  md5: string | undefined;
  legacy: boolean;
  size: number | undefined;
  nfiles: number | undefined;
  isexec: boolean;
}

export interface LockStage {
  cmd: string | string[];
  deps: LockEntry[];
  params: Record<string, Record<string, unknown>>;
  outs: LockEntry[];
}

export interface DvcLock {
  stages: Record<string, LockStage>;
}

export function parseDvcLock(text: string, where = 'dvc.lock'): DvcLock {
  let data: unknown;
  try {
    data = readYaml(text);
  } catch (err) {
    throw invalid(where, 'valid YAML', (err as Error).message.split('\n')[0] ?? 'a YAML error', err);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid(where, "a mapping with `schema: '2.0'`", String(data));
  const doc = data as Record<string, unknown>;
  if (doc.schema !== '2.0') throw invalid(where, "`schema: '2.0'` (DVC 2.x/3.x lock format)", JSON.stringify(doc.schema));
  const stagesRaw = doc.stages ?? {};
  if (typeof stagesRaw !== 'object' || stagesRaw === null || Array.isArray(stagesRaw)) throw invalid(where, '`stages:` to be a mapping', 'something else');
  const stages: Record<string, LockStage> = {};
  for (const [name, raw] of Object.entries(stagesRaw as Record<string, unknown>)) {
    const at = `${where}: stages.${name}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(at, 'a mapping with `cmd:`', String(raw));
    const s = raw as Record<string, unknown>;
    const cmd = s.cmd;
    if (typeof cmd !== 'string' && !(Array.isArray(cmd) && cmd.every((c) => typeof c === 'string'))) throw invalid(at, '`cmd:` string or list of strings', JSON.stringify(cmd));
    const params = s.params ?? {};
    if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalid(`${at}.params`, 'a mapping of file -> values', 'something else');
    stages[name] = {
      cmd,
      deps: entries(s.deps, `${at}.deps`),
      params: params as Record<string, Record<string, unknown>>,
      outs: entries(s.outs, `${at}.outs`),
    };
  }
  return { stages };
}

function entries(raw: unknown, where: string): LockEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid(where, 'a list', typeof raw);
  return raw.map((item, i) => {
    const at = `${where}[${i}]`;
    if (item === null || typeof item !== 'object') throw invalid(at, 'a mapping with `path:`', String(item));
    const e = item as Record<string, unknown>;
    if (typeof e.path !== 'string' || e.path === '') throw invalid(at, '`path:` string', JSON.stringify(e.path));
    const md5 = e.md5 === undefined || e.md5 === null || e.md5 === '' ? undefined : String(e.md5).toLowerCase();
    if (md5 !== undefined && !/^[0-9a-f]{32}(\.dir)?$/.test(md5)) throw invalid(`${at}.md5`, '32 hex digits, optionally `.dir`', JSON.stringify(md5));
    return {
      path: e.path,
      md5,
      legacy: e.hash === undefined,
      size: typeof e.size === 'number' ? e.size : undefined,
      nfiles: typeof e.nfiles === 'number' ? e.nfiles : undefined,
      isexec: e.isexec === true,
    };
  });
}

function invalid(where: string, expected: string, received: string, cause?: unknown): MlpipeError {
  return new MlpipeError('E_BAD_INPUT', `invalid ${where}`, {
    expected,
    received,
    hint: 'fix the file, or delete dvc.lock and run `mlpipe repro` to regenerate it',
    cause,
  });
}
