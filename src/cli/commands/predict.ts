import type { Command } from 'commander';
import { naValuesFlag } from '../../data/na.js';
import { action, examples } from '../command.js';
import { integer } from '../options.js';

interface PredictFlags {
  model: string;
  input?: string;
  output?: string;
  proba?: boolean;
  id?: string[];
  batchSize: number;
  naValues?: string[];
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('score a file of rows with a model (batch prediction), keeping input order')
    .argument('[input]', 'rows to score: .csv, .parquet, .jsonl, or - for JSON lines on stdin')
    .requiredOption('-m, --model <dir>', 'model folder (model.json + model.onnx) or a .onnx file')
    .option('-i, --input <file>', 'rows to score (same as the positional argument)')
    .option('-o, --output <file>', 'write predictions to a .csv, .jsonl or .parquet file (default: stdout)')
    .option('--proba', 'add one probability column per class (classifiers)')
    .option('--id <column...>', 'input columns to copy into the output, to join predictions back')
    .option('--batch-size <rows>', 'rows scored per batch', integer({ min: 1 }), 65536)
    .option('--na-values <list>', 'comma-separated tokens read as missing, replacing the default list (NA, N/A, NaN, null, None, #N/A, ... as pandas)', naValuesFlag)
    .action(
      action<[string | undefined], PredictFlags>(async (ctx, flags, positional) => {
        const { MlpipeError } = await import('../../errors.js');
        const input = flags.input ?? positional;
        if (!input) {
          throw new MlpipeError('E_USAGE', 'no input: give a file (or - for stdin) as argument or with --input', {
            hint: 'mlpipe predict --model model/ rows.csv --output preds.csv',
          });
        }
        const { predict } = await import('../../serve/predict.js');
        const result = await predict({
          model: flags.model,
          input,
          output: flags.output,
          proba: flags.proba,
          ids: flags.id,
          batchSize: flags.batchSize,
          naValues: flags.naValues,
          progress: ctx.out.progress,
          onWarning: (message) => ctx.out.warn(message),
          signal: ctx.signal,
        });
        // Without --output the predictions themselves are the command's output on stdout.
        if (result.output === null) return;
        ctx.out.result(result, () => {
          ctx.out.line(`wrote ${result.rows} predictions to ${result.output} (${result.format}) in ${result.seconds.toFixed(2)} s`);
        });
      }),
    );
  examples(cmd, [
    'mlpipe predict --model models/churn data/customers.csv --output preds.csv --id customer_id',
    'mlpipe predict --model models/churn data/customers.parquet -o preds.parquet --proba',
    `echo '{"age": 42, "plan": "pro"}' | mlpipe predict --model models/churn -`,
  ]);
}
