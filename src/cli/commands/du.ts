import type { Command } from 'commander';
import { action, examples } from '../command.js';

export function registerDu(program: Command): void {
  const cmd = program
    .command('du')
    .description('show the size of tracked data, per output and in total')
    .argument('[paths...]', 'limit to these outputs or folders')
    .action(
      action<[string[]], Record<string, never>>(async (ctx, _opts, paths) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { diskUsage } = await import('../../core/repo/ls.js');
        const { formatBytes } = await import('../format.js');
        await withRepo(ctx.cwd, async (repo) => {
          const usage = diskUsage(repo, { targets: paths, cwd: ctx.cwd });
          ctx.out.result(usage, () => {
            for (const e of usage.entries) ctx.out.line(`${formatBytes(e.size ?? 0).padStart(10)}  ${e.path}`);
            ctx.out.line(`${formatBytes(usage.total).padStart(10)}  total`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe du', 'mlpipe --json du data']);
}
