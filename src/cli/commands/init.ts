import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface InitOptions {
  subdir?: boolean;
  scm: boolean;
  force?: boolean;
}

export function registerInit(program: Command): void {
  const cmd = program
    .command('init')
    .description('start versioning data here: create .dvc/ (config, .gitignore) and .dvcignore exactly as DVC does')
    .option('--subdir', 'initialise inside a sub-folder of a git repository')
    .option('--no-scm', 'do not use git')
    .option('-f, --force', 're-initialise over an existing .dvc/ (the cache is kept)')
    .action(
      action<[], InitOptions>(async (ctx, opts) => {
        const { initRepo } = await import('../../core/repo/init.js');
        const result = initRepo({ cwd: ctx.cwd, subdir: opts.subdir, noScm: !opts.scm, force: opts.force });
        ctx.out.result(result, () => {
          ctx.out.line(`Initialized mlpipe (DVC-compatible) repository in ${result.root}.`);
          if (result.scm) ctx.out.line(`\nYou can now commit the changes to git:\n\tgit commit -m "Initialize DVC"`);
        });
      }),
    );
  examples(cmd, ['mlpipe init', 'mlpipe init --subdir', 'mlpipe init --no-scm']);
}
