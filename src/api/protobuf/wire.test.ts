import { describe, expect, it } from "vitest";
import { concat, fixed32, fixed64, hex, int, str, varint } from "./testdata/encoder.js";
import { LEN, VARINT, WireError, WireReader } from "./wire.js";

describe("WireReader", () => {
  it("reads multi-byte varints", () => {
    expect(new WireReader(hex("ac02")).varint()).toBe(300n);
    expect(new WireReader(varint(2 ** 40)).int64()).toBe(2 ** 40);
  });

  it("reads negative int32 and int64, which are sign-extended to ten bytes", () => {
    const minusOne = varint(-1);
    expect(minusOne.length).toBe(10);
    expect(new WireReader(minusOne).int32()).toBe(-1);
    expect(new WireReader(varint(-62135596800)).int64()).toBe(-62135596800);
  });

  it("reads tags, strings and bools", () => {
    const r = new WireReader(concat(str(3, "héllo"), int(16, true)));
    expect(r.tag()).toEqual({ field: 3, wireType: LEN });
    expect(r.string()).toBe("héllo");
    expect(r.tag()).toEqual({ field: 16, wireType: VARINT });
    expect(r.bool()).toBe(true);
    expect(r.done()).toBe(true);
  });

  it("skips every wire type a message may carry", () => {
    const r = new WireReader(concat(int(1, 7), fixed64(2), str(3, "x"), fixed32(4), int(5, 9)));
    for (let i = 0; i < 4; i++) r.skip(r.tag().wireType);
    expect(r.tag().field).toBe(5);
    expect(r.varint()).toBe(9n);
  });

  it("rejects truncated and malformed input with WireError", () => {
    expect(() => new WireReader(hex("ac")).varint()).toThrow(WireError);
    expect(() => new WireReader(hex("ffffffffffffffffffff01")).varint()).toThrow(/longer than 10 bytes/);
    expect(() => new WireReader(hex("05616263")).skip(LEN)).toThrow(WireError);
    const shortString = new WireReader(hex("0a05616263"));
    shortString.tag();
    expect(() => shortString.bytes()).toThrow(/runs past the end/);
    expect(() => new WireReader(hex("00")).tag()).toThrow(/invalid field number 0/);
    expect(() => new WireReader(hex("0b")).skip(3)).toThrow(/unsupported wire type 3/);
    expect(() => new WireReader(hex("0d0000")).skip(5)).toThrow(/truncated 32-bit/);
  });
});
