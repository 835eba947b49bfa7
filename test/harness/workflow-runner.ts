/**
 * Runs a GitHub Actions workflow's jobs locally, for end-to-end tests of the workflows we ship
 * (there is no GitHub runner here, and no `act`). What it does, and what it stands in for:
 * - jobs run in `needs` order, each in its own workspace; job and step `if:` are evaluated with the
 *   expression evaluator in ./expressions.ts (success()/failure()/always(), github.*, inputs.*,
 *   env.*, steps.*, needs.*, matrix.*); a job whose `if:` uses a status function runs even when
 *   a job it needs failed, as on GitHub;
 * - job `outputs:` are evaluated after its steps and read by later jobs as `needs.<id>.outputs`;
 * - `strategy.matrix` (keys with lists, `include`, or one `${{ fromJSON(...) }}` expression) runs the
 *   job once per combination, one after another (`max-parallel` is not simulated); the job's
 *   result is a failure when any combination failed, and each run is in `instances`;
 * - `run:` steps run in bash (`-eo pipefail`, as GitHub's default shell) with the GITHUB_* variables
 *   and the GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY files;
 * - `actions/checkout` clones a local bare repository standing in for GitHub (shallow by default, as
 *   fetch-depth 1), and checks out the event's commit;
 * - `actions/setup-node` records the requested version (this runner has one Node; it cannot install
 *   another); `actions/cache` always misses (a cold cache, the case that must work);
 * - `actions/upload-artifact` as GitHub's: hidden files and folders (any name starting with `.`,
 *   the given path itself included) are left out unless `include-hidden-files: true` (since v4.4),
 *   and files are stored relative to the least common ancestor of the given paths;
 *   `download-artifact` copies them out;
 * - composite actions: `uses: ./` (this repository's action.yml) and `OWNER/NAME@REF` mapped to a
 *   local folder by `actions`; their steps run with `inputs`, `github.action_path` and `outputs`;
 * - the GITHUB_TOKEN: each job gets the permissions of its `permissions:` (else the workflow's, else
 *   GitHub's restricted default, contents: read), a fork pull request always a read-only token and
 *   no secrets. A pre-receive hook in the bare repository refuses a push from a job without
 *   `contents: write`, and any push to a `protectedBranches` branch; pushes are logged, and
 *   `wouldTrigger` answers whether GitHub would start a workflow for an event (a push made with the
 *   GITHUB_TOKEN starts none, nor a head commit with `[skip ci]`; `on:` branch and tag filters with
 *   GitHub's pattern rules, `filterMatches`), and `triggered` which of several workflows start: a
 *   test fires a workflow on a tag push by running it with `event: 'push'` and `ref: refs/tags/...`;
 * - `actions/checkout` with `fetch-depth: 0` (or `fetch-tags: true`) also fetches every tag;
 * - `concurrency`: the group and cancel-in-progress are evaluated and returned, for tests to compare;
 * - `actions/upload-pages-artifact` stores the site as the artifact `github-pages`, and
 *   `actions/deploy-pages` checks that it is there (nothing is published);
 * - `npm ci` is replaced by a link to the already-installed node_modules of the repository under
 *   test (the registry download is the one step we do not repeat); every other command runs as written.
 * Anything else in `uses:` is an error, so a workflow cannot silently skip a step.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type ExpressionContext, type Value, evaluate, evaluateCondition, interpolate } from './expressions.js';

export interface WorkflowRunOptions {
  workflowFile: string;
  event: 'push' | 'pull_request' | 'workflow_dispatch';
  /** Bare git repository standing in for GitHub. */
  origin: string;
  /** The event's ref, e.g. refs/heads/main or refs/pull/1/merge. */
  ref: string;
  /** The commit the workflow runs on. */
  sha: string;
  /** For pull_request: base and head branch names. */
  baseRef?: string;
  headRef?: string;
  inputs?: Record<string, string>;
  /** Scratch folder for workspaces, artifacts and runner temp. */
  workDir: string;
  /** node_modules to link in place of `npm ci`. */
  nodeModules: string;
  env?: Record<string, string>;
  repository?: string;
  /** Secrets (none reach a fork pull request). */
  secrets?: Record<string, string>;
  /** Repository variables (`vars.*`). */
  vars?: Record<string, string>;
  /** A pull request from a fork: no secrets, a read-only token. */
  fork?: boolean;
  /** Branches a push to which is refused (branch protection). */
  protectedBranches?: string[];
  /** Composite actions by `OWNER/NAME` (without @REF): the folder holding their action.yml. */
  actions?: Record<string, string>;
}

