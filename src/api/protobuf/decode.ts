/**
 * Table-driven protobuf → JSON: walks a message's bytes with the field specs
 * from `tables/` and builds the object the same request would have carried
 * as JSON. Fields the tables do not list are skipped, as protobuf requires.
 */
import type { Field, MessageTable } from "./fields.js";
import { MESSAGES } from "./tables/index.js";
import { decodeIntOrString, decodeQuantity, decodeRawJSON, decodeStringList, decodeTime, toBase64 } from "./values.js";
import { LEN, VARINT, WireError, WireReader } from "./wire.js";

type JSONObject = Record<string, unknown>;

/** Decodes the message `ref` (a key of MESSAGES); `path` is its JSON path, for errors. */
export function decodeMessage(data: Uint8Array, ref: string, path: string): JSONObject {
  const table = lookup(ref);
  const out: JSONObject = {};
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    const spec = table[field];
    if (spec) readField(r, wireType, spec, out, path);
    else r.skip(wireType);
  }
  return out;
}

function lookup(ref: string): MessageTable {
  const table = MESSAGES[ref];
  if (!table) throw new Error(`protobuf table ${ref} is referenced but not defined`);
  return table;
}

function readField(r: WireReader, wireType: number, spec: Field, out: JSONObject, path: string): void {
  const at = spec.json ? (path ? `${path}.${spec.json}` : spec.json) : path;
  if (spec.map) {
    expectWireType(wireType, LEN, at);
    const [key, value] = readMapEntry(r.bytes(), spec, at);
    const map = (out[spec.json] ??= {}) as JSONObject;
    // Keys come off the wire: define them so "__proto__" stays a plain entry.
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  if (spec.repeated) {
    const items = (out[spec.json] ??= []) as unknown[];
    if (wireType === LEN && isPacked(spec)) {
      // proto2 writes repeated numbers unpacked, but a reader must accept both.
      const packed = new WireReader(r.bytes());
      while (!packed.done()) items.push(readScalar(packed, VARINT, spec, at));
    } else {
      items.push(readValue(r, wireType, spec, at));
    }
    return;
  }
  const value = readValue(r, wireType, spec, at);
  if (spec.inline) Object.assign(out, value);
  else if (isZero(value) && !spec.keepZero) delete out[spec.json];
  else out[spec.json] = value;
}

function readValue(r: WireReader, wireType: number, spec: Field, at: string): unknown {
  switch (spec.type) {
    case "string":
    case "int32":
    case "int64":
    case "bool":
      return readScalar(r, wireType, spec, at);
    case "bytes":
      expectWireType(wireType, LEN, at);
      return toBase64(r.bytes());
  }
  expectWireType(wireType, LEN, at);
  const data = r.bytes();
  switch (spec.type) {
    case "time":
      return decodeTime(data);
    case "quantity":
      return decodeQuantity(data);
    case "intOrString":
      return decodeIntOrString(data);
    case "rawJSON":
      return decodeRawJSON(data);
    case "stringList":
      return decodeStringList(data);
    case "message":
      return decodeMessage(data, spec.ref ?? "", at);
  }
}

function readScalar(r: WireReader, wireType: number, spec: Field, at: string): string | number | boolean {
  if (spec.type === "string") {
    expectWireType(wireType, LEN, at);
    return r.string();
  }
  expectWireType(wireType, VARINT, at);
  if (spec.type === "int32") return r.int32();
  if (spec.type === "int64") return r.int64();
  return r.bool();
}

/** Map entries are messages {1 key, 2 value}; either may be absent and then is its zero. */
function readMapEntry(data: Uint8Array, spec: Field, at: string): [string, unknown] {
  let key = "";
  let value: unknown;
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      expectWireType(wireType, LEN, `${at} key`);
      key = r.string();
    } else if (field === 2) {
      value = readValue(r, wireType, spec, `${at}[${key}]`);
    } else {
      r.skip(wireType);
    }
  }
  return [key, value ?? zeroMapValue(spec)];
}

function zeroMapValue(spec: Field): unknown {
  const empty = new Uint8Array(0);
  if (spec.type === "quantity") return decodeQuantity(empty);
  if (spec.type === "stringList") return [];
  return "";
}

function isPacked(spec: Field): boolean {
  return spec.type === "int32" || spec.type === "int64" || spec.type === "bool";
}

/** gogo writes every non-pointer scalar, zero or not; Go's JSON omits the zero ones. */
function isZero(value: unknown): boolean {
  return value === "" || value === 0 || value === false;
}

function expectWireType(got: number, want: number, at: string): void {
  if (got !== want) throw new WireError(`${at}: wire type ${got}, expected ${want}`);
}
