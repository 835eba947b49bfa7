import type { Command } from 'commander';
import { action, examples } from '../command.js';

interface EvaluateFlags {
  model: string;
  data: string;
  target?: string;
  metrics: string;
  plots: string;
}

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('score labelled held-out data with a saved model and write metrics and plot data')
    .requiredOption('-m, --model <dir>', 'model folder (model.json + model.onnx)')
    .requiredOption('-d, --data <file>', 'labelled data (CSV with a header row, or Parquet)')
    .option('-t, --target <column>', "the label column (default: the model's target)")
    .option('--metrics <file>', 'where to write the metrics JSON', 'eval.json')
    .option('--plots <dir>', 'where to write the plot data (CSV)', 'plots/eval')
    .action(
      action<[], EvaluateFlags>(async (ctx, flags) => {
        const { evaluate } = await import('../../train/evaluate.js');
        const result = await evaluate({
          model: flags.model,
          data: flags.data,
          target: flags.target,
          metricsFile: flags.metrics,
          plotsDir: flags.plots,
          cwd: ctx.cwd,
          onWarning: (message: string) => ctx.out.warn(message),
        });
        ctx.out.result(result, () => {
          ctx.out.line(`evaluated ${result.model} (version ${result.version}, ${result.task}) on ${result.rows} rows`);
          const rows = Object.entries(result.metrics)
            .filter(([, v]) => typeof v === 'number')
            .map(([metric, value]) => ({ metric, value }));
          ctx.out.table(rows, [
            { key: 'metric', header: 'metric' },
            { key: 'value', header: 'value', align: 'right' },
          ]);
          if (result.metricsFile) ctx.out.line(`metrics: ${result.metricsFile}`);
          if (result.plotsDir) ctx.out.line(`plots: ${result.plotsDir}`);
        });
      }),
    );
  examples(cmd, [
    'mlpipe evaluate --model model --data data/test.csv',
    'mlpipe evaluate -m model -d data/test.parquet -t income --metrics metrics/eval.json --plots plots/eval',
  ]);
}
