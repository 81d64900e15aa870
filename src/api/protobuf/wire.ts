/**
 * A minimal protobuf wire-format reader. It knows tags, varints, fixed-width
 * and length-delimited fields, nothing about Kubernetes; malformed input
 * throws a WireError that the decoder turns into a 400.
 */

export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

export class WireError extends Error {}

const utf8 = new TextDecoder();

export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Reads a field key: its number and wire type. */
  tag(): { field: number; wireType: number } {
    const key = this.varint();
    const field = Number(key >> 3n);
    // 2^29 - 1 is the largest field number the protobuf spec allows.
    if (field < 1 || field > 0x1fffffff) throw new WireError(`invalid field number ${field}`);
    return { field, wireType: Number(key & 7n) };
  }

  /** Reads a base-128 varint as an unsigned 64-bit value. */
  varint(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError("truncated varint");
      const byte = this.buf[this.pos++];
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, value);
    }
    throw new WireError("varint longer than 10 bytes");
  }

  /** int32 and int64 are sign-extended to 64 bits on the wire, so both read through int64. */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  /** The payload of a length-delimited field, as a view into the buffer. */
  bytes(): Uint8Array {
    const length = this.varint();
    const left = this.buf.length - this.pos;
    if (length > BigInt(left)) {
      throw new WireError(`length-delimited field of ${length} bytes runs past the end (${left} left)`);
    }
    const start = this.pos;
    this.pos += Number(length);
    return this.buf.subarray(start, this.pos);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Steps over a field this reader's caller does not know, as protobuf requires. */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case FIXED64:
        return this.advance(8);
      case LEN:
        this.bytes();
        return;
      case FIXED32:
        return this.advance(4);
      default:
        // 3 and 4 are proto2 groups, which no Kubernetes message uses.
        throw new WireError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError(`truncated ${n * 8}-bit field`);
    this.pos += n;
  }
}
