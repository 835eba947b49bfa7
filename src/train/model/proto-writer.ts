/**
 * A protocol buffers writer for model.onnx, writing the bytes onnx-proto (protobufjs) writes for the
 * same message: fields in the order the caller gives (ascending field numbers, as protobufjs's
 * generated encoders do), minimal varints, packed repeated numbers, little-endian floats.
 *
 * Why not protobufjs: it queues an operation object per value (and a LongBits per int64), so a
 * 20-tree forest on Adult (128,000 nodes, 3.8 MB) took 0.3-0.6 s to encode, most of it garbage
 * collection; this writes each value straight into one growing buffer. onnx-proto still decodes
 * models, and test/unit/train/onnx.test.ts checks that re-encoding what it decodes gives these
 * bytes back.
 */
const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

const utf8 = new TextEncoder();

/** Bytes of the varint encoding of a non-negative integer below 2^53. */
function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 128; v = Math.floor(v / 128)) size++;
  return size;
}

export class ProtoWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /** A non-negative integer below 2^53 as a varint. */
  private varint(value: number): void {
    this.reserve(8);
    this.putVarint(value);
  }

  /** varint() where the room is known to be there (at most 8 bytes for an integer below 2^53). */
  private putVarint(value: number): void {
    let v = value;
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** An int64 value: negative ones as their 64-bit two's complement (ten bytes). */
  private int64Value(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an int64: ${value}`);
    if (value >= 0) {
      this.varint(value);
      return;
    }
    this.reserve(10);
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** An int32 or int64 field (enums included). */
  int(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.int64Value(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** A length-delimited field whose content `write` writes (a message, or packed numbers). */
  message(field: number, write: (w: this) => void): this {
    this.tag(field, WIRE_BYTES);
    const start = this.pos;
    write(this);
    // The length goes before the content: move the content up by the length's own size.
    const length = this.pos - start;
    const size = varintSize(length);
    this.reserve(size);
    this.buf.copyWithin(start + size, start, this.pos);
    // Not varint(): growing the buffer now would copy only up to `start`, and lose the content.
    this.pos = start;
    this.putVarint(length);
    this.pos = start + size + length;
    return this;
  }

  /** A packed repeated int64 field (nothing when empty, as protobufjs). */
  packedInts(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    return this.message(field, () => {
      for (let i = 0; i < values.length; i++) this.int64Value(values[i]!);
    });
  }

  /** A packed repeated double field (nothing when empty). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    return this.message(field, () => {
      this.reserve(8 * values.length);
      for (let i = 0; i < values.length; i++, this.pos += 8) this.view.setFloat64(this.pos, values[i]!, true);
    });
  }

  /** A packed repeated float field (nothing when empty). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    return this.message(field, () => {
      this.reserve(4 * values.length);
      for (let i = 0; i < values.length; i++, this.pos += 4) this.view.setFloat32(this.pos, values[i]!, true);
    });
  }

  /** The bytes written (a copy the size of the message). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
