/**
 * The vocabulary of the message tables: how one field of a `generated.proto`
 * message becomes one JSON field. Tables map field numbers to these specs;
 * `decode.ts` walks them.
 */

export type ValueType =
  | "string"
  | "int32"
  | "int64"
  | "bool"
  /** `bytes`, written to JSON as base64 like Go's []byte. */
  | "bytes"
  /** meta/v1 Time {1 seconds, 2 nanos}: RFC 3339 in JSON, `null` when zero. */
  | "time"
  /** api/resource Quantity {1 string}: its canonical string. */
  | "quantity"
  /** util/intstr IntOrString {1 type, 2 intVal, 3 strVal}: a number or a string. */
  | "intOrString"
  /** A message whose field 1 holds raw JSON bytes (runtime.RawExtension, FieldsV1). */
  | "rawJSON"
  /** A message whose field 1 is a repeated string and whose JSON is that array (authorization ExtraValue). */
  | "stringList"
  | "message";

export interface Field {
  /** JSON field name; empty for an inline (embedded) message. */
  json: string;
  type: ValueType;
  /** Table key of the nested message when `type` is "message". */
  ref?: string;
  repeated?: boolean;
  /** A proto map: repeated entries {1 key string, 2 value of `type`}. */
  map?: boolean;
  /** Go embeds the message (`json:",inline"`): its fields land in the parent object. */
  inline?: boolean;
  /**
   * Keep a zero scalar. Set on Go pointer fields (present on the wire only
   * when set, so `replicas: 0` or `automountServiceAccountToken: false` is a
   * real value) and on fields Go writes without omitempty.
   */
  keepZero?: boolean;
}

/** Field number → spec. */
export type MessageTable = Readonly<Record<number, Field>>;

export const str = (json: string): Field => ({ json, type: "string" });
export const int32 = (json: string): Field => ({ json, type: "int32" });
export const int64 = (json: string): Field => ({ json, type: "int64" });
export const bool = (json: string): Field => ({ json, type: "bool" });
export const bytes = (json: string): Field => ({ json, type: "bytes" });
export const time = (json: string): Field => ({ json, type: "time" });
export const quantity = (json: string): Field => ({ json, type: "quantity" });
export const intOrString = (json: string): Field => ({ json, type: "intOrString" });
export const rawJSON = (json: string): Field => ({ json, type: "rawJSON" });
export const msg = (json: string, ref: string): Field => ({ json, type: "message", ref });
export const inline = (ref: string): Field => ({ json: "", type: "message", ref, inline: true });

export const list = (f: Field): Field => ({ ...f, repeated: true });
export const keepZero = (f: Field): Field => ({ ...f, keepZero: true });

/** map<string, V>; the value type is a scalar, Quantity or ExtraValue. */
export const mapOf = (json: string, value: "string" | "bytes" | "quantity" | "stringList"): Field => ({
  json,
  type: value,
  map: true,
});
