import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { jobsOf, renderSync, withSyncOptions } from './push.js';

interface FetchOptions {
  remote?: string;
  jobs?: string;
}

export function registerFetch(program: Command): void {
  const cmd = program
    .command('fetch')
    .description('download the data and models of tracked outputs into the cache, without touching the workspace')
    .argument('[targets...]', 'outputs or .dvc files to fetch (default: all)');
  withSyncOptions(cmd)
    .action(
      action<[string[]], FetchOptions>(async (ctx, opts, targets) => {
        const { fetchFromRemote } = await import('../../remote/sync.js');
        const result = await fetchFromRemote({
          cwd: ctx.cwd,
          targets,
          remote: opts.remote,
          jobs: jobsOf(opts.jobs),
          progress: ctx.out.progress,
          signal: ctx.signal,
        });
        renderSync(ctx, 'fetched', result);
      }),
    );
  examples(cmd, ['mlpipe fetch', 'mlpipe fetch model.dvc -r storage']);
}
