import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { action, examples } from '../command.js';
import { type SyncFlags, renderSync, syncOptionsOf, withRunCache, withSyncOptions } from './push.js';

interface PullOptions extends SyncFlags {
  force?: boolean;
}

export function registerPull(program: Command): void {
  const cmd = program
    .command('pull')
    .description('fetch the data and models of tracked outputs from a remote and check them out into the workspace')
    .argument('[targets...]', 'outputs or .dvc files to pull (default: all)');
  withSyncOptions(cmd)
    .option('-f, --force', 'replace workspace changes that are not in the cache')
    .action(
      action<[string[]], PullOptions>(async (ctx, opts, targets) => {
        const { pullFromRemote } = await import('../../remote/sync.js');
        const result = await pullFromRemote({ ...syncOptionsOf(ctx, opts, targets), force: opts.force });
        // A download that failed (a corrupt remote object: E_CORRUPT) is the cause of the checkout
        // failing on that object, so it is reported first rather than as "not in the cache".
        if (result.failed.length > 0) renderSync(ctx, 'fetched', result);
        if (result.checkoutFailed.length > 0) {
          const first = result.checkoutFailed[0] as { code: string };
          throw new MlpipeError(
            first.code === 'E_CONFLICT' ? 'E_CONFLICT' : 'E_MISSING_CACHE',
            `could not check out ${result.checkoutFailed.map((f) => f.path).join(', ')}`,
            {
              received: result.checkoutFailed.map((f) => `${f.path}: ${f.message}`).join('\n            '),
              hint:
                first.code === 'E_CONFLICT'
                  ? 'commit or discard the workspace changes, or run `mlpipe pull --force`'
                  : `push the data from a clone that has it, then run \`mlpipe pull\` again`,
              data: { ...result },
            },
          );
        }
        const added = result.checkout.reduce((n, r) => n + r.added + r.modified, 0);
        await withRunCache(ctx, opts, 'fetch', result);
        renderSync(ctx, 'fetched', result);
        if (added > 0) ctx.out.line(`${added} file${added === 1 ? '' : 's'} added`);
      }),
    );
  examples(cmd, ['mlpipe pull', 'mlpipe pull model.dvc -r storage -j 16']);
}
