import { Random } from '../random.js';
import { sortFloat32 } from '../sort.js';

/**
 * Histogram binning (as in LightGBM and scikit-learn's HistGradientBoosting): each feature gets at
 * most `maxBins` bins, so a split search scans bins instead of sorted values, and binned data fits
 * in one byte per value.
 *
 * Thresholds are data values, not midpoints: bin(x) is the first i with x <= thresholds[i] (or
 * thresholds.length), so "bin <= b" is exactly "x <= thresholds[b]" on the float32 inputs. That is
 * the comparison ONNX's TreeEnsemble BRANCH_LEQ makes, so mlpipe and onnxruntime never disagree on
 * which side of a split a value falls.
 */
const SUBSAMPLE = 200_000;

/** Per feature, ascending float32 thresholds (at most maxBins - 1). */
export function fitBins(X: Float32Array, F: number, rows: Uint32Array, maxBins: number, seed: number): Float32Array[] {
  let sample = rows;
  if (rows.length > SUBSAMPLE) {
    sample = new Random(seed).shuffle(Uint32Array.from(rows)).subarray(0, SUBSAMPLE).sort();
  }
  const m = sample.length;
  const values = new Float32Array(m);
  const out: Float32Array[] = [];
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < m; i++) values[i] = X[sample[i]! * F + f]!;
    sortFloat32(values);
    const distinct: number[] = [];
    for (let i = 0; i < m; i++) if (i === 0 || values[i] !== values[i - 1]) distinct.push(values[i]!);
    let thresholds: number[];
    if (distinct.length <= maxBins) {
      thresholds = distinct.slice(0, -1);
    } else {
      // Quantile edges: the last value of each of maxBins equal-count slices, deduplicated.
      thresholds = [];
      for (let b = 1; b < maxBins; b++) {
        const t = values[Math.ceil((b * m) / maxBins) - 1]!;
        if (t !== thresholds[thresholds.length - 1] && t < distinct[distinct.length - 1]!) thresholds.push(t);
      }
    }
    out.push(Float32Array.from(thresholds));
  }
  return out;
}

/** Column-major bins [F][rows.length] of the given rows. */
export function applyBins(X: Float32Array, F: number, rows: Uint32Array, thresholds: Float32Array[]): Uint8Array {
  const n = rows.length;
  const bins = new Uint8Array(F * n);
  for (let f = 0; f < F; f++) {
    const t = thresholds[f]!;
    const k = t.length;
    const col = bins.subarray(f * n, (f + 1) * n);
    for (let i = 0; i < n; i++) {
      const x = X[rows[i]! * F + f]!;
      let lo = 0;
      let hi = k;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (x <= t[mid]!) hi = mid;
        else lo = mid + 1;
      }
      col[i] = lo;
    }
  }
  return bins;
}