/** One push received by the bare repository during a run. */
export interface PushRecord {
  job: string;
  ref: string;
  /** Pushed with the job's GITHUB_TOKEN: GitHub starts no workflow for it. */
  byGithubToken: boolean;
}

export interface StepResult {
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  output: string;
}

export interface JobResult {
  id: string;
  status: 'success' | 'failure' | 'skipped';
  steps: StepResult[];
  summary: string;
  workspace: string;
  outputs: Record<string, string>;
  /** A matrix job's runs, one per combination (with its `matrix` values). */
  instances?: Array<JobResult & { matrix: Record<string, Value> }>;
}

export interface WorkflowRunResult {
  conclusion: 'success' | 'failure';
  jobs: Record<string, JobResult>;
  /** The job summaries, concatenated in job order. */
  summary: string;
  artifactsDir: string;
  pushes: PushRecord[];
  concurrency?: { group: string; cancelInProgress: boolean };
}

interface StepSpec {
  id?: string;
  name?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  shell?: string;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
}

type Permissions = 'read-all' | 'write-all' | Record<string, string>;

interface JobSpec {
  name?: string;
  permissions?: Permissions;
  needs?: string | string[];
  if?: string | boolean;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown; 'fail-fast'?: unknown; 'max-parallel'?: unknown };
  env?: Record<string, unknown>;
  defaults?: { run?: { 'working-directory'?: string } };
  steps: StepSpec[];
}

interface WorkflowSpec {
  on?: unknown;
  permissions?: Permissions;
  concurrency?: string | { group: string; 'cancel-in-progress'?: string | boolean };
  env?: Record<string, unknown>;
  defaults?: { run?: { 'working-directory'?: string } };
  jobs: Record<string, JobSpec>;
}

