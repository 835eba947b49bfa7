import type { Command } from 'commander';
import type { PlotProps } from '../../pipeline/plots/show.js';
import type { CommandContext } from '../command.js';
import { action, examples } from '../command.js';

interface PlotsOptions extends PlotProps {
  out?: string;
  targets?: string[];
}

/** DVC's plot property flags, shared by `plots show` and `plots diff`. */
function withPropFlags(cmd: Command): Command {
  return cmd
    .option('-x <column>', 'field for the x axis')
    .option('-y <column>', 'field for the y axis')
    .option('-t, --template <name>', 'plot template (linear, simple, scatter, smooth, confusion, bar_horizontal, ...)')
    .option('--title <text>', 'plot title')
    .option('--x-label <text>', 'x axis label')
    .option('--y-label <text>', 'y axis label');
}

function propsOf(opts: PlotsOptions): PlotProps | undefined {
  const props: PlotProps = { x: opts.x, y: opts.y, template: opts.template, title: opts.title, xLabel: opts.xLabel, yLabel: opts.yLabel };
  return Object.values(props).some((v) => v !== undefined) ? props : undefined;
}

export function registerPlots(program: Command): void {
  const plots = program.command('plots').description('render the plots declared in dvc.yaml to one self-contained HTML page');
  const show = withPropFlags(
    plots
      .command('show [targets...]')
      .description('render the plots of the workspace (all declared plots, or the given ids/files; any CSV/JSON/YAML file ad hoc)')
      .option('-o, --out <dir>', 'folder for index.html', 'dvc_plots'),
  ).action(
    action<[string[]], PlotsOptions>(async (ctx, opts, targets) => {
      await render(ctx, { targets, out: opts.out, props: propsOf(opts) });
    }),
  );
  examples(show, ['mlpipe plots show', 'mlpipe plots show loss.csv -o report', 'mlpipe plots show data/history.csv -x epoch -y val_loss --template smooth']);
  const diff = withPropFlags(
    plots
      .command('diff [revs...]')
      .description('overlay the plots of git revisions (default: HEAD and the workspace)')
      .option('-o, --out <dir>', 'folder for index.html', 'dvc_plots')
      .option('--targets <ids...>', 'only these plot ids or data files'),
  ).action(
    action<[string[]], PlotsOptions>(async (ctx, opts, revs) => {
      const compared = revs.length === 0 ? ['HEAD', 'workspace'] : revs.length === 1 ? [revs[0] as string, 'workspace'] : revs;
      await render(ctx, { targets: opts.targets, out: opts.out, revs: compared, props: propsOf(opts) });
    }),
  );
  examples(diff, ['mlpipe plots diff', 'mlpipe plots diff main HEAD', 'mlpipe plots diff HEAD~1 --targets loss.csv']);
}

async function render(ctx: CommandContext, options: { targets?: string[]; out?: string; revs?: string[]; props?: PlotProps }): Promise<void> {
  const { renderPlots } = await import('../../pipeline/plots/show.js');
  const { requireRoot } = await import('../../pipeline/root.js');
  const result = await renderPlots({ root: requireRoot(ctx.cwd), ...options });
  ctx.out.result(result, () => {
    for (const p of result.plots) ctx.out.line(`${p.id}: ${p.template}, ${p.points} points (${p.revisions.join(', ')})`);
    ctx.out.line(`file://${result.path}`);
  });
}
