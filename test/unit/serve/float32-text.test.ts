import { describe, expect, it } from 'vitest';
import { wasmModule } from '../../../src/core/wasm.js';
import { wasmTextTarget, writeFloat32Text } from '../../../src/serve/float32-text.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const out = Buffer.alloc(32);

/** The formatter's text for the float32 with these bits, or null when it leaves the value to String(). */
function text(bits: number): string | null {
  const end = writeFloat32Text(bits >>> 0, out, 0);
  return end < 0 ? null : out.toString('latin1', 0, end);
}

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** A small deterministic generator (xorshift32), so a failure names a value that reproduces. */
function* xorshift(seed: number, count: number): Generator<number> {
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    yield s;
  }
}

describe('writeFloat32Text', () => {
  it('writes what String() gives for float32 probabilities', () => {
    expect(text(bitsOf(0.1))).toBe('0.10000000149011612');
    expect(text(bitsOf(0.9))).toBe('0.8999999761581421');
    expect(text(bitsOf(0.827529788017273))).toBe('0.827529788017273');
    expect(text(bitsOf(0.17247021198272705))).toBe('0.17247021198272705');
    expect(text(bitsOf(-2.7))).toBe('-2.700000047683716');
    expect(text(bitsOf(123.456))).toBe('123.45600128173828');
    expect(text(bitsOf(0.001))).toBe('0.0010000000474974513');
  });

  it('rounds up across a run of nines and keeps the shortest form', () => {
    // 0.3f is 0.300000011920928955078125: its shortest double text rounds 0.30000001192092895|5 up.
    expect(text(bitsOf(0.3))).toBe('0.30000001192092896');
    expect(text(bitsOf(1 / 3))).toBe('0.3333333432674408');
    expect(text(bitsOf(1234567))).toBe('1234567');
    expect(text(bitsOf(0.0625 * 3 + 2 ** -20))).toBe('0.1875009536743164');
  });

  it('leaves to String() the values outside its range', () => {
    // Powers of two, below 2^-10, integers from 2^23, and short exact decimals such as 1.5 (more
    // than 15 zeros to drop).
    for (const x of [0, -0, 1, 0.5, 2 ** -11, 1e-5, 2 ** 24, 1e30, 1.5, 0.75, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(text(bitsOf(x))).toBeNull();
    }
  });

  it('agrees with String() on 300,000 float32 values around [0.001, 1) and 100,000 of any magnitude', () => {
    let checked = 0;
    let mismatches = 0;
    const compare = (bits: number) => {
      const got = text(bits);
      if (got === null) return;
      u32[0] = bits;
      checked++;
      if (got !== String(f32[0])) mismatches++;
    };
    // Exponents 117..126 are [2^-10, 1): the probabilities a classifier writes.
    for (const r of xorshift(0x9e3779b9, 300_000)) compare((((117 + (r % 10)) << 23) | (r >>> 9)) >>> 0);
    for (const r of xorshift(12345, 100_000)) compare(r);
    expect(mismatches).toBe(0);
    // Only rare values (short exact decimals, exact ties) are left to String().
    expect(checked).toBeGreaterThan(300_000);
  });
});

describe('float32-text.wasm (the same text in 64-bit integer arithmetic)', () => {
  const module = wasmModule('serve/float32-text');

  it('writes what String() gives on every float32 in [0.5, 0.5 + 2^-4) and 400,000 others, and handles all the JavaScript writer handles', () => {
    expect(module).toBeInstanceOf(WebAssembly.Module);
    const target = wasmTextTarget(module!);
    const bytes = target.reserve(32);
    let checked = 0;
    let mismatches = 0;
    let unhandled = 0;
    const compare = (bits: number) => {
      const end = target.float32(bits, 0);
      if (end < 0) {
        if (text(bits) !== null) unhandled++;
        return;
      }
      u32[0] = bits;
      checked++;
      if (Buffer.from(bytes.subarray(0, end)).toString('latin1') !== String(f32[0])) mismatches++;
    };
    for (let bits = 0x3f000000; bits < 0x3f000000 + (1 << 20); bits++) compare(bits);
    for (const r of xorshift(0x9e3779b9, 300_000)) compare((((117 + (r % 10)) << 23) | (r >>> 9)) >>> 0);
    for (const r of xorshift(12345, 100_000)) compare(r);
    expect([mismatches, unhandled]).toEqual([0, 0]);
    expect(checked).toBeGreaterThan(1_300_000);
    // The same range as the JavaScript writer: powers of two and values outside [2^-10, 2^23) are String()'s.
    for (const x of [0, -0, 1, 0.5, 2 ** -11, 1e-5, 2 ** 24, 1e30, Number.NaN, Number.POSITIVE_INFINITY]) expect(target.float32(bitsOf(x), 0)).toBe(-1);
  });
});
