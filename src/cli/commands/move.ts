import type { Command } from 'commander';
import { action, examples } from '../command.js';

export function registerMove(program: Command): void {
  const cmd = program
    .command('move')
    .description('rename tracked data together with its .dvc file and .gitignore entry')
    .argument('<src>', 'a tracked output')
    .argument('<dst>', 'new path (or an existing folder to move into)')
    .action(
      action<[string, string], Record<string, never>>(async (ctx, _opts, src, dst) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { move } = await import('../../core/repo/move.js');
        await withRepo(ctx.cwd, async (repo) => {
          const result = await move(repo, { src, dst, cwd: ctx.cwd });
          ctx.out.result(result, () => ctx.out.line(`Moved ${result.from} to ${result.to} (${result.dvcFile})`));
        });
      }),
    );
  examples(cmd, ['mlpipe move data/raw.csv data/v1.csv', 'mlpipe move images datasets/']);
}
