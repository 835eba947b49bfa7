import { MlpipeError } from '../errors.js';

/**
 * Whether a new model's metric beats the baseline's by more than `margin` (absolute), in the
 * metric's direction. The train workflow registers a version only when it does.
 */
export interface Improvement {
  metric: string;
  current: number;
  baseline: number | null;
  margin: number;
  higherIsBetter: boolean;
  improves: boolean;
}

export function compareMetric(
  metric: string,
  current: Record<string, unknown>,
  baseline: Record<string, unknown> | null,
  o: { margin: number; higherIsBetter: boolean },
): Improvement {
  const value = current[metric];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MlpipeError('E_NOT_FOUND', `metric '${metric}' is not a number in the current metrics`, {
      expected: `one of: ${Object.keys(current).join(', ') || '(no metrics)'}`,
      hint: 'metrics are keyed `key`, or `file:key` when dvc.yaml has several metrics files',
    });
  }
  const base = baseline?.[metric];
  const baselineValue = typeof base === 'number' && Number.isFinite(base) ? base : null;
  const improves = baselineValue === null || (o.higherIsBetter ? value - baselineValue > o.margin : baselineValue - value > o.margin);
  return { metric, current: value, baseline: baselineValue, margin: o.margin, higherIsBetter: o.higherIsBetter, improves };
}
