import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { MlpipeError } from '../../errors.js';
import { action, examples } from '../command.js';
import { integer } from '../options.js';

interface MetricsOptions {
  all?: boolean;
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  targets?: string[];
  md?: boolean;
  precision?: number;
}

/** Digits after the point, as Number#toFixed accepts them. */
const precision = integer({ min: 0, max: 100 });

export function registerMetrics(program: Command): void {
  const metrics = program.command('metrics').description('show and compare the metrics files of dvc.yaml stages');
  const show = metrics
    .command('show [targets...]')
    .description('show metrics of the workspace (all metrics files, or the given files or folders)')
    .option('-a, --all-branches', 'also the tip of every git branch')
    .option('-T, --all-tags', 'also every git tag')
    .option('-A, --all-commits', 'also every git commit')
    .option('--md', 'print a markdown table')
    .option('--precision <n>', 'round floats to n digits (default 5)', precision)
    .action(
      action<[string[]], MetricsOptions>(async (ctx, opts, targets) => {
        const { metricsShowTable } = await import('../render/metrics.js');
        const { metricsShowTargets } = await import('../../pipeline/metrics-targets.js');
        const { showJson } = await import('../../pipeline/report-json.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        const root = requireRoot(ctx.cwd);
        const result = metricsShowTargets({ root, targets: repoPaths(root, ctx.cwd, targets), allBranches: opts.allBranches, allTags: opts.allTags, allCommits: opts.allCommits });
        // DVC 3 keys the workspace as "" in --json (test/fixtures/dvc/experiments/commands)
        const json = Object.fromEntries(Object.entries(showJson(result.revisions)).map(([k, v]) => [k === 'workspace' ? '' : k, v]));
        ctx.out.result(json, () => {
          ctx.out.line(metricsShowTable(result, { markdown: opts.md, precision: opts.precision }));
        });
      }),
    );
  examples(show, ['mlpipe metrics show', 'mlpipe metrics show metrics/eval.json', 'mlpipe metrics show -a --md', 'mlpipe metrics show --json']);
  const diff = metrics
    .command('diff [revs...]')
    .description('show changed metrics between two revisions (default: HEAD and the workspace)')
    .option('-a, --all', 'show unchanged metrics too')
    .option('--targets <paths...>', 'only these metrics files or folders')
    .option('--md', 'print a markdown table')
    .option('--precision <n>', 'round floats to n digits (default 5)', precision)
    .action(
      action<[string[]], MetricsOptions>(async (ctx, opts, revs) => {
        const { diffTable } = await import('../render/metrics.js');
        const { metricsDiffTargets } = await import('../../pipeline/metrics-targets.js');
        const { diffJson } = await import('../../pipeline/report-json.js');
        const { requireRoot } = await import('../../pipeline/root.js');
        if (revs.length > 2) throw new MlpipeError('E_USAGE', `metrics diff takes at most two revisions, got ${revs.length}`, { received: revs.join(' '), hint: 'name files with --targets' });
        const root = requireRoot(ctx.cwd);
        const result = metricsDiffTargets({ root, a: revs[0], b: revs[1], all: opts.all, targets: opts.targets && repoPaths(root, ctx.cwd, opts.targets) });
        ctx.out.result(diffJson(result), () => {
          if (Object.keys(result.diff).length > 0) {
            const table = diffTable(result, { title: 'Metric', withChange: true, markdown: opts.md, precision: opts.precision });
            ctx.out.line(table);
          }
        });
      }),
    );
  examples(diff, ['mlpipe metrics diff', 'mlpipe metrics diff main --md >> report.md', 'mlpipe metrics diff HEAD~1 HEAD --targets metrics/eval.json']);
}

/** Targets are given relative to where the command runs; the library takes repo paths. */
function repoPaths(root: string, cwd: string, targets: string[]): string[] {
  return targets.map((t) => relative(root, resolve(cwd, t)).split('\\').join('/') || '.');
}
