import type { Command } from 'commander';
import { naValuesFlag } from '../../data/na.js';
import { action, examples } from '../command.js';

interface InferOptions {
  output?: string;
  naValues?: string[];
}

export function registerSchema(program: Command): void {
  const schema = program.command('schema').description('create validation schemas');
  const infer = schema
    .command('infer')
    .description('profile a CSV or Parquet file and write a YAML schema (types, nulls, ranges, categories, CSV dialect) to edit')
    .argument('<data>', 'CSV (optionally .gz) or Parquet file')
    .option('-o, --output <file>', 'write the schema to this file instead of stdout')
    .option('--na-values <list>', 'comma-separated tokens read as missing, replacing the default list (NA, N/A, NaN, null, None, #N/A, ... as pandas)', naValuesFlag)
    .action(
      action<[string], InferOptions>(async (ctx, opts, data) => {
        const { resolve } = await import('node:path');
        const { inferSchema } = await import('../../data/infer.js');
        const { serializeSchema } = await import('../../data/schema.js');
        const { writeFileAtomic } = await import('../../core/fs/atomic.js');
        const { schema: inferred, profile } = await inferSchema({ data: resolve(ctx.cwd, data), naValues: opts.naValues, progress: ctx.out.progress });
        const text = serializeSchema(inferred, `mlpipe validation schema inferred from ${data} (${profile.rows} rows).\nEdit the bounds, then: mlpipe validate ${data} --schema ${opts.output ?? 'schema.yaml'}`);
        if (opts.output) writeFileAtomic(resolve(ctx.cwd, opts.output), text);
        ctx.out.result({ schema: inferred, output: opts.output ?? null, rows: profile.rows }, () => {
          if (!opts.output) process.stdout.write(text);
          else ctx.out.line(`wrote ${opts.output}: ${profile.columns.length} columns, ${profile.rows} rows`);
        });
      }),
    );
  examples(infer, ['mlpipe schema infer data/train.csv -o schema.yaml', 'mlpipe schema infer data/train.parquet']);
}
