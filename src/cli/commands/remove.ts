import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface RemoveOptions {
  outs?: boolean;
}

export function registerRemove(program: Command): void {
  const cmd = program
    .command('remove')
    .description('stop tracking data: delete its .dvc file and .gitignore entry (the data itself is kept)')
    .argument('<targets...>', '.dvc files or tracked outputs')
    .option('--outs', 'also delete the data from the workspace (the cache keeps it until gc)')
    .action(
      action<[string[]], RemoveOptions>(async (ctx, opts, targets) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { remove } = await import('../../core/repo/remove.js');
        await withRepo(ctx.cwd, async (repo) => {
          const result = await remove(repo, { targets, cwd: ctx.cwd, outs: opts.outs });
          ctx.out.result(result, () => {
            for (const r of result.removed) ctx.out.line(`Removed ${r}`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe remove data/raw.csv.dvc', 'mlpipe remove images --outs']);
}
