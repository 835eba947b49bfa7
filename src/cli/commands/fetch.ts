import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { jobsOf, renderSync } from './push.js';

interface FetchOptions {
  remote?: string;
  jobs?: string;
}

export function registerFetch(program: Command): void {
  const cmd = program
    .command('fetch')
    .description('download the data and models of tracked outputs into the cache, without touching the workspace')
    .argument('[targets...]', 'outputs or .dvc files to fetch (default: all)')
    .option('-r, --remote <name>', 'remote to fetch from (default: the default remote)')
    .option('-j, --jobs <n>', 'parallel downloads (default depends on the remote type)')
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
