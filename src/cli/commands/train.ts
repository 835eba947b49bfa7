import { type Command, Option } from 'commander';
import { version } from '../../version.js';
import { naValuesFlag } from '../../data/na.js';
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
  schema?: string;
  naValues?: string[];
  register?: string;
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
    .option('--schema <file>', "read the data with this validation schema's types, CSV dialect and missing-value tokens")
    .option('--na-values <list>', 'comma-separated tokens read as missing, replacing the default list (NA, N/A, NaN, null, None, #N/A, ... as pandas)', naValuesFlag)
    .option('--register <artifact>', 'declare the model folder as this artifact in dvc.yaml (for `mlpipe models register`)')
    .action(
      action<[], TrainFlags>(async (ctx, flags) => {
        const { train } = await import('../../train/train.js');
        const r = await train({
          data: flags.data,
          target: flags.target,
          schema: flags.schema,
          naValues: flags.naValues,
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
        const declared = flags.register ? await declareModel(ctx.cwd, flags.register, r.model, `${r.algorithm} ${r.task} model predicting "${flags.target}"`) : undefined;
        ctx.out.result({ ...r, ...(declared ? { artifact: declared } : {}) }, () => {
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
          for (const note of r.notes) ctx.out.line(`note: ${note}`);
          ctx.out.line(`model: ${r.model}`);
          if (r.metricsFile) ctx.out.line(`metrics: ${r.metricsFile}`);
          if (r.plotsDir) ctx.out.line(`plots: ${r.plotsDir}`);
          if (declared?.written) ctx.out.line(`declared artifact '${declared.name}' in ${declared.dvcYaml}`);
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

/** `--register NAME`: the model folder becomes artifact NAME of the dvc.yaml next to the project root. */
async function declareModel(cwd: string, name: string, modelDir: string, desc: string): Promise<{ name: string; dvcYaml: string; written: boolean }> {
  const { ensureDeclared, splitArtifactName } = await import('../../registry/artifacts.js');
  const { assertArtifactName } = await import('../../registry/names.js');
  const { findRepoRoot } = await import('../../core/repo/find-root.js');
  const { dirname, join, relative } = await import('node:path');
  assertArtifactName(name);
  const root = findRepoRoot(cwd) ?? cwd;
  const ref = splitArtifactName(name);
  const path = relative(dirname(join(root, ref.dvcYaml)), modelDir).split('\\').join('/');
  const written = ensureDeclared(root, name, { path, type: 'model', desc });
  return { name, dvcYaml: ref.dvcYaml, written };
}
