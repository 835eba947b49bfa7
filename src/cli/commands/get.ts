import { relative } from 'node:path';
import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface SourceFlags {
  rev?: string;
  out?: string;
  force?: boolean;
}

/** `get`, `import`, `update`: data from another DVC repository (a local path or a git URL). */
export function registerGet(program: Command): void {
  const get = program
    .command('get')
    .description("download a file or folder of another DVC or git repository as of a revision (not tracked here)")
    .argument('<repo>', 'local path or git URL of the source repository')
    .argument('<path>', 'path inside the source repository')
    .option('--rev <rev>', 'branch, tag or commit of the source (default: its default branch)')
    .option('-o, --out <path>', 'where to write it (default: the base name, here)')
    .option('-f, --force', 'overwrite an existing file or folder')
    .action(
      action<[string, string], SourceFlags>(async (ctx, opts, url, path) => {
        const { getPath } = await import('../../remote/import.js');
        const r = await getPath({ cwd: ctx.cwd, url, path, rev: opts.rev, out: opts.out, force: opts.force, signal: ctx.signal });
        ctx.out.result(r, () => ctx.out.line(`Downloaded '${path}' (${url} @ ${r.rev.slice(0, 7)}) to '${relative(ctx.cwd, r.out)}'`));
      }),
    );
  examples(get, ['mlpipe get ../data-registry data/labels.csv --rev v1', 'mlpipe get https://github.com/org/data.git images -o images-v2 --rev v2']);

  const imp = program
    .command('import')
    .description('download a file or folder of another DVC repository and track it: writes a frozen PATH.dvc that remembers the source (as dvc import)')
    .argument('<repo>', 'local path or git URL of the source repository')
    .argument('<path>', 'path inside the source repository')
    .option('--rev <rev>', 'branch, tag or commit to pin (default: follow the default branch)')
    .option('-o, --out <path>', 'where to put it (default: the base name, here)')
    .option('-f, --force', 'replace an existing import or workspace copy')
    .action(
      action<[string, string], SourceFlags>(async (ctx, opts, url, path) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { importPath } = await import('../../remote/import.js');
        await withRepo(ctx.cwd, async (repo) => {
          const r = await importPath(repo, { cwd: ctx.cwd, url, path, rev: opts.rev, out: opts.out, force: opts.force, signal: ctx.signal });
          ctx.out.result(r, () => {
            ctx.out.line(`Importing '${path} (${url})' -> '${r.out}'`);
            if (repo.gitRoot) ctx.out.line(`\nTo track the changes with git, run:\n\n\tgit add ${[r.gitignore, r.dvcFile].filter(Boolean).join(' ')}`);
          });
        });
      }),
    );
  examples(imp, ['mlpipe import ../data-registry data/labels.csv --rev v1', 'mlpipe import git@github.com:org/data.git images -o data/images']);

  const update = program
    .command('update')
    .description('move imports to a newer commit of their source (or to --rev); unchanged imports are skipped')
    .argument('<targets...>', 'import .dvc files')
    .option('--rev <rev>', 'the revision to pin the imports to')
    .action(
      action<[string[]], { rev?: string }>(async (ctx, opts, targets) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { updateImport } = await import('../../remote/import.js');
        await withRepo(ctx.cwd, async (repo) => {
          const results: Awaited<ReturnType<typeof updateImport>>[] = [];
          for (const target of targets) results.push(await updateImport(repo, { cwd: ctx.cwd, target, rev: opts.rev, signal: ctx.signal }));
          ctx.out.result(results, () => {
            for (const r of results) {
              if (r.changed) ctx.out.line(`Importing '${r.import.path} (${r.import.url})' -> '${r.out}'`);
              else ctx.out.line(`'${r.dvcFile}' didn't change, skipping`);
            }
          });
        });
      }),
    );
  examples(update, ['mlpipe update labels.csv.dvc', 'mlpipe update --rev v2 labels.csv.dvc images.dvc']);
}
