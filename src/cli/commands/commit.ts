import type { Command } from 'commander';
import { action, examples } from '../command.js';

export function registerCommit(program: Command): void {
  const cmd = program
    .command('commit')
    .description('record changed tracked data: store it in the cache and update its .dvc files')
    .argument('[targets...]', '.dvc files, outputs or folders (default: all)')
    .action(
      action<[string[]], Record<string, never>>(async (ctx, _opts, targets) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { commit } = await import('../../core/repo/commit.js');
        await withRepo(ctx.cwd, async (repo) => {
          const committed = await commit(repo, { targets, cwd: ctx.cwd, progress: ctx.out.progress });
          ctx.out.result({ committed }, () => {
            if (committed.length === 0) return ctx.out.line('Nothing to commit: tracked data is unchanged.');
            for (const c of committed) ctx.out.line(`Updated ${c.dvcFile} (${c.outputs.join(', ')})`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe commit', 'mlpipe commit data/raw.csv.dvc']);
}
