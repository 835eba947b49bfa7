import type { Command } from 'commander';
import { naValuesFlag } from '../../data/na.js';
import { action, examples } from '../command.js';

interface ProfileFlags {
  html?: string;
  naValues?: string[];
}

export function registerProfile(program: Command): void {
  const cmd = program
    .command('profile')
    .description('per-column statistics and histograms of a CSV or Parquet file')
    .argument('<data>', 'CSV (optionally .gz) or Parquet file')
    .option('--html <file>', 'also write a self-contained HTML report with histograms')
    .option('--na-values <list>', 'comma-separated tokens read as missing, replacing the default list (NA, N/A, NaN, null, None, #N/A, ... as pandas)', naValuesFlag)
    .action(
      action<[string], ProfileFlags>(async (ctx, opts, data) => {
        const { resolve } = await import('node:path');
        const { profile } = await import('../../data/profile.js');
        const { renderProfile } = await import('../render/validation.js');
        const result = await profile({ data: resolve(ctx.cwd, data), naValues: opts.naValues, progress: ctx.out.progress });
        if (opts.html) {
          const { writeHtmlReport } = await import('../../data/report/html.js');
          await writeHtmlReport(resolve(ctx.cwd, opts.html), { profile: result });
        }
        ctx.out.result(result, () => renderProfile(ctx.out, result));
      }),
    );
  examples(cmd, ['mlpipe profile data/train.csv', 'mlpipe profile data/train.parquet --html profile.html']);
}