export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRunResult> {
  const workflow = parseYaml(readFileSync(options.workflowFile, 'utf8')) as WorkflowSpec;
  const artifactsDir = join(options.workDir, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  const pushLog = installPushHook(options.origin);
  const pushedBefore = readLines(pushLog).length;
  const results: Record<string, JobResult> = {};
  const order = jobOrder(workflow.jobs);
  for (const id of order) {
    results[id] = workflow.jobs[id]?.strategy?.matrix !== undefined
      ? await runMatrixJob(id, workflow, options, results, artifactsDir)
      : await runJob(id, workflow, options, results, artifactsDir);
  }
  const conclusion = Object.values(results).some((j) => j.status === 'failure') ? 'failure' : 'success';
  const pushes = readLines(pushLog)
    .slice(pushedBefore)
    .map((line) => {
      const [job = '', ref = '', token = ''] = line.split(' ');
      return { job, ref, byGithubToken: token === 'token' };
    });
  return {
    conclusion,
    jobs: results,
    summary: order.map((id) => results[id]!.summary).join(''),
    artifactsDir,
    pushes,
    concurrency: concurrencyOf(workflow, options),
  };
}

/**
 * A pre-receive hook standing in for GitHub's checks on a push: a job's token needs
 * `contents: write`, and a protected branch takes no push at all. Pushes from outside a job (the
 * test's own git) pass. Every accepted push is logged for PushRecord.
 */
function installPushHook(origin: string): string {
  const log = join(origin, 'harness-pushes.log');
  if (!existsSync(log)) writeFileSync(log, '');
  const hook = join(origin, 'hooks', 'pre-receive');
  mkdirSync(dirname(hook), { recursive: true });
  writeFileSync(
    hook,
    `#!/bin/sh
[ -z "$MLPIPE_HARNESS_JOB" ] && exit 0
if [ "$MLPIPE_HARNESS_CONTENTS" != write ]; then
  echo "remote: Permission to $MLPIPE_HARNESS_REPOSITORY.git denied to github-actions[bot] (the job's GITHUB_TOKEN has contents: $MLPIPE_HARNESS_CONTENTS)." >&2
  echo "fatal: unable to access: The requested URL returned error: 403" >&2
  exit 1
fi
while read old new ref; do
  for b in $MLPIPE_HARNESS_PROTECTED; do
    if [ "$ref" = "refs/heads/$b" ]; then
      echo "remote: error: GH006: Protected branch update failed for $ref." >&2
      echo "remote: error: Changes must be made through a pull request." >&2
      exit 1
    fi
  done
  echo "$MLPIPE_HARNESS_JOB $ref token" >> "${log}"
done
exit 0
`,
  );
  chmodSync(hook, 0o755);
  return log;
}

function concurrencyOf(workflow: WorkflowSpec, options: WorkflowRunOptions): WorkflowRunResult['concurrency'] {
  const spec = workflow.concurrency;
  if (spec === undefined) return undefined;
  const ctx: ExpressionContext = { jobFailed: false, contexts: { github: githubContext(options, ''), inputs: (options.inputs ?? {}) as Record<string, Value> } };
  if (typeof spec === 'string') return { group: interpolate(spec, ctx), cancelInProgress: false };
  const cancel = spec['cancel-in-progress'];
  return {
    group: interpolate(spec.group, ctx),
    cancelInProgress: typeof cancel === 'boolean' ? cancel : interpolate(String(cancel ?? 'false'), ctx) === 'true',
  };
}

/** The token's permission for `contents` in a job, as GitHub derives it. */
function contentsPermission(job: JobSpec, workflow: WorkflowSpec, options: WorkflowRunOptions): 'read' | 'write' | 'none' {
  if (options.fork) return 'read';
  const perms = job.permissions ?? workflow.permissions;
  if (perms === undefined || perms === 'read-all') return 'read';
  if (perms === 'write-all') return 'write';
  const c = perms.contents;
  return c === 'write' ? 'write' : c === 'read' ? 'read' : 'none';
}

export interface TriggerEvent {
  event: 'push' | 'pull_request' | 'workflow_dispatch';
  /** refs/heads/NAME or refs/tags/NAME (for pull_request: the base branch). */
  ref: string;
  /** The head commit's message (push) or the pull request head commit's. */
  message?: string;
  /** The push was made with a GITHUB_TOKEN (by a workflow). */
  byGithubToken?: boolean;
}

/** The workflow files (of `files`) GitHub would start for the event. */
export function triggered(files: string[], e: TriggerEvent): string[] {
  return files.filter((f) => wouldTrigger(f, e));
}

/** Whether GitHub would start this workflow for the event. */
export function wouldTrigger(workflowFile: string, e: TriggerEvent): boolean {
  if (e.byGithubToken && e.event !== 'workflow_dispatch') return false;
  if ((e.event === 'push' || e.event === 'pull_request') && /\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i.test(e.message ?? '')) return false;
  const on = (parseYaml(readFileSync(workflowFile, 'utf8')) as WorkflowSpec).on;
  const events: Record<string, unknown> =
    typeof on === 'string' ? { [on]: null } : Array.isArray(on) ? Object.fromEntries(on.map((k: string) => [k, null])) : ((on ?? {}) as Record<string, unknown>);
  if (!(e.event in events)) return false;
  const filter = (events[e.event] ?? {}) as { branches?: string[]; tags?: string[]; 'branches-ignore'?: string[]; 'tags-ignore'?: string[] };
  const isTag = e.ref.startsWith('refs/tags/');
  const name = e.ref.replace(/^refs\/(heads|tags)\//, '');
  const matches = (patterns: string[]) => filterMatches(patterns, name);
  if (e.event === 'push') {
    const hasFilters = filter.branches || filter.tags || filter['branches-ignore'] || filter['tags-ignore'];
    if (!hasFilters) return true;
    if (isTag) return filter.tags ? matches(filter.tags) : filter['tags-ignore'] ? !matches(filter['tags-ignore']) : false;
    return filter.branches ? matches(filter.branches) : filter['branches-ignore'] ? !matches(filter['branches-ignore']) : false;
  }
  if (e.event === 'pull_request' && filter.branches) return matches(filter.branches);
  return true;
}

/**
 * Whether a branch or tag name passes a list of GitHub filter patterns ("Filter pattern cheat
 * sheet" in GitHub's workflow syntax docs): patterns apply in order, a match of `pattern` includes
 * the name and a match of `!pattern` excludes it again, so the last matching pattern decides.
 */
export function filterMatches(patterns: string[], name: string): boolean {
  let included = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (globToRegExp(negated ? p.slice(1) : p).test(name)) included = !negated;
  }
  return included;
}

/**
 * One GitHub filter pattern as a regular expression: `*` matches any characters but `/`, `**` any
 * characters; `?` and `+` make the preceding character optional or repeatable; `[...]` is a
 * character class (ranges allowed); every other character (`#`, `@`, `.`, `=`) is literal.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      const double = pattern[i + 1] === '*';
      re += double ? '.*' : '[^/]*';
      if (double) i++;
    } else if (c === '?' || c === '+') {
      re += c;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) throw new Error(`unclosed [ in filter pattern ${pattern}`);
      re += `[${pattern.slice(i + 1, end).replace(/[\\^\]]/g, '\\$&')}]`;
      i = end;
    } else {
      re += c.replace(/[.^$|(){}\\\]]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

function needsOf(job: JobSpec): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function jobOrder(jobs: Record<string, JobSpec>): string[] {
  const done: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (done.includes(id)) return;
    if (path.includes(id)) throw new Error(`workflow jobs form a cycle: ${[...path, id].join(' -> ')}`);
    const job = jobs[id];
    if (!job) throw new Error(`job "${path.at(-1)}" needs unknown job "${id}"`);
    for (const dep of needsOf(job)) visit(dep, [...path, id]);
    done.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return done;
}

function githubContext(options: WorkflowRunOptions, workspace: string): Record<string, Value> {
  const refName = options.ref.replace(/^refs\/(heads|tags)\//, '');
  return {
    event_name: options.event,
    ref: options.ref,
    ref_name: refName,
    sha: options.sha,
    repository: options.repository ?? 'example/mlpipe',
    workspace,
    token: 'harness-github-token',
    run_id: '1',
    run_number: '1',
    actor: 'tester',
    head_ref: options.headRef ?? '',
    base_ref: options.baseRef ?? '',
    event: { inputs: (options.inputs ?? {}) as Record<string, Value> },
  };
}

/** Expands `strategy.matrix` (evaluated with the needs context) and runs the job per combination. */
async function runMatrixJob(
  id: string,
  workflow: WorkflowSpec,
  options: WorkflowRunOptions,
  previous: Record<string, JobResult>,
  artifactsDir: string,
): Promise<JobResult> {
  const job = workflow.jobs[id]!;
  const needs: Record<string, Value> = {};
  for (const dep of needsOf(job)) needs[dep] = { result: previous[dep]?.status ?? 'skipped', outputs: previous[dep]?.outputs ?? {} };
  const ctx: ExpressionContext = {
    jobFailed: false,
    contexts: { github: githubContext(options, ''), inputs: (options.inputs ?? {}) as Record<string, Value>, needs },
  };
  const skipped: JobResult = { id, status: 'skipped', steps: [], summary: '', workspace: '', outputs: {} };
  if (needsOf(job).some((d) => previous[d]?.status !== 'success')) return skipped;
  const spec = job.strategy!.matrix;
  const matrix = (typeof spec === 'string' ? evaluate(spec.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1'), ctx) : spec) as Record<string, Value>;
  const { include, ...axes } = matrix as Record<string, Value> & { include?: Value[] };
  let combos: Record<string, Value>[] = Object.keys(axes).length ? [{}] : [];
  for (const [key, values] of Object.entries(axes)) {
    combos = combos.flatMap((c) => (Array.isArray(values) ? values : [values]).map((v) => ({ ...c, [key]: v })));
  }
  for (const extra of include ?? []) combos.push(extra as Record<string, Value>);
  const instances: NonNullable<JobResult['instances']> = [];
  for (const [i, combo] of combos.entries()) {
    const run = await runJob(id, workflow, options, previous, artifactsDir, { matrix: combo, dir: `${id}-${i + 1}` });
    instances.push({ ...run, matrix: combo });
  }
  if (instances.length === 0) return skipped;
  const status = instances.some((r) => r.status === 'failure') ? 'failure' : instances.every((r) => r.status === 'skipped') ? 'skipped' : 'success';
  return {
    id,
    status,
    steps: instances.flatMap((r) => r.steps),
    summary: instances.map((r) => r.summary).join(''),
    workspace: instances.at(-1)!.workspace,
    outputs: Object.assign({}, ...instances.map((r) => r.outputs)),
    instances,
  };
}

async function runJob(
  id: string,
  workflow: WorkflowSpec,
  options: WorkflowRunOptions,
  previous: Record<string, JobResult>,
  artifactsDir: string,
  instance?: { matrix: Record<string, Value>; dir: string },
): Promise<JobResult> {
  const job = workflow.jobs[id]!;
  const jobDir = join(options.workDir, 'jobs', instance?.dir ?? id);
  const workspace = join(jobDir, 'workspace');
  const temp = join(jobDir, 'temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(temp, { recursive: true });
  const summaryFile = join(temp, 'step_summary.md');
  writeFileSync(summaryFile, '');
  const result: JobResult = { id, status: 'success', steps: [], summary: '', workspace, outputs: {} };

  const needsCtx: Record<string, Value> = {};
  for (const dep of needsOf(job)) needsCtx[dep] = { result: previous[dep]?.status ?? 'skipped', outputs: previous[dep]?.outputs ?? {} };
  const matrixCtx: Record<string, Value> = instance?.matrix ?? {};
  const stepsCtx: Record<string, Value> = {};
  const envAcc: Record<string, string> = {};
  const ctx = (): ExpressionContext => ({
    jobFailed: result.status === 'failure',
    contexts: {
      github: githubContext(options, workspace),
      inputs: (options.inputs ?? {}) as Record<string, Value>,
      env: { ...stringMap(workflow.env, ctx0), ...stringMap(job.env, ctx0), ...envAcc },
      steps: stepsCtx,
      needs: needsCtx,
      matrix: matrixCtx,
      runner: { temp, os: 'Linux' },
      secrets: options.fork ? {} : ((options.secrets ?? {}) as Record<string, Value>),
      vars: (options.vars ?? {}) as Record<string, Value>,
    },
  });
  const ctx0: () => ExpressionContext = () => ({
    jobFailed: false,
    contexts: { github: githubContext(options, workspace), inputs: (options.inputs ?? {}) as Record<string, Value>, matrix: matrixCtx },
  });

  const depFailed = needsOf(job).some((d) => previous[d]?.status !== 'success');
  const statusIf = typeof job.if === 'string' && /\b(success|failure|always|cancelled)\s*\(/.test(job.if);
  if ((depFailed && !statusIf) || !evaluateCondition(job.if, { ...ctx(), jobFailed: depFailed })) {
    result.status = 'skipped';
    return result;
  }

  const jobEnv: Record<string, string> = {
    MLPIPE_HARNESS_JOB: id,
    MLPIPE_HARNESS_CONTENTS: contentsPermission(job, workflow, options),
    MLPIPE_HARNESS_PROTECTED: (options.protectedBranches ?? []).join(' '),
    MLPIPE_HARNESS_REPOSITORY: options.repository ?? 'example/mlpipe',
  };
  const scope: StepScope = { options, workspace, temp, job, workflow, artifactsDir, jobEnv, envAcc, extraPath: [], summaryFile, result };
  await runSteps(job.steps, scope, stepsCtx, ctx, '');
  result.summary = readFileSync(summaryFile, 'utf8');
  for (const [key, expr] of Object.entries(job.outputs ?? {})) result.outputs[key] = interpolate(String(expr), ctx());
  return result;
}

interface StepScope {
  options: WorkflowRunOptions;
  workspace: string;
  temp: string;
  job: JobSpec;
  workflow: WorkflowSpec;
  artifactsDir: string;
  jobEnv: Record<string, string>;
  envAcc: Record<string, string>;
  extraPath: string[];
  summaryFile: string;
  result: JobResult;
}

/** Runs steps (a job's, or a composite action's with its own steps context), in order. */
async function runSteps(
  steps: StepSpec[],
  scope: StepScope,
  stepsCtx: Record<string, Value>,
  ctx: () => ExpressionContext,
  prefix: string,
): Promise<void> {
  const { options, workspace, temp, job, workflow, artifactsDir, envAcc, extraPath, summaryFile, result } = scope;
  for (const [index, step] of steps.entries()) {
    const name = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index + 1}`;
    if (!evaluateCondition(step.if, ctx())) {
      result.steps.push({ name, outcome: 'skipped', output: '' });
      if (step.id) stepsCtx[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
      continue;
    }
    const tag = `${prefix}${index}`;
    const outputFile = join(temp, `output_${tag}`);
    const envFile = join(temp, `env_${tag}`);
    const pathFile = join(temp, `path_${tag}`);
    const stepSummary = join(temp, `summary_${tag}.md`);
    for (const f of [outputFile, envFile, pathFile, stepSummary]) writeFileSync(f, '');
    const env: Record<string, string> = {
      ...baseEnv(options, workspace, temp),
      ...scope.jobEnv,
      ...stringMap(workflow.env, ctx),
      ...stringMap(job.env, ctx),
      ...envAcc,
      ...stringMap(step.env, ctx),
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      GITHUB_PATH: pathFile,
      GITHUB_STEP_SUMMARY: stepSummary,
    };
    if (extraPath.length) env.PATH = `${extraPath.join(':')}:${env.PATH ?? ''}`;
    let ok: boolean;
    let output: string;
    try {
      if (step.uses && isComposite(step.uses, options)) {
        ({ ok, output } = await runComposite(step, ctx(), scope, tag, (outputs) => {
          if (step.id) stepsCtx[step.id] = { outcome: 'success', conclusion: 'success', outputs };
        }));
      } else {
        ({ ok, output } = step.uses
          ? runAction(step, ctx(), options, workspace, artifactsDir)
          : await runShell(step, ctx(), env, workspace, job, workflow));
      }
    } catch (err) {
      ok = false;
      output = err instanceof Error ? err.message : String(err);
    }
    const outputs = { ...((stepsCtx[step.id ?? ''] as { outputs?: Record<string, string> } | undefined)?.outputs ?? {}), ...parseKeyValueFile(outputFile) };
    Object.assign(envAcc, parseKeyValueFile(envFile));
    extraPath.unshift(...readLines(pathFile));
    const stepSummaryText = readFileSync(stepSummary, 'utf8');
    if (stepSummaryText) appendFileSync(summaryFile, stepSummaryText);
    const outcome = ok ? 'success' : 'failure';
    if (step.id) stepsCtx[step.id] = { outcome, conclusion: ok || step['continue-on-error'] ? 'success' : 'failure', outputs };
    result.steps.push({ name: `${prefix ? '  ' : ''}${name}`, outcome, output });
    if (!ok && !step['continue-on-error']) result.status = 'failure';
  }
}

interface ActionSpec {
  inputs?: Record<string, { default?: string }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: StepSpec[] };
}

function isComposite(uses: string, options: WorkflowRunOptions): boolean {
  return uses.startsWith('./') || uses.replace(/@.*$/, '') in (options.actions ?? {});
}

/** A composite action: its steps run in the job, with `inputs`, `github.action_path` and its own steps context. */
async function runComposite(
  step: StepSpec,
  callerCtx: ExpressionContext,
  scope: StepScope,
  tag: string,
  setOutputs: (outputs: Record<string, Value>) => void,
): Promise<{ ok: boolean; output: string }> {
  const uses = step.uses ?? '';
  const actionPath = uses.startsWith('./') ? resolve(scope.workspace, uses) : resolve(scope.options.actions![uses.replace(/@.*$/, '')]!);
  const file = ['action.yml', 'action.yaml'].map((f) => join(actionPath, f)).find((f) => existsSync(f));
  if (!file) return { ok: false, output: `no action.yml in ${actionPath}` };
  const action = parseYaml(readFileSync(file, 'utf8')) as ActionSpec;
  if (action.runs.using !== 'composite') return { ok: false, output: `${uses}: only composite actions are supported` };
  const inputs: Record<string, Value> = {};
  for (const [k, spec] of Object.entries(action.inputs ?? {})) inputs[k] = spec.default ?? '';
  for (const [k, v] of Object.entries(step.with ?? {})) inputs[k] = interpolate(String(v), callerCtx);
  const innerSteps: Record<string, Value> = {};
  const github = { ...(callerCtx.contexts.github as Record<string, Value>), action_path: actionPath };
  const ctx = (): ExpressionContext => ({
    jobFailed: scope.result.status === 'failure',
    contexts: { ...callerCtx.contexts, github, inputs, steps: innerSteps, env: { ...(callerCtx.contexts.env as Record<string, Value>), ...scope.envAcc } },
  });
  for (const s of action.runs.steps) {
    if (s.run !== undefined && s.shell === undefined) return { ok: false, output: `${uses}: a composite run step needs \`shell:\`` };
  }
  const before = scope.result.steps.length;
  await runSteps(action.runs.steps, { ...scope, jobEnv: { ...scope.jobEnv, GITHUB_ACTION_PATH: actionPath } }, innerSteps, ctx, `${tag}_`);
  const inner = scope.result.steps.slice(before);
  const ok = inner.every((s) => s.outcome !== 'failure');
  const outputs: Record<string, Value> = {};
  for (const [k, spec] of Object.entries(action.outputs ?? {})) outputs[k] = interpolate(spec.value, ctx());
  setOutputs(outputs);
  return { ok, output: inner.map((s) => `${s.name}: ${s.outcome}`).join('\n') };
}

function baseEnv(options: WorkflowRunOptions, workspace: string, temp: string): Record<string, string> {
  const eventPath = join(temp, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ inputs: options.inputs ?? {} }));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('GITHUB_') && !k.startsWith('npm_')),
  ) as Record<string, string>;
  return {
    ...inherited,
    ...options.env,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: options.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: options.ref,
    GITHUB_REF_NAME: options.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_SHA: options.sha,
    GITHUB_REPOSITORY: options.repository ?? 'example/mlpipe',
    GITHUB_RUN_ID: '1',
    GITHUB_HEAD_REF: options.headRef ?? '',
    GITHUB_BASE_REF: options.baseRef ?? '',
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
  };
}

