import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { type CommandContext, action, examples } from '../command.js';
import { repeatable as collect, integer, oneOf } from '../options.js';

interface ExpRunFlags {
  setParam: string[];
  name?: string;
  force?: boolean;
  queue?: boolean;
  runAll?: boolean;
  jobs?: number;
}

interface ExpShowFlags {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  num: number;
  onlyChanged?: boolean;
  drop: string[];
  keep: string[];
  sortBy?: string;
  sortOrder: string;
  csv?: boolean;
  md?: boolean;
  precision?: number;
  hideQueued?: boolean;
  hideFailed?: boolean;
}


const positive = integer({ min: 1 });
const digits = integer({ min: 0, max: 100 });
const sortOrder = oneOf(['asc', 'desc']);

export function registerExp(program: Command): void {
  const exp = program
    .command('exp')
    .description('run and compare experiments: the pipeline with changed params, recorded as git refs (refs/exps/...)');
  const run = exp
    .command('run [stages...]')
    .description('apply param overrides, reproduce the pipeline and record the result as an experiment (or queue it)')
    .option('-S, --set-param <[file:]key=value>', 'override a param in the workspace (repeatable)', collect, [])
    .option('-n, --name <name>', 'experiment name (default exp-xxxxx)')
    .option('-f, --force', 'run every stage even if nothing changed')
    .option('--queue', 'queue the experiment instead of running it (run later with --run-all)')
    .option('--run-all', 'run every queued experiment, each in a temporary workspace')
    .option('-j, --jobs <n>', 'with --run-all: experiments run at the same time (default 1)', positive)
    .action(action<[string[]], ExpRunFlags>((ctx, opts, stages) => expRunCommand(ctx, opts, stages)));
  examples(run, [
    'mlpipe exp run -S train.lr=0.2',
    'mlpipe exp run --queue -S train.lr=0.03 && mlpipe exp run --queue -S train.lr=0.1',
    'mlpipe exp run --run-all -j 2',
  ]);

  const show = exp
    .command('show')
    .description('table of the workspace, the baseline commit and its experiments with metrics, params and deps')
    .option('-a, --all-branches', 'experiments of the tip of every branch')
    .option('-T, --all-tags', 'experiments of every tag')
    .option('-A, --all-commits', 'experiments of every commit')
    .option('-n, --num <n>', 'experiments of HEAD and the n-1 commits before it', positive, 1)
    .option('--only-changed', 'only the columns whose values differ between rows')
    .option('--drop <regex>', 'leave out the columns matching the regex (repeatable)', collect, [])
    .option('--keep <regex>', 'keep the columns matching the regex from --drop and --only-changed (repeatable)', collect, [])
    .option('--sort-by <[file:]name>', 'sort experiments by a metric or param')
    .option('--sort-order <order>', 'asc or desc', sortOrder, 'asc')
    .option('--csv', 'print CSV')
    .option('--md', 'print a markdown table')
    .option('--precision <n>', 'round floats to n digits (default 5; CSV: as stored)', digits)
    .option('--hide-queued', 'leave out queued experiments')
    .option('--hide-failed', 'leave out failed experiments')
    .option('--no-pager', 'accepted for DVC compatibility (mlpipe never pages)')
    .action(
      action<[], ExpShowFlags>(async (ctx, opts) => {
        const { collectExperiments, sortExperiments } = await import('../../pipeline/exp/show.js');
        const { renderExpShow, expShowJson } = await import('../render/exp-show.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const { toJsonValue } = await import('../../pipeline/values.js');
        if (opts.csv && opts.md) throw new MlpipeError('E_USAGE', '--csv and --md cannot be used together', { hint: 'pick one output format' });
        const data = collectExperiments({
          root: requireRoot(ctx.cwd),
          num: opts.num,
          allBranches: opts.allBranches,
          allTags: opts.allTags,
          allCommits: opts.allCommits,
          hideQueued: opts.hideQueued,
          hideFailed: opts.hideFailed,
        });
        if (opts.sortBy !== undefined || opts.sortOrder !== 'asc') sortExperiments(data, opts.sortBy ?? '', opts.sortOrder);
        const text = ctx.out.json
          ? ''
          : renderExpShow(data, {
              format: opts.csv ? 'csv' : opts.md ? 'md' : 'table',
              onlyChanged: opts.onlyChanged,
              keep: opts.keep,
              drop: opts.drop,
              precision: opts.precision,
              width: terminalWidth(),
            });
        ctx.out.result(toJsonValue(expShowJson(data) as never), () => ctx.out.line(text.replace(/\n$/, '')));
      }),
    );
  examples(show, ['mlpipe exp show', 'mlpipe exp show --only-changed --sort-by loss', 'mlpipe exp show --drop "train\\." --csv > exps.csv']);

  const list = exp
    .command('list [git_remote]')
    .description('experiments of HEAD (or of every commit), by baseline')
    .option('-A, --all-commits', 'experiments of every baseline commit')
    .option('--name-only', 'only the experiment names')
    .action(
      action<[string | undefined], { allCommits?: boolean; nameOnly?: boolean }>(async (ctx, opts, remote) => {
        const { listExperiments, git, headCommit } = await import('../../pipeline/exp/refs.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const root = requireRoot(ctx.cwd);
        let exps = remote ? remoteExperiments(git(root, ['ls-remote', remote, 'refs/exps/*'])) : listExperiments(root);
        if (!opts.allCommits) {
          const head = headCommit(root);
          exps = exps.filter((e) => e.baseline === head);
        }
        const byBaseline = new Map<string, typeof exps>();
        for (const e of exps) byBaseline.set(e.baseline, [...(byBaseline.get(e.baseline) ?? []), e]);
        ctx.out.result(
          Object.fromEntries([...byBaseline].map(([b, es]) => [b, es.map((e) => ({ name: e.name, rev: e.commit, ref: e.ref }))])),
          () => {
            for (const [baseline, es] of byBaseline) {
              if (!opts.nameOnly) ctx.out.line(`${baselineName(git, root, baseline)}:`);
              for (const e of es) ctx.out.line(opts.nameOnly ? e.name : `\t${e.commit.slice(0, 7)} [${e.name}]`);
            }
          },
        );
      }),
    );
  examples(list, ['mlpipe exp list', 'mlpipe exp list --name-only', 'mlpipe exp list origin -A']);

  const diff = exp
    .command('diff [a] [b]')
    .description('changed metrics and params between two experiments or revisions (default: HEAD and the workspace)')
    .option('--all', 'unchanged values too')
    .option('--md', 'print markdown tables')
    .option('--precision <n>', 'round floats to n digits (default 5)', digits)
    .action(
      action<[string | undefined, string | undefined], { all?: boolean; md?: boolean; precision?: number }>(async (ctx, opts, a, b) => {
        const { expDiff } = await import('../../pipeline/exp/diff.js');
        const { diffTable } = await import('../render/metrics.js');
        const { diffJson } = await import('../../pipeline/report-json.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const result = expDiff({ root: requireRoot(ctx.cwd), a, b, all: opts.all });
        ctx.out.result({ metrics: diffJson(result.metrics), params: diffJson(result.params) }, () => {
          const precision = opts.precision;
          const tables: string[] = [];
          if (Object.keys(result.metrics.diff).length > 0) tables.push(diffTable(result.metrics, { title: 'Metric', withChange: true, markdown: opts.md, precision }));
          if (Object.keys(result.params.diff).length > 0) tables.push(diffTable(result.params, { title: 'Param', withChange: true, markdown: opts.md, precision }));
          if (tables.length > 0) ctx.out.line(tables.join('\n\n'));
        });
      }),
    );
  examples(diff, ['mlpipe exp diff', 'mlpipe exp diff main exp-a3', 'mlpipe exp diff exp-a2 exp-a3 --md']);

  const remove = exp
    .command('remove [names...]')
    .alias('rm')
    .description('remove experiments (their refs) and queued experiments')
    .option('-A, --all-commits', 'every experiment of every baseline')
    .option('-q, --queue', 'every queued experiment')
    .action(
      action<[string[]], { allCommits?: boolean; queue?: boolean }>(async (ctx, opts, names) => {
        const { expRemove } = await import('../../pipeline/exp/diff.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        if (names.length === 0 && !opts.allCommits && !opts.queue) {
          throw new MlpipeError('E_USAGE', 'name the experiments to remove, or use --all-commits or --queue', { hint: 'see `mlpipe exp list --name-only`' });
        }
        const removed = expRemove({ root: requireRoot(ctx.cwd), names, allCommits: opts.allCommits, queue: opts.queue });
        ctx.out.result({ removed }, () =>
          ctx.out.line(removed.length === 0 ? 'No experiments to remove.' : `Removed experiments: ${humanJoin(removed.map((n) => `'${n}'`))}`),
        );
      }),
    );
  examples(remove, ['mlpipe exp remove exp-b5', 'mlpipe exp remove --queue', 'mlpipe exp remove -A']);

  const branch = exp
    .command('branch <experiment> <branch>')
    .description('make a git branch from an experiment (HEAD does not move)')
    .action(
      action<[string, string], Record<string, never>>(async (ctx, _opts, name, branchName) => {
        const { expBranch } = await import('../../pipeline/exp/experiments.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const made = expBranch({ root: requireRoot(ctx.cwd), name, branch: branchName });
        ctx.out.result(made, () => {
          ctx.out.line(`Git branch '${branchName}' has been created from experiment '${made.name}'.`);
          ctx.out.line(`Switch to the new branch with:\n\n\tgit checkout ${branchName}`);
        });
      }),
    );
  examples(branch, ['mlpipe exp branch exp-a3 tune-a']);

  const save = exp
    .command('save')
    .description('record the workspace as it is as an experiment (no pipeline run)')
    .option('-n, --name <name>', 'experiment name (default exp-xxxxx)')
    .option('-m, --message <text>', 'commit message of the experiment')
    .action(
      action<[], { name?: string; message?: string }>(async (ctx, opts) => {
        const { openDataOps } = await import('../../pipeline/core-ops.js');
        const { expSave } = await import('../../pipeline/exp/experiments.js');
        const ops = openDataOps(ctx.cwd);
        try {
          const saved = await expSave({ ops, name: opts.name, message: opts.message });
          ctx.out.result(saved, () => ctx.out.line(`Experiment has been saved as: ${saved.name}`));
        } finally {
          ops.close();
        }
      }),
    );
  examples(save, ['mlpipe exp save -n baseline-notebook']);

  const apply = exp
    .command('apply <name>')
    .description("put an experiment's params, dvc.lock and outputs into the workspace (HEAD does not move)")
    .action(
      action<[string], Record<string, never>>(async (ctx, _opts, name) => {
        const { openDataOps } = await import('../../pipeline/core-ops.js');
        const { expApply } = await import('../../pipeline/exp/experiments.js');
        const ops = openDataOps(ctx.cwd);
        try {
          const applied = await expApply({ ops, name });
          ctx.out.result(applied, () => ctx.out.line(`Changes for experiment '${applied.name}' have been applied to your workspace.`));
        } finally {
          ops.close();
        }
      }),
    );
  examples(apply, ['mlpipe exp apply exp-1a2b3', 'mlpipe exp apply big && git commit -am "adopt big"']);

  for (const direction of ['push', 'pull'] as const) {
    const sync = exp
      .command(`${direction} <git_remote> [experiments...]`)
      .description(
        direction === 'push'
          ? 'send experiment refs to a git remote, and their cached outputs to the data remote'
          : 'fetch experiment refs from a git remote, and their cached outputs from the data remote',
      )
      .option('-r, --remote <name>', 'data remote for the outputs (default: the default remote)')
      .option('--no-cache', 'only the git refs, not the outputs')
      .action(
        action<[string, string[]], { remote?: string; cache: boolean }>(async (ctx, opts, remote, names) => {
          const { syncExperimentRefs } = await import('../../pipeline/exp/sync.js');
          const { requireRoot } = await import('../../pipeline/root.js');
          const root = requireRoot(ctx.cwd);
          const experiments = syncExperimentRefs(root, remote, direction, names);
          let data: import('../../remote/sync.js').SyncResult | undefined;
          if (opts.cache && experiments.length > 0) {
            const { pushToRemote, fetchFromRemote } = await import('../../remote/sync.js');
            const { isMlpipeError } = await import('../../errors.js');
            const sync = { cwd: root, remote: opts.remote, revs: experiments.map((e) => e.commit), progress: ctx.out.progress, signal: ctx.signal };
            try {
              data = direction === 'push' ? await pushToRemote(sync) : await fetchFromRemote(sync);
            } catch (err) {
              // no data remote configured and none asked for: the refs alone (DVC skips the cache then too)
              if (opts.remote !== undefined || !isMlpipeError(err) || err.code !== 'E_REMOTE_NOT_FOUND') throw err;
            }
          }
          const result = { experiments, data };
          ctx.out.result(result.experiments, () => {
            ctx.out.line(`${result.experiments.length} experiment(s) ${direction === 'push' ? 'on' : 'from'} ${remote}`);
            if (result.data) ctx.out.line(`${result.data.transferred} file(s) ${direction === 'push' ? 'pushed to' : 'fetched from'} ${result.data.remote}`);
          });
        }),
      );
    examples(sync, [`mlpipe exp ${direction} origin`, `mlpipe exp ${direction} origin exp-a3 --no-cache`]);
  }

  const sweep = exp
    .command('sweep <grid>')
    .description('expand a grid ("train.lr=0.03,0.1;train.max_depth=4,8") into experiments and queue them (--dry: only print)')
    .option('--dry', 'print the points without queueing them')
    .option('--prefix <name>', 'experiment names are <prefix>-1, <prefix>-2, ... (default sweep)', 'sweep')
    .option('--report <metric>', "don't queue: a markdown table of the points' experiments sorted by this metric, the best marked")
    .option('--sort-order <order>', 'with --report: desc (highest first, the default) or asc', sortOrder, 'desc')
    .action(
      action<[string], { dry?: boolean; prefix: string; report?: string; sortOrder: string }>(async (ctx, opts, grid) => {
        const { expandGrid, sweepReport } = await import('../../pipeline/exp/sweep.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        if (opts.report !== undefined) {
          const report = sweepReport({ root: requireRoot(ctx.cwd), grid, prefix: opts.prefix, metric: opts.report, order: opts.sortOrder });
          const { renderSweepReport } = await import('../render/sweep.js');
          const { toJsonValue } = await import('../../pipeline/values.js');
          ctx.out.result(toJsonValue(report as never), () => ctx.out.line(renderSweepReport(report).replace(/\n$/, '')));
          return;
        }
        const points = expandGrid(grid, { prefix: opts.prefix });
        if (!opts.dry) {
          const { queueExperiment } = await import('../../pipeline/exp/queue.js');
          const root = requireRoot(ctx.cwd);
          for (const p of points) queueExperiment({ root, set: p.set, name: p.name });
        }
        // --json is the GitHub Actions matrix: {"include": [{name, set, args}, ...]}
        ctx.out.result({ include: points }, () => {
          for (const p of points) ctx.out.line(`${p.name}: ${p.args}`);
          if (!opts.dry) ctx.out.line(`\nQueued ${points.length} experiment(s); run them with \`mlpipe exp run --run-all -j N\`.`);
        });
      }),
    );
  examples(sweep, ['mlpipe exp sweep "train.lr=0.03,0.1;train.max_depth=4,8" --dry', 'mlpipe exp sweep "seed=1,2,3" && mlpipe exp run --run-all -j 3']);

  exp
    .command('exec-task <id>', { hidden: true })
    .description('run one queued experiment (started by `exp run --run-all`)')
    .action(
      action<[string], Record<string, never>>(async (ctx, _opts, id) => {
        const { execTask } = await import('../../pipeline/exp/queue.js');
        const { expRun } = await import('../../pipeline/exp/experiments.js');
        const { openDataOps } = await import('../../pipeline/core-ops.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const entry = await execTask(requireRoot(ctx.cwd), id, async (wsRoot, task) => {
          const { openRepo } = await import('../../core/repo/open.js');
          const { checkout } = await import('../../core/repo/checkout.js');
          const repo = openRepo(wsRoot);
          try {
            await checkout(repo, {}).catch(() => undefined); // what is missing is reproduced
          } finally {
            repo.close();
          }
          const ops = openDataOps(wsRoot);
          try {
            const result = await expRun({
              ops,
              targets: [],
              set: task.set,
              name: task.name,
              signal: ctx.signal,
              onStart: (name) => ctx.out.line(`Reproducing experiment '${name}'`),
              onEvent: (e) => ctx.out.line(e.message),
            });
            return { ref: result.experiment.ref, commit: result.experiment.commit };
          } finally {
            ops.close();
          }
        });
        if (entry.status !== 'success') process.exitCode = 1;
      }),
    );
}

async function expRunCommand(ctx: CommandContext, opts: ExpRunFlags, stages: string[]): Promise<void> {
  const { requireRoot } = await import('../../pipeline/root.js');
  if (opts.queue && opts.runAll) throw new MlpipeError('E_USAGE', '--queue and --run-all cannot be used together', { hint: 'queue first, then run with --run-all' });
  if (opts.jobs !== undefined && !opts.runAll) throw new MlpipeError('E_USAGE', '-j/--jobs only applies to --run-all');
  if (opts.queue) {
    const { queueExperiment } = await import('../../pipeline/exp/queue.js');
    const entry = queueExperiment({ root: requireRoot(ctx.cwd), set: opts.setParam, name: opts.name });
    ctx.out.result(entry, () => {
      if (entry.set.length > 0) ctx.out.line(`Queueing with overrides '${pyOverrides(entry.set)}'.`);
      ctx.out.line(`Queued experiment '${entry.name}' for future execution.`);
    });
    return;
  }
  if (opts.runAll) {
    const { runQueued } = await import('../../pipeline/exp/queue.js');
    if (!ctx.out.json) ctx.out.line('Following logs for all queued experiments.\n');
    const done = await runQueued({
      root: requireRoot(ctx.cwd),
      jobs: opts.jobs,
      signal: ctx.signal,
      onDone: (entry, log) => {
        if (ctx.out.json) return;
        ctx.out.line(log.replace(/\n$/, ''));
        if (entry.status !== 'success') ctx.out.warn(`experiment '${entry.name}' failed; its log: mlpipe queue logs ${entry.name}`);
      },
    });
    const ok = done.filter((e) => e.status === 'success').map((e) => e.name);
    const failed = done.filter((e) => e.status !== 'success').map((e) => e.name);
    if (failed.length > 0) {
      throw new MlpipeError('E_STAGE_FAILED', `${failed.length} of ${done.length} queued experiment(s) failed: ${failed.join(', ')}`, {
        hint: `read a log with \`mlpipe queue logs ${failed[0]}\`; the others were recorded (\`mlpipe exp show\`)`,
        data: { ran: ok, failed },
      });
    }
    ctx.out.result({ ran: ok, failed }, () => {
      ctx.out.line(`\nRan experiment(s): ${ok.join(', ')}`);
      ctx.out.line('To apply the results of an experiment to your workspace run:\n\n\tmlpipe exp apply <exp>');
    });
    return;
  }
  const { openDataOps } = await import('../../pipeline/core-ops.js');
  const { expRun } = await import('../../pipeline/exp/experiments.js');
  const { toJsonValue } = await import('../../pipeline/values.js');
  const ops = openDataOps(ctx.cwd);
  try {
    const result = await expRun({
      ops,
      targets: stages,
      set: opts.setParam,
      name: opts.name,
      force: opts.force,
      stdoutToStderr: ctx.out.json,
      signal: ctx.signal,
      onStart: (name) => ctx.out.line(`Reproducing experiment '${name}'`),
      onEvent: (e) => ctx.out.line(e.message),
    });
    const json = { ...result, params: toJsonValue(result.params), metrics: toJsonValue(result.metrics) };
    ctx.out.result(json, () => {
      ctx.out.line(`\nRan experiment(s): ${result.experiment.name}`);
      ctx.out.line('Experiment results have been applied to your workspace.');
    });
  } finally {
    ops.close();
  }
}

/** `{'params.yaml': ['a=3']}`: the overrides as DVC prints them (a Python dict repr). */
function pyOverrides(set: string[]): string {
  const byFile = new Map<string, string[]>();
  for (const s of set) {
    const m = /^([^=:]+\.(?:ya?ml|json|toml)):(.*)$/s.exec(s);
    const file = m ? (m[1] as string) : 'params.yaml';
    byFile.set(file, [...(byFile.get(file) ?? []), m ? (m[2] as string) : s]);
  }
  return `{${[...byFile].map(([f, v]) => `'${f}': [${v.map((x) => `'${x}'`).join(', ')}]`).join(', ')}}`;
}

function humanJoin(words: string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}` : (words[0] ?? '');
}

/** `COLUMNS`, else the terminal's width; no limit when printing to a file or pipe. */
function terminalWidth(): number | undefined {
  const env = Number(process.env.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

function remoteExperiments(lsRemote: string): Array<{ name: string; baseline: string; commit: string; ref: string }> {
  return lsRemote
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', ref = ''] = line.split('\t');
      const parts = ref.split('/');
      return { ref, commit, baseline: `${parts[2]}${parts[3]}`, name: parts.slice(4).join('/') };
    })
    .filter((e) => e.name !== '' && e.baseline.length === 40);
}

/** A baseline is named by a branch at that commit, else by its short sha (as `dvc exp list`). */
function baselineName(git: (cwd: string, args: string[]) => string, root: string, sha: string): string {
  const branches = git(root, ['for-each-ref', '--points-at', sha, '--format=%(refname:short)', 'refs/heads']).trim().split('\n').filter(Boolean);
  return branches[0] ?? sha.slice(0, 7);
}
