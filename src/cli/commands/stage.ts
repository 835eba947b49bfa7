import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { repeatable as collect } from '../options.js';

interface StageAddFlags {
  name: string;
  deps: string[];
  params: string[];
  outs: string[];
  outsNoCache: string[];
  outsPersist: string[];
  metrics: string[];
  metricsNoCache: string[];
  plots: string[];
  plotsNoCache: string[];
  wdir?: string;
  desc?: string;
  alwaysChanged?: boolean;
  force?: boolean;
}


export function registerStage(program: Command): void {
  const stage = program.command('stage').description('add and list the stages of dvc.yaml');
  const add = stage
    .command('add <command...>')
    .description('add a stage to dvc.yaml (put the command after `--` when it has options of its own)')
    .requiredOption('-n, --name <name>', 'stage name')
    .option('-d, --deps <path>', 'a dependency (repeatable)', collect, [])
    .option('-p, --params <[file:]keys>', 'params keys, comma-separated (repeatable)', collect, [])
    .option('-o, --outs <path>', 'an output stored in the cache (repeatable)', collect, [])
    .option('-O, --outs-no-cache <path>', 'an output kept in git, not in the cache (repeatable)', collect, [])
    .option('--outs-persist <path>', 'an output not deleted before the command runs (repeatable)', collect, [])
    .option('-m, --metrics <path>', 'a metrics file stored in the cache (repeatable)', collect, [])
    .option('-M, --metrics-no-cache <path>', 'a metrics file kept in git (repeatable)', collect, [])
    .option('--plots <path>', 'a plots file stored in the cache (repeatable)', collect, [])
    .option('--plots-no-cache <path>', 'a plots file kept in git (repeatable)', collect, [])
    .option('-w, --wdir <dir>', 'folder the command runs in (paths are relative to it)')
    .option('--desc <text>', 'a description of the stage')
    .option('--always-changed', 'run the stage on every repro')
    .option('-f, --force', 'overwrite a stage of the same name')
    .action(
      action<[string[]], StageAddFlags>(async (ctx, opts, command) => {
        const { stageAdd } = await import('../../pipeline/stage-add.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const result = stageAdd({ root: requireRoot(ctx.cwd), ...opts, cmd: command.join(' ') });
        ctx.out.result(result, () => {
          ctx.out.line(`Added stage '${result.stage.name}' in '${result.dvcfile}'`);
          ctx.out.line(`\nTo track the changes with git, run:\n\n\tgit add ${result.dvcfile}`);
        });
      }),
    );
  examples(add, [
    'mlpipe stage add -n prepare -d data/raw.csv -p prepare.keep_rows -o data/prepared.csv -- python prepare.py --rows 3',
    'mlpipe stage add -n train -d data/prepared.csv -p train -o model.bin -M metrics.json sh train.sh',
  ]);
  const list = stage
    .command('list')
    .description('list the stages of dvc.yaml with their outputs')
    .action(
      action<[], Record<string, never>>(async (ctx) => {
        const { stageList } = await import('../../pipeline/stage-add.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const stages = stageList(requireRoot(ctx.cwd));
        ctx.out.result(stages, () => {
          const width = Math.max(0, ...stages.map((s) => s.name.length));
          for (const s of stages) ctx.out.line(`${s.name.padEnd(width)}  ${s.description}`.trimEnd());
        });
      }),
    );
  examples(list, ['mlpipe stage list', 'mlpipe stage list --json']);
}
