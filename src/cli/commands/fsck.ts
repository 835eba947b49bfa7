import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { action, examples } from '../command.js';

interface FsckOptions {
  repair?: boolean;
}

export function registerFsck(program: Command): void {
  const cmd = program
    .command('fsck')
    .description('re-hash every cache object and report corrupt or missing ones')
    .option('--repair', 'delete corrupt objects (restore them with `mlpipe pull` or `mlpipe add`)')
    .action(
      action<[], FsckOptions>(async (ctx, opts) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { fsck } = await import('../../core/repo/fsck.js');
        await withRepo(ctx.cwd, async (repo) => {
          const result = await fsck(repo, { repair: opts.repair, progress: ctx.out.progress });
          const problems = result.corrupt.length + result.missing.length;
          ctx.out.result(result, () => {
            for (const c of result.corrupt) ctx.out.line(`corrupt:  ${c.oid}${c.legacy ? ' (legacy)' : ''}${result.repaired ? ' (deleted)' : ''}`);
            for (const m of result.missing) ctx.out.line(`missing:  ${m.oid}  ${m.path}`);
            ctx.out.line(`Checked ${result.checked} objects: ${result.corrupt.length} corrupt, ${result.missing.length} missing.`);
          });
          if (problems > 0 && !result.repaired) {
            throw new MlpipeError(result.corrupt.length ? 'E_CORRUPT' : 'E_MISSING_CACHE', `the cache has ${problems} problem(s)`, {
              hint: result.corrupt.length ? 'run `mlpipe fsck --repair`, then `mlpipe pull` or re-add the data' : 'run `mlpipe pull` to fetch missing objects',
              data: { corrupt: result.corrupt.length, missing: result.missing.length },
            });
          }
        });
      }),
    );
  examples(cmd, ['mlpipe fsck', 'mlpipe fsck --repair']);
}
