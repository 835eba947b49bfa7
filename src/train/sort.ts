/**
 * Fast order statistics over typed arrays, for binning and imputation (V8's TypedArray sort is a
 * general comparison sort and was the slowest step of preparing 200k rows).
 */

/** Sorts finite float32 values ascending in place: LSD radix sort on order-preserving bit keys. */
export function sortFloat32(values: Float32Array): void {
  const n = values.length;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  // Flip all bits of negatives and the sign bit of positives: unsigned order = float order.
  for (let i = 0; i < n; i++) {
    const x = keys[i]!;
    keys[i] = x & 0x80000000 ? ~x >>> 0 : (x | 0x80000000) >>> 0;
  }
  let src: Uint32Array = keys;
  let dst: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(2048);
  for (const shift of [0, 11, 22]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[i]! >>> shift) & 0x7ff]!++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) dst[counts[(src[i]! >>> shift) & 0x7ff]!++] = src[i]!;
    [src, dst] = [dst, src];
  }
  // Three passes: the sorted keys are in `dst`'s old buffer; copy back if needed.
  if (src !== keys) keys.set(src);
  for (let i = 0; i < n; i++) {
    const x = keys[i]!;
    keys[i] = x & 0x80000000 ? (x & 0x7fffffff) >>> 0 : ~x >>> 0;
  }
}

/** The k-th smallest value (0-based) of a, reordering a (Hoare's quickselect). */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of the values (mean of the two middle ones for an even count); reorders a. */
export function median(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const m = n >> 1;
  const upper = select(a, m);
  if (n % 2) return upper;
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}