function stringMap(map: Record<string, unknown> | undefined, ctx: () => ExpressionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) out[k] = interpolate(String(v), ctx());
  return out;
}

async function runShell(
  step: StepSpec,
  ctx: ExpressionContext,
  env: Record<string, string>,
  workspace: string,
  job: JobSpec,
  workflow: WorkflowSpec,
): Promise<{ ok: boolean; output: string }> {
  const script = interpolate(step.run ?? '', ctx);
  const wd = step['working-directory'] ?? job.defaults?.run?.['working-directory'] ?? workflow.defaults?.run?.['working-directory'];
  const cwd = wd ? resolve(workspace, interpolate(wd, ctx)) : workspace;
  if (/^npm ci( --[a-z-]+)*$/.test(script.trim())) return linkNodeModules(cwd, env);
  if (step.shell && step.shell !== 'bash') throw new Error(`unsupported shell ${step.shell}`);
  // Asynchronous, so that the test runner's own event loop keeps running during long steps.
  return new Promise((done) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.on('error', (err) => done({ ok: false, output: `${output}${String(err)}` }));
    child.on('close', (code) => done({ ok: code === 0, output }));
  });
}

function linkNodeModules(cwd: string, env: Record<string, string>): { ok: boolean; output: string } {
  const modules = env.MLPIPE_HARNESS_NODE_MODULES;
  if (!modules) return { ok: false, output: 'npm ci: no node_modules to link' };
  if (!existsSync(join(cwd, 'package-lock.json'))) return { ok: false, output: `npm ci: no package-lock.json in ${cwd}` };
  if (!existsSync(join(cwd, 'node_modules'))) symlinkSync(modules, join(cwd, 'node_modules'));
  return { ok: true, output: `npm ci: linked ${modules}` };
}

