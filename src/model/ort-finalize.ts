/**
 * How a tree ensemble's per-row sums become onnxruntime's outputs, operation for operation, so that
 * mlpipe's WebAssembly tree walk (wasm-forest.ts) writes the same float32 bits onnxruntime would
 * (tree_ensemble_aggregator.h and ml_common.h of onnxruntime 1.30, for the graphs mlpipe writes:
 * double thresholds and sums, float32 outputs):
 * - `regression` (TreeEnsembleRegressor, SUM, no transform): value = sum + base, as float32.
 * - `margin` and `logistic` (binary TreeEnsembleClassifier with one score s = sum + base, some
 *   weights negative): label 1 when s > 0; scores [-s, s], or with LOGISTIC
 *   [logistic(-f), logistic(f)] of f = float32(s), where logistic(v) = 1 / (1 + expf(-|v|)) in
 *   float32 arithmetic and 1 minus that for v < 0.
 * - `probability` (binary, every weight >= 0, as random forests vote): label 1 when s > 0.5;
 *   [1 - s, s].
 *
 * expf is glibc's (what onnxruntime links): a double approximation within 1.69 * 2^-34 of e^x,
 * rounded to float32. Math.exp is within an ulp of e^x in double, so the two round the same way
 * unless e^x lies next to a float32 rounding boundary. Where an interval of +-2^-30 around
 * Math.exp's value could round two ways, the row is listed in `unsure` (about 1 row in 1,000) and
 * its outputs are left for onnxruntime to fill in.
 *
 * This function runs in the scoring thread as source text (scoring-thread.ts): it must not use
 * anything outside its body.
 */
export function finalizeTreeSums(
  kind: 'regression' | 'margin' | 'logistic' | 'probability',
  sums: Float64Array,
  rows: number,
  base: number | null,
  classLabels: readonly [number, number],
  labels: Int32Array | null,
  out: Float32Array,
  unsure: number[],
): void {
  const f32 = Math.fround;
  const widen = 1 + 2 ** -30;
  const narrow = 1 - 2 ** -30;
  if (kind === 'regression') {
    for (let r = 0; r < rows; r++) out[r] = sums[r]! + (base ?? 0);
    return;
  }
  const [negative, positive] = classLabels;
  for (let r = 0; r < rows; r++) {
    const s = base === null ? sums[r]! : sums[r]! + base;
    const o = 2 * r;
    if (kind === 'probability') {
      labels![r] = s > 0.5 ? positive : negative;
      out[o] = 1 - s;
      out[o + 1] = s;
      continue;
    }
    labels![r] = s > 0 ? positive : negative;
    if (kind === 'margin') {
      out[o] = -s;
      out[o + 1] = s;
      continue;
    }
    const v = f32(s);
    const e = Math.exp(-Math.abs(v));
    const low = f32(1 + f32(e * narrow));
    const denominator = f32(1 + f32(e * widen));
    if (low !== denominator) {
      // Also NaN: onnxruntime says what it makes of it.
      unsure.push(r);
      continue;
    }
    const w = f32(1 / denominator);
    const flipped = f32(1 - w);
    out[o] = v > 0 ? flipped : w;
    out[o + 1] = v < 0 ? flipped : w;
  }
}
