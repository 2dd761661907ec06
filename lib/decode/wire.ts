// Bounds-checked protobuf wire primitives. Every read either advances or throws a WireError
// that names the absolute byte offset, so a malformed value can never loop or read past its end.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const TWO_POW_32 = 4294967296;

export class WireError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "WireError";
  }
}

export class WireReader {
  pos: number;
  /**
   * buf as one Latin-1 string when a decoder set it: an ASCII string field is then a substring of it,
   * several times cheaper than decoding each one (see readString in protobuf-decoder.ts).
   */
  text = "";

  constructor(
    readonly buf: Uint8Array,
    start: number,
    /** Mutable so a nested length-delimited value can be read with the same reader. */
    public end: number,
    /** Added to positions in error messages, so offsets refer to the whole stored value. */
    readonly base: number = 0,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, at: number = this.pos): never {
    throw new WireError(message, this.base + at);
  }

  /** A varint's low 32 bits, as an unsigned number: tags, lengths, int32/uint32/bool/enum values. */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end && buf[pos] < 0x80) {
      this.pos = pos + 1;
      return buf[pos];
    }
    let value = 0;
    let shift = 0;
    const start = pos;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.fail("varint runs past the end of its message", start);
      const byte = buf[pos++];
      if (shift < 32) value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) {
        this.pos = pos;
        return value % TWO_POW_32;
      }
    }
    this.fail("varint longer than 10 bytes", start);
  }

  /** A full 64-bit varint split into two unsigned 32-bit halves. */
  private varint64(): [lo: number, hi: number] {
    const buf = this.buf;
    let pos = this.pos;
    const start = pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.fail("varint runs past the end of its message", start);
      const byte = buf[pos++];
      const bits = byte & 0x7f;
      if (i < 4) {
        lo += bits * 2 ** (7 * i);
      } else if (i === 4) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >>> 4;
      } else {
        hi += bits * 2 ** (7 * i - 32);
      }
      if (byte < 0x80) {
        this.pos = pos;
        return [lo % TWO_POW_32, hi % TWO_POW_32];
      }
    }
    this.fail("varint longer than 10 bytes", start);
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const v = this.uint32();
    return (v >>> 1) ^ -(v & 1);
  }

  /** int64 as a JSON number: exact up to 2^53, as the API's JSON is read by JavaScript clients anyway. */
  int64(): number {
    const buf = this.buf;
    const start = this.pos;
    // Up to 7 bytes (49 bits) is exact in a double: timestamps, sizes and counts all fit.
    let value = 0;
    let scale = 1;
    for (let pos = start; pos < this.end && pos - start < 7; pos++) {
      const byte = buf[pos];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos + 1;
        return value;
      }
      scale *= 128;
    }
    const [lo, hi] = this.varint64();
    return hi >= 0x80000000 ? -((TWO_POW_32 - 1 - hi) * TWO_POW_32 + (TWO_POW_32 - lo)) : hi * TWO_POW_32 + lo;
  }

  uint64(): number {
    const [lo, hi] = this.varint64();
    return hi * TWO_POW_32 + lo;
  }

  sint64(): number {
    const [lo, hi] = this.varint64();
    const half = Math.floor((hi * TWO_POW_32 + lo) / 2);
    return lo & 1 ? -half - 1 : half;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  private need(count: number): number {
    const pos = this.pos;
    if (this.end - pos < count) this.fail(`needs ${count} bytes but only ${this.end - pos} remain`);
    this.pos = pos + count;
    return pos;
  }

  fixed32(): number {
    const p = this.need(4);
    const b = this.buf;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  sfixed32(): number {
    return this.fixed32() | 0;
  }

  fixed64(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return hi * TWO_POW_32 + lo;
  }

  sfixed64(): number {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return hi >= 0x80000000 ? -((TWO_POW_32 - 1 - hi) * TWO_POW_32 + (TWO_POW_32 - lo)) : hi * TWO_POW_32 + lo;
  }

  float(): number {
    const p = this.need(4);
    return new DataView(this.buf.buffer, this.buf.byteOffset + p, 4).getFloat32(0, true);
  }

  double(): number {
    const p = this.need(8);
    return new DataView(this.buf.buffer, this.buf.byteOffset + p, 8).getFloat64(0, true);
  }

  /** Reads a length prefix and returns the start of the payload; pos moves past it. */
  lengthDelimited(): number {
    const at = this.pos;
    const length = this.uint32();
    if (length > this.end - this.pos) {
      this.fail(`length ${length} runs past the end of its message (${this.end - this.pos} bytes left)`, at);
    }
    const start = this.pos;
    this.pos = start + length;
    return start;
  }

  /** Skips one field's value of the given wire type (groups included, by matching end tags). */
  skip(wireType: number, fieldNumber: number, depth = 0): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.need(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.need(4);
        return;
      case WIRE_START_GROUP: {
        if (depth > 64) this.fail("groups nested too deeply");
        for (;;) {
          if (this.done) this.fail(`group ${fieldNumber} is not closed`);
          const tagAt = this.pos;
          const tag = this.uint32();
          const type = tag & 7;
          const number = tag >>> 3;
          if (number === 0) this.fail("field number 0", tagAt);
          if (type === WIRE_END_GROUP) {
            if (number !== fieldNumber) this.fail(`group ${fieldNumber} closed by end tag ${number}`, tagAt);
            return;
          }
          this.skip(type, number, depth + 1);
        }
      }
      default:
        this.fail(`invalid wire type ${wireType} for field ${fieldNumber}`);
    }
  }
}