function runAction(
  step: StepSpec,
  ctx: ExpressionContext,
  options: WorkflowRunOptions,
  workspace: string,
  artifactsDir: string,
): { ok: boolean; output: string } {
  const uses = step.uses ?? '';
  const action = uses.replace(/@.*$/, '');
  const withArgs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)]));
  switch (action) {
    case 'actions/checkout': {
      const depth = withArgs['fetch-depth'] ?? '1';
      const git = (args: string[]) => spawnSync('git', ['-c', 'protocol.file.allow=always', ...args], { cwd: workspace, encoding: 'utf8' });
      const init = git(['init', '-q']);
      if (init.status !== 0) return { ok: false, output: init.stderr };
      git(['remote', 'add', 'origin', options.origin]);
      const url = `file://${options.origin}`;
      const depthArgs = depth === '0' ? [] : [`--depth=${depth}`];
      const ref = withArgs.ref || options.sha;
      // As actions/checkout: the whole history (fetch-depth 0) comes with every tag; a shallow fetch
      // takes none unless `fetch-tags: true`.
      const tags = depth === '0' || withArgs['fetch-tags'] === 'true' ? ['+refs/tags/*:refs/tags/*'] : [];
      const branches = git(['fetch', '-q', ...depthArgs, url, '+refs/heads/*:refs/remotes/origin/*', ...tags]);
      if (branches.status !== 0) return { ok: false, output: branches.stderr };
      // The event's commit may not be a branch head (a pull request's merge commit): fetch it by sha.
      const commit = git(['fetch', '-q', ...depthArgs, url, ref]);
      if (commit.status !== 0) return { ok: false, output: commit.stderr };
      const branch = options.ref.startsWith('refs/heads/') && !withArgs.ref ? options.ref.slice('refs/heads/'.length) : undefined;
      const co = branch ? git(['checkout', '-q', '-B', branch, 'FETCH_HEAD']) : git(['checkout', '-q', '--detach', 'FETCH_HEAD']);
      return { ok: co.status === 0, output: `checked out ${ref}${branch ? ` as ${branch}` : ''}\n${co.stderr}` };
    }
    case 'actions/setup-node': {
      const want = withArgs['node-version'] ?? '';
      return { ok: true, output: `node ${want} requested; this runner has ${process.versions.node}` };
    }
    case 'actions/cache':
      return { ok: true, output: `cache miss for ${withArgs.key ?? ''}` };
    case 'actions/upload-artifact': {
      // As actions/upload-artifact: files are stored relative to the least common ancestor of the
      // paths (a single folder's contents sit at the artifact's root).
      const name = withArgs.name ?? 'artifact';
      const patterns = (withArgs.path ?? '')
        .split('\n')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => resolve(workspace, p));
      // A pattern's search path is its literal prefix (the folders before the first wildcard).
      const searchPaths = patterns.map(searchPathOf);
      const hidden = withArgs['include-hidden-files'] !== 'true';
      const files = [...new Set(patterns.flatMap((p, i) => listFiles(searchPaths[i]!, hidden).filter((f) => matchesPattern(p, f))))];
      const policy = withArgs['if-no-files-found'] ?? 'warn';
      if (files.length === 0) {
        return policy === 'error' ? { ok: false, output: `no files found for artifact ${name}` } : { ok: true, output: 'no files' };
      }
      // upload-artifact's root: a single path's folder (or a file's parent); else the least common
      // ancestor of the search paths given.
      const existing = searchPaths.filter((p) => existsSync(p));
      const root = existing.length === 1 ? (statSync(existing[0]!).isDirectory() ? existing[0]! : dirname(existing[0]!)) : commonAncestor(searchPaths);
      const dest = join(artifactsDir, name);
      for (const f of files) cpSync(f, join(dest, relative(root, f)));
      return { ok: true, output: `uploaded ${files.length} file(s) to ${name}` };
    }
    case 'actions/download-artifact': {
      const name = withArgs.name ?? 'artifact';
      const src = join(artifactsDir, name);
      if (!existsSync(src)) return { ok: false, output: `artifact ${name} not found` };
      cpSync(src, resolve(workspace, withArgs.path ?? '.'), { recursive: true });
      return { ok: true, output: `downloaded ${name}` };
    }
    case 'actions/upload-pages-artifact': {
      // As the real action: the folder's files become the artifact `github-pages` (a tar there).
      const src = resolve(workspace, withArgs.path ?? '_site');
      if (!existsSync(join(src, 'index.html'))) return { ok: false, output: `no index.html in ${withArgs.path}` };
      cpSync(src, join(artifactsDir, 'github-pages'), { recursive: true });
      return { ok: true, output: 'uploaded github-pages' };
    }
    case 'actions/deploy-pages': {
      // Nothing to deploy to: check that the job got the artifact upload-pages-artifact made.
      const ok = existsSync(join(artifactsDir, 'github-pages', 'index.html'));
      return { ok, output: ok ? 'deployed github-pages (locally: nothing to publish)' : 'artifact github-pages not found' };
    }
    default:
      throw new Error(`the workflow harness does not know the action ${uses}`);
  }
}

