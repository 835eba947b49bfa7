import { type Command, Option } from 'commander';
import { version } from '../../version.js';
import { action, examples } from '../command.js';
import { repeatable as collect } from '../options.js';

interface TrainFlags {
  data: string;
  target: string;
  params?: string;
  set: string[];
  out: string;
  metrics: string;
  plots: string;
  name?: string;
}


export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a tabular model (linear, logistic, tree, forest, gradient boosting) and export it to ONNX')
    .requiredOption('-d, --data <file>', 'training data (CSV with a header row, or Parquet)')
    .requiredOption('-t, --target <column>', 'the column to predict')
    .option('-p, --params <file>', 'params.yaml whose `train:` section holds the hyperparameters')
    .addOption(new Option('-s, --set <key=value>', 'override one hyperparameter (repeatable)').argParser(collect).default([]))
    .option('-o, --out <dir>', 'model folder to write (model.onnx + model.json)', 'model')
    .option('--metrics <file>', 'where to write the metrics', 'metrics.json')
    .option('--plots <dir>', 'where to write the plot data (CSV)', 'plots')
    .option('--name <name>', 'model name recorded in model.json (default: the folder name)')
    .action(
      action<[], TrainFlags>(async (ctx, flags) => {
        const { train } = await import('../../train/train.js');
        const r = await train({
          data: flags.data,
          target: flags.target,
          paramsFile: flags.params,
          set: flags.set,
          out: flags.out,
          metricsFile: flags.metrics,
          plotsDir: flags.plots,
          name: flags.name,
          cwd: ctx.cwd,
          progress: ctx.out.progress,
          signal: ctx.signal,
          version: version(),
        });
        ctx.out.result(r, () => {
          ctx.out.line(
            `trained ${r.algorithm} (${r.task}) on ${r.rows.train} rows x ${r.features} features in ${r.fitSeconds.toFixed(2)}s`,
          );
          const shown = Object.entries(r.metrics).filter(([, v]) => typeof v === 'number');
          ctx.out.table(
            shown.map(([metric, value]) => ({ metric, value })),
            [
              { key: 'metric', header: `test metric (${r.rows.test} rows)` },
              { key: 'value', header: 'value', align: 'right' },
            ],
          );
          ctx.out.line(`model: ${r.model}`);
          if (r.metricsFile) ctx.out.line(`metrics: ${r.metricsFile}`);
          if (r.plotsDir) ctx.out.line(`plots: ${r.plotsDir}`);
        });
      }),
    );
  examples(cmd, [
    'mlpipe train --data data/train.csv --target income',
    'mlpipe train -d data.parquet -t price --params params.yaml --out models/price',
    'mlpipe train -d data.csv -t label --set algorithm=random_forest --set n_estimators=200',
    'mlpipe train -d data.csv -t label --set algorithm=hgb --set max_iter=100 --set early_stopping=false',
  ]);
}
