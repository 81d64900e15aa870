/**
 * The Kubernetes protobuf envelope: the 4-byte magic "k8s\0" followed by a
 * runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3
 * contentEncoding, 4 contentType}. `raw` is the object's own message.
 */
import { LEN, WireError, WireReader } from "./wire.js";

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export function hasMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

/** Reads the envelope after the magic; the caller has checked `hasMagic`. */
export function readEnvelope(body: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: "", kind: "", raw: new Uint8Array(0), contentEncoding: "", contentType: "" };
  const r = new WireReader(body.subarray(MAGIC.length));
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field >= 1 && field <= 4 && wireType !== LEN) {
      throw new WireError(`envelope field ${field}: wire type ${wireType}, expected ${LEN}`);
    }
    if (field === 1) readTypeMeta(r.bytes(), env);
    else if (field === 2) env.raw = r.bytes();
    else if (field === 3) env.contentEncoding = r.string();
    else if (field === 4) env.contentType = r.string();
    else r.skip(wireType);
  }
  return env;
}

function readTypeMeta(data: Uint8Array, env: Envelope): void {
  const r = new WireReader(data);
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if ((field === 1 || field === 2) && wireType !== LEN) {
      throw new WireError(`typeMeta field ${field}: wire type ${wireType}, expected ${LEN}`);
    }
    if (field === 1) env.apiVersion = r.string();
    else if (field === 2) env.kind = r.string();
    else r.skip(wireType);
  }
}
