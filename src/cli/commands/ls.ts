import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface LsOptions {
  recursive?: boolean;
}

export function registerLs(program: Command): void {
  const cmd = program
    .command('ls')
    .description('list tracked data (from .dvc files and dvc.lock) with recorded sizes')
    .argument('[paths...]', 'limit to these outputs or folders')
    .option('-R, --recursive', 'also list the files inside tracked directories')
    .action(
      action<[string[]], LsOptions>(async (ctx, opts, paths) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { listTracked } = await import('../../core/repo/ls.js');
        const { formatBytes } = await import('../format.js');
        await withRepo(ctx.cwd, async (repo) => {
          const entries = listTracked(repo, { targets: paths, cwd: ctx.cwd, recursive: opts.recursive });
          ctx.out.result({ entries }, () =>
            ctx.out.table(
              entries.map((e) => ({ ...e, path: e.isdir ? `${e.path}/` : e.path, size: e.size === null ? null : formatBytes(e.size) })),
              [
                { key: 'path', header: 'path' },
                { key: 'size', header: 'size', align: 'right' },
                { key: 'nfiles', header: 'files', align: 'right' },
                { key: 'source', header: 'tracked by' },
              ],
            ),
          );
        });
      }),
    );
  examples(cmd, ['mlpipe ls', 'mlpipe ls -R images', 'mlpipe --json ls']);
}
