import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface ReproFlags {
  force?: boolean;
  singleItem?: boolean;
  dry?: boolean;
  keepGoing?: boolean;
  pull?: boolean;
  allowMissing?: boolean;
  runCache?: boolean;
}

export function registerRepro(program: Command): void {
  const cmd = program
    .command('repro [stages...]')
    .description('run the stages of dvc.yaml whose command, deps, params or outputs changed, in dependency order')
    .option('-f, --force', 'run the stages even if nothing changed')
    .option('-s, --single-item', 'run only the named stages, not their upstream')
    .option('--dry', 'print the stages and commands that would run, run nothing')
    .option('-k, --keep-going', 'after a failure, go on with the stages that do not depend on it')
    .option('--pull', "fetch the remote's run-cache, and the outputs of a stage run found there instead of running it again")
    .option('--allow-missing', 'skip stages whose only change is outputs missing from the workspace or cache')
    .option('--no-run-cache', 'neither restore stages from the run-cache nor record runs in it')
    .action(
      action<[string[]], ReproFlags>(async (ctx, opts, stages) => {
        const { openDataOps } = await import('../../pipeline/core-ops.js');
        const { repro } = await import('../../pipeline/repro.js');
        const puller = opts.pull ? await (await import('../../remote/run-cache-sync.js')).openRunPuller({ cwd: ctx.cwd, signal: ctx.signal }) : undefined;
        const ops = openDataOps(ctx.cwd);
        try {
          const result = await repro({
            ops,
            targets: stages,
            force: opts.force,
            single: opts.singleItem,
            dry: opts.dry,
            keepGoing: opts.keepGoing,
            noRunCache: opts.runCache === false,
            allowMissing: opts.allowMissing,
            pullObjects: puller?.pull,
            stdoutToStderr: ctx.out.json,
            signal: ctx.signal,
            onEvent: (e) => {
              // DVC separates the output of consecutive stages with an empty line after each lock update
              ctx.out.line(e.message);
              if (e.type === 'lock' && e.message.startsWith('Updating')) ctx.out.line();
            },
          });
          ctx.out.result(result, () => {
            if (result.upToDate) ctx.out.line('Data and pipelines are up to date.');
          });
        } finally {
          ops.close();
          await puller?.close();
        }
      }),
    );
  examples(cmd, ['mlpipe repro', 'mlpipe repro train', 'mlpipe repro -f -s evaluate', 'mlpipe repro --dry', 'mlpipe repro --pull']);
}
