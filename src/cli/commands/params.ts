import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface ParamsDiffOptions {
  all?: boolean;
  md?: boolean;
}

export function registerParams(program: Command): void {
  const params = program.command('params').description('compare the parameters of dvc.yaml stages across git revisions');
  const diff = params
    .command('diff [revs...]')
    .description('show changed params between two revisions (default: HEAD and the workspace)')
    .option('-a, --all', 'show unchanged params too')
    .option('--md', 'print a markdown table')
    .action(
      action<[string[]], ParamsDiffOptions>(async (ctx, opts, revs) => {
        const { paramsDiff } = await import('../../pipeline/metrics.js');
        const { diffTable } = await import('../render/metrics.js');
        const { diffJson } = await import('../../pipeline/report-json.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const result = paramsDiff({ root: requireRoot(ctx.cwd), a: revs[0], b: revs[1], all: opts.all });
        ctx.out.result(diffJson(result), () => {
          if (Object.keys(result.diff).length > 0) ctx.out.line(diffTable(result, { title: 'Param', withChange: false, markdown: opts.md }));
        });
      }),
    );
  examples(diff, ['mlpipe params diff', 'mlpipe params diff HEAD~1', 'mlpipe params diff main HEAD --md']);
}
