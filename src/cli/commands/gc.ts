import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { action, examples } from '../command.js';

interface GcOptions {
  workspace?: boolean;
  allCommits?: boolean;
  rev?: string[];
  force?: boolean;
  dry?: boolean;
}

export function registerGc(program: Command): void {
  const cmd = program
    .command('gc')
    .description('delete cache objects that the chosen revisions do not use (asks first unless -f)')
    .option('-w, --workspace', 'keep what the current workspace uses')
    .option('-A, --all-commits', 'keep what any git commit uses')
    .option('--rev <revs...>', 'keep what these git revisions use')
    .option('-f, --force', 'do not ask for confirmation')
    .option('--dry', 'only show what would be deleted')
    .action(
      action<[], GcOptions>(async (ctx, opts) => {
        const { withRepo } = await import('../../core/repo/open.js');
        const { gc } = await import('../../core/repo/gc.js');
        const { formatBytes } = await import('../format.js');
        await withRepo(ctx.cwd, async (repo) => {
          const scope = { workspace: opts.workspace, allCommits: opts.allCommits, revs: opts.rev };
          const plan = await gc(repo, { ...scope, dryRun: true });
          if (!opts.dry && !opts.force && plan.removed.length > 0) await confirm(ctx.out, plan.removed.length, formatBytes(plan.bytes));
          const result = opts.dry ? plan : await gc(repo, scope);
          ctx.out.result({ ...result, dryRun: Boolean(opts.dry) }, () => {
            const verb = opts.dry ? 'Would remove' : 'Removed';
            ctx.out.line(`${verb} ${result.removed.length} objects (${formatBytes(result.bytes)}); kept ${result.kept}.`);
            if (result.missingManifests.length) ctx.out.warn(`${result.missingManifests.length} referenced directory manifest(s) are not in the cache`);
          });
        });
      }),
    );
  examples(cmd, ['mlpipe gc --workspace', 'mlpipe gc --all-commits -f', 'mlpipe gc -w --dry']);
}

async function confirm(out: { stderr(text: string): void }, count: number, size: string): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new MlpipeError('E_USAGE', `gc would delete ${count} objects (${size}) and needs confirmation`, {
      expected: 'an interactive terminal to confirm, or -f',
      received: 'no terminal on stdin',
      hint: 'run again with -f to delete, or --dry to only list',
    });
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  out.stderr(`This will delete ${count} objects (${size}) from the cache.\n`);
  const answer = await rl.question('Are you sure you want to proceed? [y/n] ');
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new MlpipeError('E_INTERRUPTED', 'gc cancelled; nothing was deleted', { hint: 'use --dry to see what would be deleted' });
  }
}
