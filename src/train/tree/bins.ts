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

/** Features transposed per block in fitBins: 16 float32s are one 64-byte line of a row. */
const BLOCK = 16;

/** Per feature, ascending float32 thresholds (at most maxBins - 1). */
export function fitBins(X: Float32Array, F: number, rows: Uint32Array, maxBins: number, seed: number): Float32Array[] {
  let sample = rows;
  if (rows.length > SUBSAMPLE) {
    sample = new Random(seed).shuffle(Uint32Array.from(rows)).subarray(0, SUBSAMPLE).sort();
  }
  const m = sample.length;
  // Row-major X read once per block of features (a strided read per feature touched every cache
  // line of X once per feature).
  const columns = new Float32Array(Math.min(F, BLOCK) * m);
  const out: Float32Array[] = [];
  for (let f0 = 0; f0 < F; f0 += BLOCK) {
    const width = Math.min(BLOCK, F - f0);
    for (let i = 0; i < m; i++) {
      const r = sample[i]! * F + f0;
      for (let j = 0; j < width; j++) columns[j * m + i] = X[r + j]!;
    }
    for (let j = 0; j < width; j++) out.push(thresholdsOf(columns.subarray(j * m, (j + 1) * m), maxBins));
  }
  return out;
}

/** Thresholds of one feature's sampled values (sorted in place). */
function thresholdsOf(values: Float32Array, maxBins: number): Float32Array {
  const m = values.length;
  sortFloat32(values);
  let distinct = m > 0 ? 1 : 0;
  for (let i = 1; i < m; i++) if (values[i] !== values[i - 1]) distinct++;
  const thresholds: number[] = [];
  if (distinct <= maxBins) {
    // Every distinct value but the largest (the first of each run: -0 and 0 compare equal and the
    // threshold keeps the first one's sign bit).
    let first = 0;
    for (let i = 1; i < m; i++) {
      if (values[i] !== values[i - 1]) {
        thresholds.push(values[first]!);
        first = i;
      }
    }
  } else {
    // Quantile edges: the last value of each of maxBins equal-count slices, deduplicated.
    const largest = values[m - 1]!;
    for (let b = 1; b < maxBins; b++) {
      const t = values[Math.ceil((b * m) / maxBins) - 1]!;
      if (t !== thresholds[thresholds.length - 1] && t < largest) thresholds.push(t);
    }
  }
  return Float32Array.from(thresholds);
}

/** Slots per feature in applyBins' table: thresholds padded with +Infinity to a power of two. */
const SLOTS = 256;

/**
 * Column-major bins [F][rows.length] of the given rows. Each feature's thresholds are padded with
 * +Infinity to 256 slots, so the search is a fixed 8 halvings (the first slot >= x is the bin:
 * x <= +Infinity stops it at thresholds.length), and X is read row by row, once.
 */
export function applyBins(X: Float32Array, F: number, rows: Uint32Array, thresholds: Float32Array[]): Uint8Array {
  const n = rows.length;
  const bins = new Uint8Array(F * n);
  const table = new Float32Array(F * SLOTS).fill(Number.POSITIVE_INFINITY);
  for (let f = 0; f < F; f++) table.set(thresholds[f]!, f * SLOTS);
  const counts = Int32Array.from(thresholds, (t) => t.length);
  for (let i = 0; i < n; i++) {
    const r = rows[i]! * F;
    for (let f = 0; f < F; f++) {
      const x = X[r + f]!;
      const base = f * SLOTS;
      // Branch-free (+bool is 0 or 1): the halvings go either way at random, and mispredicted
      // branches made this 3x slower.
      let lo = base;
      lo += +(table[lo + 127]! < x) << 7;
      lo += +(table[lo + 63]! < x) << 6;
      lo += +(table[lo + 31]! < x) << 5;
      lo += +(table[lo + 15]! < x) << 4;
      lo += +(table[lo + 7]! < x) << 3;
      lo += +(table[lo + 3]! < x) << 2;
      lo += +(table[lo + 1]! < x) << 1;
      lo += +(table[lo]! < x);
      // NaN compares false everywhere: like x > every threshold, it takes the last bin.
      bins[f * n + i] = Number.isNaN(x) ? counts[f]! : lo - base;
    }
  }
  return bins;
}
