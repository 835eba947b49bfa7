import type { Command } from 'commander';
import { action, examples } from '../command.js';

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .description('show tracked data whose workspace copy differs from its .dvc file (modified, deleted, new, not in cache)')
    .argument('[targets...]', '.dvc files, outputs or folders to check (default: all)')
    .action(
      action<[string[]], Record<string, never>>(async (ctx, _opts, targets) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { dataStatus, dataStatusToDvcJson } = await import('../../core/repo/status.js');
        await withRepo(ctx.cwd, async (repo) => {
          const status = await dataStatus(repo, { targets, cwd: ctx.cwd, progress: ctx.out.progress });
          ctx.out.result(dataStatusToDvcJson(status.changed), () => {
            if (status.tracked === 0) return ctx.out.line('There are no data or pipelines tracked in this project yet.');
            if (status.changed.length === 0) return ctx.out.line('Data and pipelines are up to date.');
            // DVC's layout: tab indents, each status padded to 20 columns including its colon.
            for (const entry of status.changed) {
              ctx.out.line(`${entry.dvcFile}:`);
              ctx.out.line('\tchanged outs:');
              for (const c of entry.changes) ctx.out.line(`\t\t${`${c.status}:`.padEnd(20)}${c.path}`);
            }
          });
        });
      }),
    );
  examples(cmd, ['mlpipe status', 'mlpipe status data/raw.csv.dvc', 'mlpipe --json status']);
}