function searchPathOf(pattern: string): string {
  const parts = pattern.split('/');
  const firstGlob = parts.findIndex((p) => /[*?[]/.test(p));
  return firstGlob === -1 ? pattern : parts.slice(0, firstGlob).join('/') || '/';
}

/** `*` matches within a name, `**` any number of folders (a literal path matches itself and what is below it). */
function matchesPattern(pattern: string, file: string): boolean {
  if (!/[*?[]/.test(pattern)) return file === pattern || file.startsWith(`${pattern}/`);
  const re = pattern
    .split('/')
    .map((seg) => (seg === '**' ? '(?:.*/)?' : `${seg.replace(/[.+^${}()|\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]')}/`))
    .join('');
  return new RegExp(`^${re.slice(0, -1)}$`).test(file);
}

/**
 * Files under `path` (or `path` itself), as @actions/glob walks them: with `excludeHidden`, any item
 * whose own name starts with `.` is skipped with everything below it, starting at the search path
 * itself (a literal `p/.dvc/cache` is walked: only `cache` and its descendants' names are checked).
 */
function listFiles(path: string, excludeHidden: boolean): string[] {
  if (!existsSync(path) || (excludeHidden && basename(path).startsWith('.'))) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => listFiles(join(path, name), excludeHidden));
}

function parseKeyValueFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, key, marker] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== marker) value.push(lines[i]!);
      out[key!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function commonAncestor(dirs: string[]): string {
  const split = dirs.map((d) => d.split(sep));
  const first = split[0]!;
  let n = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < n && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(sep) || sep;
}
