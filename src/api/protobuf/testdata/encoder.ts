/**
 * A tiny protobuf writer for tests: just enough to hand-build messages
 * field by field. Not used by the server.
 */
type Part = Uint8Array;

export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

export function concat(...parts: Part[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const key = (field: number, wireType: number) => varint((field << 3) | wireType);

/** A varint field (int32, int64, bool, enum). */
export const int = (field: number, value: number | bigint | boolean): Part =>
  concat(key(field, 0), varint(typeof value === "boolean" ? Number(value) : value));

/** A length-delimited field holding raw bytes. */
export const bytes = (field: number, data: Uint8Array): Part => concat(key(field, 2), varint(data.length), data);

export const str = (field: number, s: string): Part => bytes(field, new TextEncoder().encode(s));

/** A nested message built from its fields. */
export const msg = (field: number, ...fields: Part[]): Part => bytes(field, concat(...fields));

/** One map<string, string> entry. */
export const entry = (field: number, k: string, v: string): Part => msg(field, str(1, k), str(2, v));

export const fixed32 = (field: number): Part => concat(key(field, 5), new Uint8Array(4));
export const fixed64 = (field: number): Part => concat(key(field, 1), new Uint8Array(8));

/** A full request body: magic, then runtime.Unknown wrapping `raw`. */
export function envelope(apiVersion: string, kind: string, ...raw: Part[]): Uint8Array {
  return concat(
    Uint8Array.from([0x6b, 0x38, 0x73, 0x00]),
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, concat(...raw)),
    str(3, ""),
    str(4, ""),
  );
}

export const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
