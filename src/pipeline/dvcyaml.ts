import { posix } from 'node:path';
import { MlpipeError } from '../errors.js';
import {
  type Context,
  type Where,
  hasTemplate,
  interpolate,
  interpolateString,
  mergeContext,
  splitKeyPath,
  templateError,
} from './interpolate.js';
import type { ParamsDep, Pipeline, PlotProps, Stage, StageDep, StageOut, TopLevelPlot } from './stage.js';
import { type PyDict, type PyValue, isPyDict, pyStr } from './values.js';
import { loadYaml, parseStructured } from './yaml-read.js';

/**
 * dvc.yaml: validation against DVC's schema, `vars`/params.yaml templating, `foreach` and `matrix`
 * expansion, and path resolution (../shared/docs/dvc-format.md §3.2, `dvc:dvc/schema.py`,
 * `dvc:dvc/parsing/__init__.py`). Pure: files named by `vars` are read through `readFile`.
 */
export interface ParseDvcYamlOptions {
  text: string;
  /** Repo-relative POSIX path of the file, e.g. `dvc.yaml` or `sub/dvc.yaml`. */
  file: string;
  /** Reads a repo-relative file; undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
}

const JOIN = '@';
const DEFAULT_PARAMS = 'params.yaml';
const TOP_KEYS = new Set(['stages', 'vars', 'params', 'metrics', 'plots', 'artifacts', 'datasets']);
const STAGE_KEYS = new Set([
  'cmd', 'wdir', 'deps', 'params', 'outs', 'metrics', 'plots', 'frozen', 'meta', 'desc', 'always_changed', 'vars', 'matrix',
]);
const OUT_FLAGS = new Set(['cache', 'persist', 'remote', 'push', 'desc', 'type', 'labels', 'meta', 'checkpoint']);
const PLOT_PROPS = new Set(['template', 'x', 'y', 'x_label', 'y_label', 'title', 'header']);

export function parseDvcYaml(options: ParseDvcYamlOptions): Pipeline {
  const { file } = options;
  const dir = posix.dirname(file);
  let raw: unknown;
  try {
    raw = loadYaml(options.text);
  } catch (err) {
    throw invalid(file, undefined, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'valid YAML');
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isPyDict(raw as PyValue)) throw invalid(file, undefined, 'must be a mapping', 'a mapping with `stages:`');
  const doc = raw as PyDict;
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) throw invalid(file, undefined, `has an unknown top-level key '${key}'`, [...TOP_KEYS].join(', '));
  }
  const ctx = loadVars(doc.vars, { file, field: 'vars' }, dir, options.readFile, true);
  const vars = structuredClone(ctx);
  const rawStages = doc.stages ?? {};
  if (!isPyDict(rawStages)) throw invalid(file, undefined, '`stages` must be a mapping', 'stage name -> definition');
  const stages: Stage[] = [];
  const prefix = file === 'dvc.yaml' ? '' : `${file}:`;
  for (const [name, def] of Object.entries(rawStages)) {
    for (const [genName, genDef, genCtx] of expand(name, def, ctx, file, dir, options.readFile)) {
      stages.push(buildStage(`${prefix}${genName}`, genName, genDef, genCtx, file, dir));
    }
  }
  const seen = new Set<string>();
  for (const s of stages) {
    if (seen.has(s.name)) throw invalid(file, s.name, 'is defined twice (check foreach/matrix keys)', 'unique stage names');
    seen.add(s.name);
  }
  const top: Where = { file, field: 'params' };
  return {
    dvcfile: file,
    stages,
    params: stringList(doc.params, top).map((p) => resolvePath(dir, p, top)),
    metrics: stringList(doc.metrics, { file, field: 'metrics' }).map((p) => resolvePath(dir, p, { file, field: 'metrics' })),
    plots: topLevelPlots(doc.plots, file, dir),
    vars,
  };
}

/** Loads `vars` entries (files, `file:key1,key2`, or inline dicts) plus the default params.yaml. */
function loadVars(
  value: PyValue | undefined,
  where: Where,
  dir: string,
  readFile: (p: string) => string | undefined,
  withDefault: boolean,
  base: Context = {},
): Context {
  const ctx: Context = structuredClone(base);
  if (withDefault) {
    const path = posix.join(dir, DEFAULT_PARAMS);
    const text = readFile(path);
    if (text !== undefined) mergeContext(ctx, asDict(parseStructured(text, path)), DEFAULT_PARAMS, where);
  }
  if (value === undefined || value === null) return ctx;
  if (!Array.isArray(value)) throw templateError(where, '`vars` must be a list', 'a list of files or mappings');
  for (const item of value) {
    if (isPyDict(item)) {
      mergeContext(ctx, item, 'vars', where);
      continue;
    }
    if (typeof item !== 'string') throw templateError(where, '`vars` items must be files or mappings', 'a file or a mapping');
    const [name = '', keys] = splitVarsFile(item);
    const path = posix.join(dir, name);
    if (withDefault && path === posix.join(dir, DEFAULT_PARAMS)) continue; // already loaded
    const text = readFile(path);
    if (text === undefined) throw templateError(where, `vars file '${name}' does not exist`, 'an existing file');
    const data = asDict(parseStructured(text, path));
    const picked = keys === undefined ? data : pick(data, keys, where, name);
    mergeContext(ctx, picked, name, where);
  }
  return ctx;
}

function splitVarsFile(item: string): [string, string[] | undefined] {
  const m = /^(.*\.(?:ya?ml|json|toml|py)):(.+)$/.exec(item);
  if (!m) return [item, undefined];
  return [m[1] as string, (m[2] as string).split(',').map((k) => k.trim())];
}

function pick(data: PyDict, keys: string[], where: Where, file: string): PyDict {
  const out: PyDict = {};
  for (const key of keys) {
    let cur: PyValue | undefined = data;
    const parts = splitKeyPath(key);
    for (const p of parts) cur = isPyDict(cur) ? cur[p] : undefined;
    if (cur === undefined) throw templateError(where, `could not find '${key}' in '${file}'`, 'an existing key');
    let node: PyDict = out;
    parts.slice(0, -1).forEach((p) => {
      if (!isPyDict(node[p])) node[p] = {};
      node = node[p] as PyDict;
    });
    node[parts[parts.length - 1] as string] = cur;
  }
  return out;
}

function asDict(v: PyValue): PyDict {
  return isPyDict(v) ? v : {};
}

type Generated = [name: string, def: PyDict, ctx: Context];

/** Expands `foreach`/`do` and `matrix` into concrete stages named as DVC names them. */
function expand(
  name: string,
  def: PyValue,
  ctx: Context,
  file: string,
  dir: string,
  readFile: (p: string) => string | undefined,
): Generated[] {
  if (name.includes(JOIN) || name.includes(':') || name.includes('/')) {
    throw invalid(file, name, "has a name with '@', ':' or '/'", 'a name of letters, digits, - and _');
  }
  if (!isPyDict(def)) throw invalid(file, name, 'must be a mapping', 'a stage definition with `cmd`');
  if ('foreach' in def || 'do' in def) {
    const extra = Object.keys(def).filter((k) => k !== 'foreach' && k !== 'do');
    if (!('foreach' in def) || !isPyDict(def.do) || extra.length > 0) {
      throw invalid(file, name, 'needs exactly `foreach` and `do` (a stage definition)', 'foreach: <list|dict>, do: {...}');
    }
    const where: Where = { file, stage: name, field: 'foreach' };
    let iterable = def.foreach as PyValue;
    if (typeof iterable === 'string') iterable = interpolateString(iterable, ctx, where);
    const items: [string, PyValue, boolean][] = [];
    if (isPyDict(iterable)) for (const [k, v] of Object.entries(iterable)) items.push([k, v, true]);
    else if (Array.isArray(iterable)) {
      const composite = iterable.some((v) => typeof v === 'object' && v !== null);
      iterable.forEach((v, i) => {
        items.push([composite ? String(i) : keyStr(v), v, false]);
      });
    } else throw invalid(file, name, '`foreach` must be a list or a mapping', 'a list or a mapping');
    return items.map(([key, item, isDict]) => {
      const local: Context = { ...ctx, item };
      if (isDict) local.key = key;
      return withStageVars(`${name}${JOIN}${key}`, def.do as PyDict, local, file, dir, readFile);
    });
  }
  if ('matrix' in def) {
    const where: Where = { file, stage: name, field: 'matrix' };
    if (!isPyDict(def.matrix)) throw invalid(file, name, '`matrix` must be a mapping', 'matrix: {key: [values]}');
    const axes: [string, PyValue[]][] = Object.entries(def.matrix).map(([k, v]) => {
      const values = typeof v === 'string' ? interpolateString(v, ctx, { ...where, field: `matrix.${k}` }) : v;
      if (!Array.isArray(values)) throw invalid(file, name, `matrix.${k} must be a list`, 'a list of values');
      return [k, values];
    });
    let combos: [string[], PyDict][] = [[[], {}]];
    for (const [k, values] of axes) {
      combos = combos.flatMap(([frags, d]) =>
        values.map((v, i): [string[], PyDict] => [
          [...frags, typeof v === 'object' && v !== null ? `${k}${i}` : keyStr(v)],
          { ...d, [k]: v },
        ]),
      );
    }
    const { matrix: _m, ...body } = def;
    return combos.map(([frags, item]) => {
      const key = frags.join('-');
      return withStageVars(`${name}${JOIN}${key}`, body, { ...ctx, item, key }, file, dir, readFile);
    });
  }
  return [withStageVars(name, def, ctx, file, dir, readFile)];
}

function withStageVars(
  name: string,
  def: PyDict,
  ctx: Context,
  file: string,
  dir: string,
  readFile: (p: string) => string | undefined,
): Generated {
  if (def.vars === undefined) return [name, def, ctx];
  const where: Where = { file, stage: name, field: 'vars' };
  const wdir = typeof def.wdir === 'string' ? String(interpolateString(def.wdir, ctx, where)) : '.';
  return [name, def, loadVars(interpolate(def.vars, ctx, where), where, posix.join(dir, wdir), readFile, false, ctx)];
}

/** DVC's `to_str` for foreach/matrix keys. */
function keyStr(v: PyValue): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return pyStr(v);
}

