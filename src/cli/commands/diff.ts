import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface DiffOptions {
  targets?: string[];
}

export function registerDiff(program: Command): void {
  const cmd = program
    .command('diff')
    .description('compare tracked data in a git revision (default HEAD) with the workspace')
    .argument('[rev]', 'git revision to compare with', 'HEAD')
    .option('--targets <paths...>', 'limit to these outputs or folders')
    .action(
      action<[string], DiffOptions>(async (ctx, opts, rev) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { dataDiff } = await import('../../core/repo/diff.js');
        await withRepo(ctx.cwd, async (repo) => {
          const diff = await dataDiff(repo, { rev, targets: opts.targets, cwd: ctx.cwd, progress: ctx.out.progress });
          ctx.out.result(diff, () => {
            const sections: [string, string[]][] = [
              ['Added', diff.added.map((e) => e.path)],
              ['Deleted', diff.deleted.map((e) => e.path)],
              ['Modified', diff.modified.map((e) => e.path)],
            ];
            for (const [title, paths] of sections) {
              if (!paths.length) continue;
              ctx.out.line(`${title}:`);
              for (const p of paths) ctx.out.line(`    ${p}`);
              ctx.out.line();
            }
            const files = (l: { path: string }[]) => l.filter((e) => !e.path.endsWith('/')).length;
            ctx.out.line(`files summary: ${files(diff.added)} added, ${files(diff.deleted)} deleted, ${files(diff.modified)} modified`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe diff', 'mlpipe diff HEAD~1', 'mlpipe --json diff main']);
}