/** Appends protobuf wire data to a growing buffer. */
export class WireWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  get length(): number {
    return this.len;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  tag(fieldNumber: number, wireType: number): void {
    this.varint(fieldNumber * 8 + wireType);
  }

  /** Writes a non-negative integer below 2^64 (as exact as a JS number allows). */
  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  /** Writes a signed 64-bit integer in two's complement, as int32/int64 fields are. */
  signedVarint(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    const [lo, hi] = twosComplement(value);
    this.ensure(10);
    let l = lo;
    let h = hi;
    while (h > 0 || l >= 0x80) {
      this.buf[this.len++] = (l & 0x7f) | 0x80;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h = h >>> 7;
    }
    this.buf[this.len++] = l;
  }

  zigzag(value: number): void {
    this.varint(value < 0 ? -2 * value - 1 : 2 * value);
  }

  fixed32(value: number): void {
    this.ensure(4);
    const v = value >>> 0;
    this.buf[this.len++] = v & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 24) & 0xff;
  }

  fixed64(value: number): void {
    const [lo, hi] = value < 0 ? twosComplement(value) : [value % TWO_POW_32, Math.floor(value / TWO_POW_32)];
    this.fixed32(lo);
    this.fixed32(hi);
  }

  float(value: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setFloat32(this.len, value, true);
    this.len += 4;
  }

  double(value: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, value, true);
    this.len += 8;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
  }

  string(value: string): void {
    this.bytes(textEncoder.encode(value));
  }

  /** Writes a length-delimited field whose payload another writer produced. */
  message(fieldNumber: number, payload: Uint8Array): void {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    this.bytes(payload);
  }
}

const textEncoder = new TextEncoder();

/** The 64-bit two's complement of a negative integer, as unsigned 32-bit halves. */
function twosComplement(value: number): [lo: number, hi: number] {
  const magnitude = -value;
  let lo = ~(magnitude % TWO_POW_32) >>> 0;
  let hi = ~Math.floor(magnitude / TWO_POW_32) >>> 0;
  lo += 1;
  if (lo >= TWO_POW_32) {
    lo = 0;
    hi = (hi + 1) >>> 0;
  }
  return [lo, hi];
}
