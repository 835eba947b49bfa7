/**
 * The text JavaScript's `String(x)` gives for a float32 value x (widened to a double, as a
 * Float32Array element reads), written as ASCII bytes without making a string. Batch prediction
 * writes two such numbers per row (class probabilities from onnxruntime are float32); `String()`
 * costs about 0.4 us each, most of the output time of `mlpipe predict` on a million rows.
 *
 * ECMAScript Number::toString (ECMA-262 6.1.6.1.20) picks the fewest significant digits s whose
 * value parses back to the same double, the one closest to x among those. For x = m * 2^(E-23)
 * with a 24-bit float32 mantissa m, x * 10^T = m * 5^T exactly (T = 23 - E), a 35-digit integer at
 * most, computed here in base-10^7 limbs. The double's neighbours lie 2^(E-53) away on either side
 * (m is not a power of two), and its 53-bit mantissa m * 2^29 is even, so a decimal that lies
 * exactly halfway parses to x: a candidate C (in units of 10^-T) round-trips when
 * |C - m * 5^T| <= 2^(E-53) * 10^T = 5^T / 2^30. Values outside the range handled here (zero,
 * powers of two, below 2^-10, integers, NaN, infinities, exact ties) return -1 and the caller
 * falls back to `String()`. float32-text.wat does the same in 64-bit integers, about 3x faster: the
 * scoring thread of batch prediction renders with it (wasmTextTarget below).
 */

/**
 * Builds the writer (below): a factory, so that the scoring thread, which runs its code as source
 * text (scoring-thread.ts), builds its own from `float32TextWriter.toString()`. Self-contained.
 */
export function float32TextWriter(): (bits: number, out: Uint8Array, at: number) => number {
  /** Largest T = 23 - E handled: 5^33 / 2^30 < 10^15 keeps every tail below 2^53 (exact in a double). */
  const MAX_T = 33;
  const LIMB = 10_000_000;

  /** 5^T in base-10^7 limbs, least significant first, for T = 0..MAX_T. */
  const FIVE_POWERS: number[][] = [];
  /** floor(5^T / 2^30): the largest distance (in units of 10^-T) that still parses back to x. */
  const THRESHOLD: number[] = [];
  for (let t = 0; t <= MAX_T; t++) {
    let p = 5n ** BigInt(t);
    THRESHOLD.push(Number(p >> 30n));
    const limbs: number[] = [];
    while (p > 0n) {
      limbs.push(Number(p % BigInt(LIMB)));
      p /= BigInt(LIMB);
    }
    FIVE_POWERS.push(limbs);
  }

  const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
  /** The most trailing digits whose every value is within THRESHOLD[T] (10^drop <= threshold). */
  const SAFE_DROP = THRESHOLD.map((threshold) => {
    let drop = 0;
    while (POW10[drop + 1]! <= threshold) drop++;
    return drop;
  });
  /** Decimal digits of m * 5^T, most significant first (scratch, reused). */
  const digits = new Uint8Array(40);
  const limbs = new Float64Array(6);

  const ZERO = 0x30;
  const DOT = 0x2e;
  const MINUS = 0x2d;

  /** x mod d for integers below 2^53: `%` on doubles is a call to fmod, several times slower. */
  function remainder(x: number, d: number): number {
    const r = x - Math.floor(x / d) * d;
    // The quotient rounds up when x / d falls just below an integer.
    return r < 0 ? r + d : r;
  }

  /**
   * Writes the text of the float32 value with bit pattern `bits` at `out[at]`; returns the index
   * after it, or -1 (nothing written) when the value is outside the handled range. `out` must have
   * 26 bytes free at `at`.
   */
  function writeFloat32Text(bits: number, out: Uint8Array, at: number): number {
    const exponentBits = (bits >>> 23) & 0xff;
    const fraction = bits & 0x7fffff;
    const t = 150 - exponentBits; // 23 - E, with E = exponentBits - 127
    if (fraction === 0 || t <= 0 || t > MAX_T) return -1;
    const m = fraction | 0x800000;

    // m * 5^t in base-10^7 limbs: each product is below 2^24 * 10^7 < 2^53, exact.
    const five = FIVE_POWERS[t]!;
    let count = 0;
    let carry = 0;
    for (let i = 0; i < five.length; i++) {
      const v = m * five[i]! + carry;
      carry = Math.floor(v / LIMB);
      limbs[count++] = v - carry * LIMB;
    }
    while (carry > 0) {
      const next = Math.floor(carry / LIMB);
      limbs[count++] = carry - next * LIMB;
      carry = next;
    }
    // The number of decimal digits of m * 5^t.
    const top = limbs[count - 1]!;
    let width = 1;
    while (width < 7 && top >= POW10[width]!) width++;
    const length = (count - 1) * 7 + width;

    // Drop as many trailing digits as still round-trip, rounding down or up. Both distances only
    // grow with the digits dropped, so the search ends at the first failure; it starts from the
    // most digits that always round-trip (10^drop <= threshold). The lowest 15 digits are exact in
    // a double (< 10^15 < 2^53), so that is as far as it reads; beyond, String() does it.
    const threshold = THRESHOLD[t]!;
    const low = limbs[0]! + (count > 1 ? limbs[1]! * LIMB : 0) + (count > 2 ? ((limbs[2]! | 0) % 10) * LIMB * LIMB : 0);
    let drop = SAFE_DROP[t]!;
    for (;;) {
      if (drop >= 15 || drop >= length - 1) return -1;
      const span = POW10[drop + 1]!;
      const tail = remainder(low, span);
      if (tail > threshold && span - tail > threshold) break;
      drop++;
    }
    const tail = remainder(low, POW10[drop]!);

    // Digits of the limbs that hold kept digits, most significant first (limbs are below 10^7, so
    // int32 arithmetic is exact).
    for (let i = (drop / 7) | 0; i < count; i++) {
      let v = limbs[i]! | 0;
      const last = length - 1 - 7 * i;
      const first = i === count - 1 ? 0 : last - 6;
      for (let j = last; j >= first; j--) {
        const q = (v / 10) | 0;
        digits[j] = v - q * 10;
        v = q;
      }
    }
    const span = POW10[drop]!;
    const downOk = tail <= threshold;
    const upOk = span - tail <= threshold;
    // Both round-trip: the closer one; an exact tie (even digit rule) is left to String().
    if (downOk && upOk && tail * 2 === span) return -1;
    const up = upOk && (!downOk || span - tail < tail);

    let kept = length - drop;
    // The decimal point sits after `point` digits: x = digits * 10^(drop - t).
    let point = kept + drop - t;
    if (up) {
      let i = kept - 1;
      while (i >= 0 && digits[i] === 9) digits[i--] = 0;
      if (i >= 0) digits[i]!++;
      else {
        // 99..9 rounded up: one more digit, 10..0.
        digits[0] = 1;
        digits.fill(0, 1, kept + 1);
        kept++;
        point++;
      }
    }
    while (kept > 1 && digits[kept - 1] === 0) kept--;

    if (bits >>> 31) out[at++] = MINUS;
    if (point <= 0) {
      // t <= 33 and x >= 2^-10 keep `point` above -6, where ECMAScript switches to exponents.
      out[at++] = ZERO;
      out[at++] = DOT;
      for (let i = point; i < 0; i++) out[at++] = ZERO;
      for (let i = 0; i < kept; i++) out[at++] = ZERO + digits[i]!;
    } else if (point >= kept) {
      // x < 2^23 keeps `point` far below 21, where ECMAScript switches to exponents.
      for (let i = 0; i < kept; i++) out[at++] = ZERO + digits[i]!;
      for (let i = kept; i < point; i++) out[at++] = ZERO;
    } else {
      for (let i = 0; i < point; i++) out[at++] = ZERO + digits[i]!;
      out[at++] = DOT;
      for (let i = point; i < kept; i++) out[at++] = ZERO + digits[i]!;
    }
    return at;
  }

  return writeFloat32Text;
}

