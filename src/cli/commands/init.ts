import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { version } from '../../version.js';

interface InitOptions {
  subdir?: boolean;
  scm: boolean;
  force?: boolean;
  template?: string;
  action?: string;
}

export function registerInit(program: Command): void {
  const cmd = program
    .command('init')
    .description('start versioning data here: create .dvc/ (config, .gitignore) and .dvcignore exactly as DVC does')
    .argument('[dir]', 'the project folder (created if missing; default: the current folder)')
    .option('--subdir', 'initialise inside a sub-folder of a git repository')
    .option('--no-scm', 'do not use git')
    .option('-f, --force', 're-initialise over an existing .dvc/ (the cache is kept); with --template, overwrite its files')
    .option('--template <name>', 'also scaffold a working project: "tabular" (dvc.yaml, params, GitHub workflows)')
    .option('--action <owner/repo@ref>', "with --template: the mlpipe setup action the workflows use (default: a marked placeholder)")
    .action(
      action<[string | undefined], InitOptions>(async (ctx, opts, dir) => {
        const { mkdirSync } = await import('node:fs');
        const { resolve } = await import('node:path');
        const { initRepo } = await import('../../core/repo/init.js');
        const root = resolve(ctx.cwd, dir ?? '.');
        mkdirSync(root, { recursive: true });
        let subdir = opts.subdir;
        if (opts.template && opts.scm && subdir === undefined) {
          // A template is usually scaffolded into a folder of an existing repository.
          const { findGitRootOf } = await import('../../core/repo/open.js');
          const gitRoot = findGitRootOf(root);
          subdir = gitRoot !== undefined && gitRoot !== root;
        }
        const result = initRepo({ cwd: root, subdir, noScm: !opts.scm, force: opts.force });
        let scaffold: { template: string; files: string[] } | undefined;
        if (opts.template) {
          const { scaffoldTemplate } = await import('../../core/repo/scaffold.js');
          scaffold = scaffoldTemplate({ root, template: opts.template, mlpipeVersion: version(), action: opts.action, force: opts.force });
        }
        ctx.out.result({ ...result, template: scaffold ?? null }, () => {
          ctx.out.line(`Initialized mlpipe (DVC-compatible) repository in ${result.root}.`);
          if (scaffold) {
            ctx.out.line(`\nScaffolded the "${scaffold.template}" template:`);
            for (const f of scaffold.files) ctx.out.line(`\t${f}`);
            ctx.out.line('\nNext: put data in data/train.csv and data/test.csv, set `target` in params.yaml,');
            ctx.out.line('run `mlpipe schema infer data/train.csv -o schema.yaml`, then `mlpipe repro` (see README.md).');
          }
          if (result.scm) ctx.out.line(`\nYou can now commit the changes to git:\n\tgit commit -m "Initialize DVC"`);
        });
      }),
    );
  examples(cmd, ['mlpipe init', 'mlpipe init --subdir', 'mlpipe init --no-scm', 'mlpipe init --template tabular my-project']);
}
