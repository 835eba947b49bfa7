import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { repeatable as collect, oneOf } from '../options.js';

interface ExpRunFlags {
  setParam: string[];
  name?: string;
  force?: boolean;
}

interface ExpShowFlags {
  all?: boolean;
  sortBy?: string;
  sortOrder?: 'asc' | 'desc';
  md?: boolean;
}


export function registerExp(program: Command): void {
  const exp = program
    .command('exp')
    .description('run and compare experiments: the pipeline with changed params, recorded as git refs (refs/exps/...)');
  const run = exp
    .command('run [stages...]')
    .description('apply param overrides, reproduce the pipeline and record the result as an experiment')
    .option('-S, --set-param <[file:]key=value>', 'override a param in the workspace (repeatable)', collect, [])
    .option('-n, --name <name>', 'experiment name (default exp-xxxxx)')
    .option('-f, --force', 'run every stage even if nothing changed')
    .action(
      action<[string[]], ExpRunFlags>(async (ctx, opts, stages) => {
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
            onEvent: (e) => ctx.out.line(e.message),
          });
          const json = { ...result, params: toJsonValue(result.params), metrics: toJsonValue(result.metrics) };
          ctx.out.result(json, () => {
            ctx.out.line(`\nRan experiment '${result.experiment.name}' (${result.experiment.ref}).`);
            ctx.out.line(`Compare with \`mlpipe exp show\`; bring it back later with \`mlpipe exp apply ${result.experiment.name}\`.`);
          });
        } finally {
          ops.close();
        }
      }),
    );
  examples(run, ['mlpipe exp run -S train.lr=0.2', 'mlpipe exp run -n big -S train.layers=[8,4] -S seed=7']);

  const show = exp
    .command('show')
    .description('table of the workspace, the baseline commit and its experiments with params and metrics')
    .option('-A, --all', 'experiments of every baseline commit, not only HEAD')
    .option('--sort-by <key>', 'sort experiments by a metric or param ([file:]key)')
    .option('--sort-order <order>', 'asc or desc', oneOf(['asc', 'desc']), 'asc')
    .option('--md', 'print a markdown table')
    .action(
      action<[], ExpShowFlags>(async (ctx, opts) => {
        const { expShow, cellValue } = await import('../../pipeline/exp/experiments.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const { formatTable } = await import('../../pipeline/table.js');
        const { formatValue } = await import('../../pipeline/metrics.js');
        const { toJsonValue } = await import('../../pipeline/values.js');
        const { rows, columns } = expShow({ root: requireRoot(ctx.cwd), all: opts.all, sortBy: opts.sortBy, sortOrder: opts.sortOrder });
        const json = rows.map((r) => ({ ...r, params: toJsonValue(r.params), metrics: toJsonValue(r.metrics) }));
        ctx.out.result(json, () => {
          const short = (c: string) => c.slice(c.lastIndexOf(':') + 1);
          const headers = ['Experiment', 'Rev', 'Created', ...columns.metrics.map(short), ...columns.params.map(short)];
          const table = rows.map((r) => [
            r.name,
            r.rev,
            r.created ? r.created.slice(0, 16).replace('T', ' ') : '-',
            ...columns.metrics.map((c) => formatValue(cellValue(r.metrics, c))),
            ...columns.params.map((c) => formatValue(cellValue(r.params, c))),
          ]);
          ctx.out.line(formatTable(headers, table, opts.md));
        });
      }),
    );
  examples(show, ['mlpipe exp show', 'mlpipe exp show --sort-by loss', 'mlpipe exp show --all --md']);

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
      .command(`${direction} <remote>`)
      .description(direction === 'push' ? 'send every experiment ref to a git remote' : 'fetch every experiment ref from a git remote')
      .action(
        action<[string], Record<string, never>>(async (ctx, _opts, remote) => {
          const { syncExperiments } = await import('../../pipeline/exp/refs.js');
          const { requireRoot } = await import('../../pipeline/root.js');
          const exps = syncExperiments(requireRoot(ctx.cwd), remote, direction);
          ctx.out.result(exps, () => ctx.out.line(`${exps.length} experiment(s) ${direction === 'push' ? 'on' : 'from'} ${remote}`));
        }),
      );
    examples(sync, [`mlpipe exp ${direction} origin`]);
  }
}
