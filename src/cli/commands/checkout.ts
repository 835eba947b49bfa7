import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface CheckoutOptions {
  force?: boolean;
}

export function registerCheckout(program: Command): void {
  const cmd = program
    .command('checkout')
    .description('restore tracked data in the workspace from the cache, as recorded in the .dvc files')
    .argument('[targets...]', '.dvc files, outputs or folders (default: all)')
    .option('-f, --force', 'overwrite workspace changes that are not saved in the cache')
    .action(
      action<[string[]], CheckoutOptions>(async (ctx, opts, targets) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { checkout } = await import('../../core/repo/checkout.js');
        await withRepo(ctx.cwd, async (repo) => {
          const result = await checkout(repo, { targets, cwd: ctx.cwd, force: opts.force, progress: ctx.out.progress });
          ctx.out.result(result, () => {
            if (result.outputs.length === 0) return ctx.out.line('Everything is up to date.');
            for (const o of result.outputs) ctx.out.line(`M\t${o.path}  (${o.added} added, ${o.modified} modified, ${o.deleted} deleted)`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe checkout', 'mlpipe checkout data/raw.csv.dvc', 'mlpipe checkout --force images']);
}
