/**
 * Decoders for the apimachinery types whose JSON form is not their message
 * shape: Time, Quantity, IntOrString, raw JSON, ExtraValue, and bytes.
 */
import { LEN, VARINT, WireError, WireReader } from "./wire.js";

/**
 * meta/v1 Time. An empty message is the zero time, which Go writes as
 * `null`. Like apimachinery's Time.Unmarshal, nanos are dropped: the JSON
 * form has second precision.
 */
export function decodeTime(data: Uint8Array): string | null {
  if (data.length === 0) return null;
  let seconds = 0;
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === VARINT) seconds = r.int64();
    else r.skip(wireType);
  }
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new WireError(`time ${seconds}s is out of range`);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** api/resource Quantity: its string. The zero Quantity marshals as "0" in Go. */
export function decodeQuantity(data: Uint8Array): string {
  const s = firstString(data);
  return s === "" ? "0" : s;
}

/** util/intstr IntOrString: type 1 means string, anything else the int. */
export function decodeIntOrString(data: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === VARINT) type = r.int64();
    else if (field === 2 && wireType === VARINT) intVal = r.int32();
    else if (field === 3 && wireType === LEN) strVal = r.string();
    else r.skip(wireType);
  }
  return type === 1 ? strVal : intVal;
}

/** runtime.RawExtension / meta FieldsV1: field 1 carries JSON bytes. */
export function decodeRawJSON(data: Uint8Array): unknown {
  const text = firstString(data);
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new WireError("embedded raw object is not valid JSON");
  }
}

/** A message wrapping `repeated string items = 1`, whose JSON is the bare array. */
export function decodeStringList(data: Uint8Array): string[] {
  const items: string[] = [];
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === LEN) items.push(r.string());
    else r.skip(wireType);
  }
  return items;
}

/** Standard base64, as Go's encoding/json writes []byte. */
export function toBase64(data: Uint8Array): string {
  let binary = "";
  // Chunked so String.fromCharCode never receives too many arguments.
  for (let i = 0; i < data.length; i += 0x8000) {
    binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function firstString(data: Uint8Array): string {
  let s = "";
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === LEN) s = r.string();
    else r.skip(wireType);
  }
  return s;
}
