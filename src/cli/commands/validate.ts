import type { Command } from 'commander';
import { naValuesFlag } from '../../data/na.js';
import { action, examples } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { integer } from '../options.js';

interface ValidateFlags {
  schema: string;
  reference?: string;
  report?: string;
  sample: number;
  naValues?: string[];
}

export function registerValidate(program: Command): void {
  const cmd = program
    .command('validate')
    .description('check a CSV or Parquet file against a schema (and drift against a reference); exit 10 when error-level checks fail')
    .argument('<data>', 'CSV (optionally .gz) or Parquet file')
    .requiredOption('-s, --schema <file>', 'the YAML schema (see `mlpipe schema infer`)')
    .option('-r, --reference <file>', 'reference dataset to test drift against')
    .option('--report <file>', 'also write a self-contained HTML report')
    .option('--sample <n>', 'offending rows kept per issue', integer({ min: 0 }), 5)
    .option('--na-values <list>', "comma-separated tokens read as missing, instead of the schema's csv.nullMarkers (default: NA, N/A, NaN, null, None, #N/A, ... as pandas)", naValuesFlag)
    .action(
      action<[string], ValidateFlags>(async (ctx, opts, data) => {
        const { resolve } = await import('node:path');
        const { validate } = await import('../../data/validate.js');
        const { renderIssues, validationError } = await import('../render/validation.js');
        const at = (p: string) => resolve(ctx.cwd, p);
        const report = await validate({
          data: at(data),
          schema: at(opts.schema),
          reference: opts.reference ? at(opts.reference) : undefined,
          sampleSize: opts.sample,
          naValues: opts.naValues,
          progress: ctx.out.progress,
          profile: Boolean(opts.report),
        });
        // Report the files as the user named them: an absolute path would make the JSON report
        // differ between checkouts (and re-run every pipeline stage that depends on it).
        report.data = data;
        if (report.drift && opts.reference) report.drift.reference = opts.reference;
        if (opts.report) {
          const { writeHtmlReport } = await import('../../data/report/html.js');
          await writeHtmlReport(at(opts.report), { validation: report, profile: report.profile });
        }
        ctx.out.result(report, () => renderIssues(ctx.out, report));
        if (report.valid) return;
        // With --json the report on stdout is the one document; the exit code carries the verdict.
        if (ctx.out.json) process.exitCode = EXIT_CODES.E_VALIDATION_FAILED;
        else throw validationError(report);
      }),
    );
  examples(cmd, [
    'mlpipe validate data/train.csv --schema schema.yaml',
    'mlpipe validate data/new.csv --schema schema.yaml --reference data/train.csv --report report.html',
    'mlpipe validate data/train.parquet --schema schema.yaml --json',
  ]);
}