function buildStage(name: string, shortName: string, rawDef: PyDict, ctx: Context, file: string, dir: string): Stage {
  for (const key of Object.keys(rawDef)) {
    if (!STAGE_KEYS.has(key)) {
      throw invalid(file, shortName, `has an unknown key '${key}'`, `one of ${[...STAGE_KEYS].join(', ')}`);
    }
  }
  const { vars: _vars, ...body } = rawDef;
  const def: PyDict = Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, interpolate(v, ctx, { file, stage: shortName, field: k })]),
  );
  const where = (field: string): Where => ({ file, stage: shortName, field });
  const cmd = def.cmd;
  if (typeof cmd !== 'string' && !(Array.isArray(cmd) && cmd.every((c) => typeof c === 'string'))) {
    throw invalid(file, shortName, 'needs `cmd` (a string or a list of strings)', 'cmd: <command>');
  }
  if (def.wdir !== undefined && typeof def.wdir !== 'string') throw invalid(file, shortName, '`wdir` must be a string', 'a folder');
  const wdir = resolvePath(dir, (def.wdir as string | undefined) ?? '.', where('wdir'));
  const deps: StageDep[] = stringList(def.deps, where('deps')).map((p) => ({ defPath: p, path: resolvePath(wdir, p, where('deps')) }));
  const outs: StageOut[] = [
    ...outList(def.outs, 'out', wdir, where('outs')),
    ...outList(def.metrics, 'metric', wdir, where('metrics')),
    ...outList(def.plots, 'plot', wdir, where('plots')),
  ];
  const stage: Stage = {
    name,
    dvcfile: file,
    cmd: cmd as string | string[],
    wdir,
    deps,
    params: paramsDeps(def.params, wdir, where('params')),
    outs,
    frozen: bool(def.frozen, where('frozen')),
    alwaysChanged: bool(def.always_changed, where('always_changed')),
  };
  if (typeof def.desc === 'string') stage.desc = def.desc;
  return stage;
}

