import { MlpipeError } from '../../errors.js';
import type { DataOps } from '../data-ops.js';
import { type Values, readMetrics, readParams } from '../metrics.js';
import { type ReproOptions, type ReproResult, repro } from '../repro.js';
import { workspaceReader } from '../revision.js';
import { applyOverrides, parseOverride } from './overrides.js';
import { newExpName, validateExpName } from './queue.js';
import { type ExpRef, findExperiment, git, headCommit, saveExperiment } from './refs.js';

export interface ExpRunOptions extends Omit<ReproOptions, 'dry'> {
  /** `[file:]key=value` overrides. */
  set?: string[];
  /** Experiment name (default `exp-` + 5 random hex digits). */
  name?: string;
  /** Called with the experiment's name before the pipeline runs. */
  onStart?: (name: string) => void;
}

export interface ExpRunResult extends ReproResult {
  experiment: ExpRef;
  params: Values;
  metrics: Values;
}

/**
 * `mlpipe exp run`: applies the overrides to the workspace params, reproduces the pipeline, and
 * records the resulting workspace (params, dvc.lock, metrics) as an experiment commit.
 */
export async function expRun(options: ExpRunOptions): Promise<ExpRunResult> {
  const root = options.ops.root;
  headCommit(root); // fail early outside git
  const overrides = (options.set ?? []).map(parseOverride);
  const name = options.name ?? newExpName();
  validateExpName(name);
  options.onStart?.(name);
  if (overrides.length > 0) applyOverrides(root, overrides);
  const result = await repro(options);
  const reader = workspaceReader(root);
  const params = readParams(reader);
  const metrics = readMetrics(root, reader);
  const setText = overrides.map((o) => `${o.file === 'params.yaml' ? '' : `${o.file}:`}${o.key}=${o.text}`).join(' ');
  const experiment = saveExperiment(root, name, `mlpipe exp run ${name}${setText ? ` -S ${setText}` : ''}`);
  return { ...result, experiment, params, metrics };
}

/**
 * `mlpipe exp apply`: puts the experiment's files (params, dvc.lock, code) into the workspace
 * without moving HEAD, then checks its outputs out of the cache.
 */
export async function expApply(options: { ops: DataOps; name: string }): Promise<ExpRef> {
  const root = options.ops.root;
  const exp = findExperiment(root, options.name);
  options.ops.lock();
  try {
    git(root, ['restore', `--source=${exp.commit}`, '--worktree', '--', '.']);
    await options.ops.checkout();
  } finally {
    options.ops.unlock();
  }
  return exp;
}

/** `exp save`: records the workspace as it is (outputs committed to the cache first) as an experiment. */
export async function expSave(options: { ops: DataOps; name?: string; message?: string }): Promise<ExpRef> {
  const root = options.ops.root;
  headCommit(root);
  const name = options.name ?? newExpName();
  validateExpName(name);
  const reader = workspaceReader(root);
  const { loadPipeline } = await import('../load.js');
  const pipeline = loadPipeline(reader);
  options.ops.lock();
  try {
    for (const stage of pipeline.stages) for (const out of stage.outs) if (out.cache) await options.ops.commit(out.path).catch(() => undefined);
    return saveExperiment(root, name, options.message ?? `mlpipe exp save ${name}`);
  } finally {
    options.ops.unlock();
  }
}

/** `exp branch EXP BRANCH`: a git branch at the experiment's commit (HEAD does not move). */
export function expBranch(options: { root: string; name: string; branch: string }): ExpRef & { branch: string } {
  const exp = findExperiment(options.root, options.name);
  try {
    git(options.root, ['check-ref-format', '--branch', options.branch]);
  } catch {
    throw new MlpipeError('E_USAGE', `'${options.branch}' is not a valid branch name`, { received: options.branch });
  }
  if (git(options.root, ['for-each-ref', '--format=%(refname)', `refs/heads/${options.branch}`]).trim() !== '') {
    throw new MlpipeError('E_CONFLICT', `branch '${options.branch}' already exists`, { received: options.branch, hint: 'pick another branch name' });
  }
  git(options.root, ['branch', options.branch, exp.commit]);
  return { ...exp, branch: options.branch };
}
