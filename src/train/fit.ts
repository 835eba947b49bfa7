import type { ProgressReporter } from '../core/progress.js';
import type { Dataset } from './data/prepare.js';
import { takeRows } from './data/split.js';
import { fitLinear } from './linear/linear.js';
import { fitLogistic } from './linear/logistic.js';
import { type Scorer, rawWidth } from './model/scorer.js';
import type { TrainParams } from './params.js';
import { interrupted, threadCount } from './threads.js';
import { applyBins, fitBins } from './tree/bins.js';
import type { BinnedData } from './tree/cart.js';
import { fitForest } from './tree/forest.js';
import type { LearningPoint } from '../model/plots.js';
import { fitHgb } from './tree/hgb.js';

/** One algorithm fitted on some rows of a dataset: the scorer plus what the reports need. */
export interface FitResult {
  scorer: Scorer;
  /** Per feature, unnormalised (impurity decrease or split gain); null for linear models. */
  importance: Float64Array | null;
  curve: LearningPoint[];
  info: Record<string, number | boolean>;
  /** The fitted rows' summed leaf values, when the fit kept them (gradient boosting; see scoreFromTreeSums). */
  treeSums?: { rows: Uint32Array; sums: Float64Array };
}

/** Per-row sample weights from class_weight (null when all rows weigh the same). */
export function classWeights(ds: Dataset, rows: Uint32Array, params: TrainParams): Float64Array | null {
  const cw = params.class_weight;
  if (cw === null || !ds.classes) return null;
  const y = ds.y as Int32Array;
  const K = ds.classes.length;
  const perClass = new Float64Array(K).fill(1);
  if (cw === 'balanced') {
    const counts = new Float64Array(K);
    for (const r of rows) counts[y[r]!]!++;
    for (let k = 0; k < K; k++) perClass[k] = counts[k]! > 0 ? rows.length / (K * counts[k]!) : 0;
  } else {
    ds.classes.forEach((label, k) => {
      perClass[k] = cw[label] ?? 1;
    });
  }
  const w = new Float64Array(ds.rows);
  for (let r = 0; r < ds.rows; r++) w[r] = perClass[y[r]!]!;
  return w;
}

function maxFeatures(value: TrainParams['max_features'], F: number): number {
  if (value === 'all') return F;
  if (value === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(F)));
  if (value === 'log2') return Math.max(1, Math.floor(Math.log2(F)));
  return value <= 1 ? Math.max(1, Math.floor(value * F)) : Math.min(F, value);
}

const fround = (a: ArrayLike<number>) => Float64Array.from(a, (v) => Math.fround(v));

export async function fitModel(
  ds: Dataset,
  rows: Uint32Array,
  params: TrainParams,
  progress: ProgressReporter,
  signal?: AbortSignal,
): Promise<FitResult> {
  const F = ds.features.length;
  const C = ds.classes?.length ?? 0;
  const weights = classWeights(ds, rows, params);
  const algorithm = params.algorithm;
  if (signal?.aborted) throw interrupted();

  if (algorithm === 'linear' || algorithm === 'ridge') {
    if (C > 0) throw new Error('linear regression needs a regression task (checked by train)');
    const fit = fitLinear(ds.X, F, rows, ds.y as Float64Array, algorithm === 'ridge' ? params.alpha : 0, weights);
    return {
      scorer: { kind: 'linear', features: F, classes: 0, coef: fround(fit.coef), intercept: fround([fit.intercept]), link: 'identity' },
      importance: null,
      curve: [],
      info: {},
    };
  }

  if (algorithm === 'logistic') {
    const task = progress.task('logistic regression', { total: params.max_iter, unit: 'iterations' });
    const curve: LearningPoint[] = [];
    const fit = fitLogistic(ds.X, F, rows, ds.y as Int32Array, C, {
      C: params.C,
      maxIter: params.max_iter,
      tol: params.tol ?? 1e-4,
      weights,
      onIteration: (iteration, loss) => {
        curve.push({ iteration, train_loss: loss });
        task.tick();
        task.status(`iter ${iteration} loss ${loss.toFixed(5)}`);
      },
    });
    task.done();
    return {
      scorer: { kind: 'linear', features: F, classes: C, coef: fround(fit.coef), intercept: fround(fit.intercept), link: C === 2 ? 'logistic' : 'softmax' },
      importance: null,
      curve,
      info: { iterations: fit.iterations, converged: fit.converged },
    };
  }

  // Tree models work on binned training rows.
  const thresholds = fitBins(ds.X, F, rows, params.max_bins, params.seed);
  const data: BinnedData = {
    bins: applyBins(ds.X, F, rows, thresholds),
    n: rows.length,
    F,
    thresholds,
    y: takeRows(ds.y, rows),
    classes: C,
  };
  const sampleWeight = weights && takeRows(weights, rows);

  if (algorithm === 'hgb') {
    const task = progress.task('gradient boosting', { total: params.max_iter, unit: 'iterations' });
    const earlyStopping = params.early_stopping === 'auto' ? rows.length > 10_000 : params.early_stopping;
    try {
      const fit = await fitHgb(
        data,
        sampleWeight,
        {
          maxIter: params.max_iter,
          learningRate: params.learning_rate,
          maxLeafNodes: params.max_leaf_nodes ?? Number.POSITIVE_INFINITY,
          maxDepth: params.max_depth ?? Number.POSITIVE_INFINITY,
          minSamplesLeaf: params.min_samples_leaf ?? 20,
          l2: params.l2_regularization,
          earlyStopping,
          validationFraction: params.validation_fraction,
          nIterNoChange: params.n_iter_no_change,
          tol: params.tol ?? 1e-7,
          seed: params.seed,
          threads: threadCount(params.threads),
        },
        (p) => {
          task.tick();
          task.status(`iter ${p.iteration} train ${p.train_loss.toFixed(5)}${p.valid_loss === undefined ? '' : ` valid ${p.valid_loss.toFixed(5)}`}`);
        },
        signal,
      );
      return {
        scorer: { kind: 'trees', features: F, classes: C, trees: fit.trees, targets: fit.targets, base: fit.base, link: C === 0 ? 'identity' : C === 2 ? 'logistic' : 'softmax' },
        importance: fit.importance,
        curve: fit.curve,
        info: { iterations: fit.curve.length, trees: fit.trees.length, early_stopping: earlyStopping },
        treeSums: { rows, sums: fit.treeSums },
      };
    } finally {
      task.done();
    }
  }

  const forest = algorithm === 'random_forest';
  const trees = forest ? params.n_estimators : 1;
  const task = progress.task(forest ? 'random forest' : 'decision tree', { total: trees, unit: 'trees' });
  try {
    const fit = await fitForest(
      {
        data,
        sampleWeight,
        options: {
          trees,
          bootstrap: forest && params.bootstrap,
          maxFeatures: forest ? maxFeatures(params.max_features, F) : F,
          maxDepth: params.max_depth ?? Number.POSITIVE_INFINITY,
          minSamplesLeaf: params.min_samples_leaf ?? 1,
          minSamplesSplit: params.min_samples_split,
          seed: params.seed,
          threads: params.threads,
        },
      },
      () => task.tick(),
      signal,
    );
    return {
      scorer: { kind: 'trees', features: F, classes: C, trees: fit.trees, targets: fit.trees.map(() => 0), base: new Float64Array(rawWidth(C)), link: C === 0 ? 'identity' : 'probability' },
      importance: fit.importance,
      curve: [],
      info: { trees, nodes: fit.trees.reduce((a, t) => a + t.feature.length, 0) },
    };
  } finally {
    task.done();
  }
}