function bool(v: PyValue | undefined, where: Where): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw templateError(where, `must be true or false, not ${pyStr(v)}`, 'a boolean');
  return v;
}

function stringList(v: PyValue | undefined, where: Where): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw templateError(where, 'must be a list of paths', 'a list of strings');
  return v as string[];
}

/** `outs`/`metrics`/`plots` items: a path, or `{path: {flags}}`. */
function outList(v: PyValue | undefined, kind: StageOut['kind'], wdir: string, where: Where): StageOut[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw templateError(where, 'must be a list', 'a list of paths or {path: {flags}}');
  return v.map((item) => {
    let defPath: string;
    let flags: PyDict = {};
    if (typeof item === 'string') defPath = item;
    else if (isPyDict(item) && Object.keys(item).length === 1) {
      defPath = Object.keys(item)[0] as string;
      const f = item[defPath];
      if (f !== null && f !== undefined && !isPyDict(f) && !(kind === 'plot' && Array.isArray(f))) {
        throw templateError(where, `flags of '${defPath}' must be a mapping`, 'a mapping of flags');
      }
      flags = isPyDict(f) ? f : Array.isArray(f) ? ((f[0] as PyDict) ?? {}) : {};
    } else throw templateError(where, 'items must be a path or {path: {flags}}', 'a path or a one-key mapping');
    const allowed = kind === 'plot' ? new Set([...OUT_FLAGS, ...PLOT_PROPS]) : OUT_FLAGS;
    for (const k of Object.keys(flags)) {
      if (!allowed.has(k)) throw templateError(where, `'${defPath}' has an unknown flag '${k}'`, [...allowed].join(', '));
    }
    const out: StageOut = {
      defPath,
      path: resolvePath(wdir, defPath, where),
      kind,
      cache: flags.cache !== false,
      persist: flags.persist === true,
      push: flags.push !== false,
    };
    if (typeof flags.remote === 'string') out.remote = flags.remote;
    if (kind === 'plot') {
      const props: PlotProps = {};
      for (const k of PLOT_PROPS) if (k in flags) (props as Record<string, PyValue | undefined>)[k] = flags[k];
      out.plot = props;
    }
    return out;
  });
}

