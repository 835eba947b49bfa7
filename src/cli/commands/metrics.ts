import type { Command } from 'commander';
import { action, examples } from '../command.js';
import { integer } from '../options.js';

interface MetricsOptions {
  all?: boolean;
  md?: boolean;
  precision?: number;
}

/** Digits after the point, as Number#toFixed accepts them. */
const precision = integer({ min: 0, max: 100 });

export function registerMetrics(program: Command): void {
  const metrics = program.command('metrics').description('show and compare the metrics files of dvc.yaml stages');
  const show = metrics
    .command('show [revs...]')
    .description('show metrics of the workspace (or of the given git revisions)')
    .option('--md', 'print a markdown table')
    .option('--precision <n>', 'round floats to n digits (default 5)', precision)
    .action(
      action<[string[]], MetricsOptions>(async (ctx, opts, revs) => {
        const { metricsShow, metricsShowTable } = await import('../../pipeline/metrics.js');
        const { showJson } = await import('../../pipeline/report-json.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const result = metricsShow({ root: requireRoot(ctx.cwd), revs });
        ctx.out.result(showJson(result.revisions), () => {
          ctx.out.line(metricsShowTable(result, { markdown: opts.md, precision: opts.precision }));
        });
      }),
    );
  examples(show, ['mlpipe metrics show', 'mlpipe metrics show HEAD~1 HEAD --md', 'mlpipe metrics show --json']);
  const diff = metrics
    .command('diff [revs...]')
    .description('show changed metrics between two revisions (default: HEAD and the workspace)')
    .option('-a, --all', 'show unchanged metrics too')
    .option('--md', 'print a markdown table')
    .option('--precision <n>', 'round floats to n digits (default 5)', precision)
    .action(
      action<[string[]], MetricsOptions>(async (ctx, opts, revs) => {
        const { metricsDiff, diffTable } = await import('../../pipeline/metrics.js');
        const { diffJson } = await import('../../pipeline/report-json.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const result = metricsDiff({ root: requireRoot(ctx.cwd), a: revs[0], b: revs[1], all: opts.all });
        ctx.out.result(diffJson(result), () => {
          if (Object.keys(result.diff).length > 0) {
            const table = diffTable(result, { title: 'Metric', withChange: true, markdown: opts.md, precision: opts.precision });
            ctx.out.line(table);
          }
        });
      }),
    );
  examples(diff, ['mlpipe metrics diff', 'mlpipe metrics diff main --md >> report.md']);
}
