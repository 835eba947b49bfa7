import type { Command } from 'commander';
import { action, examples } from '../command.js';

export function registerUnprotect(program: Command): void {
  const cmd = program
    .command('unprotect')
    .description('replace hardlinked or symlinked workspace files by writable copies, so they can be edited (cache.type hardlink/symlink)')
    .argument('<targets...>', 'tracked files or folders')
    .action(
      action<[string[]], Record<string, never>>(async (ctx, _opts, targets) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { unprotect } = await import('../../core/repo/unprotect.js');
        await withRepo(ctx.cwd, async (repo) => {
          const result = await unprotect(repo, { targets, cwd: ctx.cwd });
          ctx.out.result(result, () => {
            ctx.out.line(`Unprotected ${result.copied.length} linked file(s) (now copies); ${result.writable.length} copy(ies) made writable`);
            for (const p of result.skipped) ctx.out.line(`skipped ${p}: a symlink that does not point into the cache`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe unprotect data/images', 'mlpipe unprotect model.pkl']);
}
