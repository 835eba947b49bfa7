import type { Command } from 'commander';
import type { CommandContext } from '../command.js';
import { action, examples } from '../command.js';

interface PlotsOptions {
  out?: string;
  targets?: string[];
}

export function registerPlots(program: Command): void {
  const plots = program.command('plots').description('render the plots declared in dvc.yaml to one self-contained HTML page');
  const show = plots
    .command('show [targets...]')
    .description('render the plots of the workspace (all declared plots, or the given ids/files)')
    .option('-o, --out <dir>', 'folder for index.html', 'dvc_plots')
    .action(
      action<[string[]], PlotsOptions>(async (ctx, opts, targets) => {
        await render(ctx, { targets, out: opts.out });
      }),
    );
  examples(show, ['mlpipe plots show', 'mlpipe plots show loss.csv -o report']);
  const diff = plots
    .command('diff [revs...]')
    .description('overlay the plots of git revisions (default: HEAD and the workspace)')
    .option('-o, --out <dir>', 'folder for index.html', 'dvc_plots')
    .option('--targets <ids...>', 'only these plot ids or data files')
    .action(
      action<[string[]], PlotsOptions>(async (ctx, opts, revs) => {
        const compared = revs.length === 0 ? ['HEAD', 'workspace'] : revs.length === 1 ? [revs[0] as string, 'workspace'] : revs;
        await render(ctx, { targets: opts.targets, out: opts.out, revs: compared });
      }),
    );
  examples(diff, ['mlpipe plots diff', 'mlpipe plots diff main HEAD', 'mlpipe plots diff HEAD~1 --targets loss.csv']);
}

async function render(ctx: CommandContext, options: { targets?: string[]; out?: string; revs?: string[] }): Promise<void> {
  const { renderPlots } = await import('../../pipeline/plots/show.js');
  const { requireRoot } = await import('../../pipeline/root.js');
  const result = await renderPlots({ root: requireRoot(ctx.cwd), ...options });
  ctx.out.result(result, () => {
    for (const p of result.plots) ctx.out.line(`${p.id}: ${p.template}, ${p.points} points (${p.revisions.join(', ')})`);
    ctx.out.line(`file://${result.path}`);
  });
}
