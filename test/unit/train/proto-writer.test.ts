import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../src/train/model/proto-writer.js';

const { AttributeProto } = onnxProto.onnx;
const asNumber = (v: unknown) => (typeof v === 'number' ? v : Number(String(v)));

describe('ProtoWriter', () => {
  it("writes what onnx-proto reads back and writes identically: int64 of each sign and size, strings, packed numbers", () => {
    const ints = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, -1, -300, -(2 ** 40)];
    const bytes = new ProtoWriter()
      .string(1, 'naïve ✓')
      .int(3, -5)
      .bytes(4, Uint8Array.from([0, 255, 7]))
      .packedFloats(7, [1.5, -0.1, 3e38])
      .packedInts(8, ints)
      .bytes(9, new TextEncoder().encode('LEAF'))
      .bytes(9, new Uint8Array(0))
      .int(20, 7)
      .finish();
    const decoded = AttributeProto.decode(bytes);
    expect(decoded.name).toBe('naïve ✓');
    expect(asNumber(decoded.i)).toBe(-5);
    expect(Array.from(decoded.s)).toEqual([0, 255, 7]);
    expect(decoded.floats).toEqual([1.5, Math.fround(-0.1), Math.fround(3e38)]);
    expect(decoded.ints.map(asNumber)).toEqual(ints);
    expect(decoded.strings.map((s) => new TextDecoder().decode(s))).toEqual(['LEAF', '']);
    expect(decoded.type).toBe(7);
    expect(Buffer.from(AttributeProto.encode(decoded).finish()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('nests messages with their length before them, for contents of 0, 127, 128 and 70,000 bytes', () => {
    for (const size of [0, 127, 128, 70_000]) {
      // An attribute's tensor (t, field 5) holding `size` bytes of raw_data (field 9).
      const bytes = new ProtoWriter().message(5, (w) => w.bytes(9, new Uint8Array(size).fill(9))).finish();
      const outer = AttributeProto.decode(bytes);
      expect(outer.t?.rawData?.length).toBe(size);
      expect(Buffer.from(AttributeProto.encode(outer).finish()).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('keeps a short packed field whose length is written where the first buffer (64 KiB) ends', () => {
    // One float (4 bytes) ending 3 bytes before the buffer's end: its length must not grow the
    // buffer, which would copy only what comes before it.
    for (let filler = 65_500; filler < 65_540; filler++) {
      const bytes = new ProtoWriter()
        .bytes(4, new Uint8Array(filler).fill(1))
        .packedFloats(7, [1.5])
        .finish();
      const decoded = AttributeProto.decode(bytes);
      expect(decoded.s.length).toBe(filler);
      expect(decoded.floats).toEqual([1.5]);
    }
  });

  it('refuses a number that is not an integer or beyond 2^53', () => {
    expect(() => new ProtoWriter().int(3, 1.5)).toThrow(RangeError);
    expect(() => new ProtoWriter().packedInts(8, [2 ** 60])).toThrow(RangeError);
  });
});
