import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { type SyncFlags, renderSync, syncOptionsOf, withRunCache, withSyncOptions } from './push.js';

export function registerFetch(program: Command): void {
  const cmd = program
    .command('fetch')
    .description('download the data and models of tracked outputs into the cache, without touching the workspace')
    .argument('[targets...]', 'outputs or .dvc files to fetch (default: all)');
  withSyncOptions(cmd).action(
    action<[string[]], SyncFlags>(async (ctx, opts, targets) => {
      const { fetchFromRemote } = await import('../../remote/sync.js');
      const result = await fetchFromRemote(syncOptionsOf(ctx, opts, targets));
      await withRunCache(ctx, opts, 'fetch', result);
      renderSync(ctx, 'fetched', result);
    }),
  );
  examples(cmd, ['mlpipe fetch', 'mlpipe fetch model.dvc -r storage']);
}