/** The writer for this thread (see float32TextWriter). */
export const writeFloat32Text = float32TextWriter();

/** Where a batch's text is rendered: a byte buffer and the float32 writer into it (batch-write.ts renderPredictionCsv). */
export interface TextTarget {
  /** A buffer of at least `size` bytes, reused from call to call (copy the result out). */
  reserve(size: number): Uint8Array;
  /** Writes the text of the float32 with bit pattern `bits` at byte `at` of that buffer; the end, or -1 when left to String(). */
  float32(bits: number, at: number): number;
}

/** A target over a plain array and the JavaScript writer. Self-contained (the scoring thread runs its source). */
export function jsTextTarget(write: (bits: number, out: Uint8Array, at: number) => number): TextTarget {
  let out = new Uint8Array(0);
  return {
    reserve(size) {
      if (out.length < size) out = new Uint8Array(size);
      return out;
    },
    float32: (bits, at) => write(bits, out, at),
  };
}

/**
 * A target over float32-text.wasm (about 3x the JavaScript writer's speed; the same text, checked on
 * every float32 in [2^-10, 2^-9) and [0.5, 1) and 5M random ones): its tables at addresses 0-1239,
 * the buffer after them. Self-contained (the scoring thread runs its source).
 */
export function wasmTextTarget(module: WebAssembly.Module): TextTarget {
  const TABLES = 1240;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const table = new BigInt64Array(memory.buffer, 0, TABLES / 8);
  for (let t = 0; t <= 33; t++) {
    const p = 5n ** BigInt(t);
    table[3 * t] = p % 1_000_000_000n;
    table[3 * t + 1] = (p / 1_000_000_000n) % 1_000_000_000n;
    table[3 * t + 2] = p / 1_000_000_000_000_000_000n;
    table[102 + t] = p >> 30n;
  }
  for (let k = 0; k <= 18; k++) table[136 + k] = 10n ** BigInt(k);
  const write = new WebAssembly.Instance(module, { env: { memory } }).exports.write as (bits: number, at: number) => number;
  let out: Uint8Array = new Uint8Array(0);
  return {
    reserve(size) {
      const missing = TABLES + size - memory.buffer.byteLength;
      if (missing > 0) memory.grow(Math.ceil(missing / 65_536));
      if (out.buffer !== memory.buffer || out.length < size) out = new Uint8Array(memory.buffer, TABLES, memory.buffer.byteLength - TABLES);
      return out;
    },
    float32(bits, at) {
      const end = write(bits | 0, TABLES + at);
      return end < 0 ? -1 : end - TABLES;
    },
  };
}
