/**
 * Request bodies: JSON, YAML (for curl users), Kubernetes protobuf (kubectl
 * create sends it), and the four patch media types. Size is capped before
 * parsing; every failure is a 4xx Status.
 */
import { parseAllDocuments } from "yaml";
import { KubeError, badRequest } from "../errors.js";
import { decodeProtobufObject, isKubernetesProtobuf } from "./protobuf/index.js";

/** Upstream's default cap on a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type PatchMediaType = "json" | "merge" | "strategic" | "apply";

const PATCH_TYPES: Record<string, PatchMediaType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+cbor": "apply",
};

export const mediaType = (request: Request) =>
  (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();

export function patchTypeOf(request: Request): PatchMediaType {
  const t = PATCH_TYPES[mediaType(request)];
  if (!t)
    throw new KubeError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).slice(0, 4).join(", ")}`,
    );
  return t;
}

async function readBytes(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

const tooLarge = () => new KubeError(413, "RequestEntityTooLarge", `the request body exceeds the limit of ${MAX_BODY_BYTES} bytes`);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(e as Error).message}`);
  }
}

function parseYaml(text: string): unknown {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw badRequest("the body of the request could not be decoded as YAML");
  const real = docs.filter((d) => d.contents !== null);
  if (real.length > 1) throw badRequest("the body of the request must be a single YAML document");
  const doc = real[0] ?? docs[0];
  if (!doc) throw badRequest("the body of the request is empty");
  if (doc.errors.length) throw badRequest(`the body of the request could not be decoded as YAML: ${doc.errors[0].message}`);
  return doc.toJS({ maxAliasCount: 100 });
}

/** Decodes an object body (create, update, subresource POST). */
export async function readObject(request: Request): Promise<Record<string, unknown>> {
  const type = mediaType(request);
  const bytes = await readBytes(request);
  let value: unknown;
  if (isKubernetesProtobuf(type)) value = decodeProtobufObject(bytes);
  else {
    const text = new TextDecoder().decode(bytes);
    if (!text.trim()) throw badRequest("the body of the request is empty");
    if (type === "" || type === "application/json" || type === "*/*") value = parseJson(text);
    else if (type === "application/yaml" || type === "application/x-yaml" || type === "text/yaml") value = parseYaml(text);
    else
      throw new KubeError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badRequest("the body of the request must be a JSON object");
  return value as Record<string, unknown>;
}

/** Decodes a patch body; apply patches are YAML (JSON is YAML too). */
export async function readPatch(request: Request, type: PatchMediaType): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(request));
  if (!text.trim()) throw badRequest("the body of the request is empty");
  const value = type === "apply" ? parseYaml(text) : parseJson(text);
  if (type === "json" ? !Array.isArray(value) : !value || typeof value !== "object" || Array.isArray(value))
    throw badRequest(type === "json" ? "a JSON patch must be an array of operations" : "the patch must be a JSON object");
  return value;
}

/** DELETE bodies are optional DeleteOptions (JSON, or protobuf from `kubectl drain`). */
export async function readDeleteOptions(request: Request): Promise<Record<string, unknown>> {
  const bytes = await readBytes(request);
  if (bytes.byteLength === 0) return {};
  if (isKubernetesProtobuf(mediaType(request))) return decodeProtobufObject(bytes);
  const text = new TextDecoder().decode(bytes);
  if (!text.trim()) return {};
  const v = parseJson(text);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw badRequest("DeleteOptions must be a JSON object");
  return v as Record<string, unknown>;
}