/**
 * `params:` items: `key.path` (params.yaml in wdir) or `{file: [keys]}`; `{file: }` or `{file: []}`
 * tracks the whole file, which overrides keys of the same file (`_merge_params`).
 */
function paramsDeps(v: PyValue | undefined, wdir: string, where: Where): ParamsDep[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw templateError(where, 'must be a list', 'a list of keys or {file: [keys]}');
  const byFile = new Map<string, string[] | 'all'>();
  const add = (file: string, keys: string[] | 'all') => {
    const prev = byFile.get(file);
    if (prev === 'all' || keys === 'all') byFile.set(file, 'all');
    else byFile.set(file, [...(prev ?? []), ...keys.filter((k) => !(prev ?? []).includes(k))]);
  };
  for (const item of v) {
    if (typeof item === 'string') add(DEFAULT_PARAMS, [item]);
    else if (isPyDict(item)) {
      for (const [file, keys] of Object.entries(item)) {
        if (keys === null || (Array.isArray(keys) && keys.length === 0)) add(file, 'all');
        else if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) add(file, keys as string[]);
        else throw templateError(where, `keys of '${file}' must be a list of strings`, '{file: [key, ...]}');
      }
    } else throw templateError(where, 'items must be a key or {file: [keys]}', 'a key or a mapping');
  }
  return [...byFile].map(([defPath, keys]) => ({ defPath, path: resolvePath(wdir, defPath, where), keys }));
}

