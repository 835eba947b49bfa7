import type { Command } from 'commander';
import { action, examples } from '../command.js';

export function registerAdd(program: Command): void {
  const cmd = program
    .command('add')
    .description('track data files or directories: store them in the cache and write PATH.dvc and the .gitignore entry')
    .argument('<paths...>', 'files or directories to track')
    .action(
      action<[string[]], Record<string, never>>(async (ctx, _opts, paths) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { add } = await import('../../core/repo/add.js');
        await withRepo(ctx.cwd, async (repo) => {
          const added = await add(repo, { targets: paths, cwd: ctx.cwd, progress: ctx.out.progress });
          ctx.out.result({ added }, () => {
            const files = [...added.map((a) => a.dvcFile), ...new Set(added.flatMap((a) => (a.gitignore ? [a.gitignore] : [])))];
            ctx.out.line(`Added ${added.length} output${added.length === 1 ? '' : 's'}.`);
            if (repo.gitRoot) ctx.out.line(`\nTo track the changes with git, run:\n\n\tgit add ${files.join(' ')}`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe add data/train.csv', 'mlpipe add images models/model.onnx']);
}