function topLevelPlots(v: PyValue | undefined, file: string, dir: string): TopLevelPlot[] {
  if (v === undefined || v === null) return [];
  const where: Where = { file, field: 'plots' };
  if (!Array.isArray(v)) throw templateError(where, 'must be a list', 'a list of paths or {id: {x, y, ...}}');
  return v.map((item) => {
    if (typeof item === 'string') return { id: resolvePath(dir, item, where) };
    if (!isPyDict(item) || Object.keys(item).length !== 1) {
      throw templateError(where, 'items must be a path or {id: {props}}', 'a path or a one-key mapping');
    }
    const id = Object.keys(item)[0] as string;
    const props = item[id];
    const plot: TopLevelPlot = { id };
    if (isPyDict(props)) {
      const y = props.y;
      if (typeof props.x === 'string' || isPyDict(props.x)) plot.x = props.x as TopLevelPlot['x'];
      if (typeof y === 'string' || Array.isArray(y) || isPyDict(y)) plot.y = y as TopLevelPlot['y'];
      for (const k of ['template', 'title', 'x_label', 'y_label'] as const) {
        if (typeof props[k] === 'string') plot[k] = props[k] as string;
      }
    }
    // an id that is a file path is relative to the dvc.yaml folder, like the files named in x/y
    if (!plot.y || typeof plot.y === 'string' || Array.isArray(plot.y)) plot.id = resolvePath(dir, id, where);
    else plot.y = Object.fromEntries(Object.entries(plot.y).map(([f, c]) => [resolvePath(dir, f, where), c]));
    if (isPyDict(plot.x)) plot.x = Object.fromEntries(Object.entries(plot.x).map(([f, c]) => [resolvePath(dir, f, where), c]));
    return plot;
  });
}

/** Joins and normalizes a dvc.yaml path; absolute paths and paths leaving the repository are refused. */
export function resolvePath(base: string, p: string, where: Where): string {
  if (hasTemplate(p)) throw templateError(where, `'${p}' still has a template after interpolation`, 'a resolved path');
  if (p === '' || posix.isAbsolute(p) || /^[a-zA-Z]:[\\/]/.test(p) || p.includes('\\')) {
    throw new MlpipeError('E_OUTSIDE_REPO', `${where.file}${where.stage ? `, stage '${where.stage}'` : ''}: path '${p}' is not a relative path inside the repository`, {
      expected: 'a POSIX path relative to the stage folder',
      received: p,
      hint: `fix ${where.field} in ${where.file}`,
    });
  }
  const joined = posix.normalize(posix.join(base, p));
  if (joined === '..' || joined.startsWith('../')) {
    throw new MlpipeError('E_OUTSIDE_REPO', `${where.file}${where.stage ? `, stage '${where.stage}'` : ''}: path '${p}' leaves the repository`, {
      expected: 'a path inside the repository',
      received: p,
      hint: `fix ${where.field} in ${where.file}`,
    });
  }
  return joined.replace(/\/$/, '');
}

function invalid(file: string, stage: string | undefined, problem: string, expected: string): MlpipeError {
  return new MlpipeError('E_PIPELINE', `${file}${stage ? `: stage '${stage}'` : ''} ${problem}`, {
    expected,
    received: stage ?? file,
    hint: `fix ${file}${stage ? ` (stage '${stage}')` : ''}`,
    data: { file, ...(stage ? { stage } : {}) },
  });
}
