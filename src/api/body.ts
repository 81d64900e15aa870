/**
 * Request bodies: JSON, YAML (for curl users), Kubernetes protobuf (kubectl
 * create sends it), and the four patch media types. Size is capped before
 * parsing, nesting and alias expansion after; every failure is a 4xx Status.
 */
import { isAlias, isMap, isPair, isSeq, parseAllDocuments } from "yaml";
import { KubeError, badRequest } from "../errors.js";
import { DeleteOptions as DeleteOptionsSchema } from "../schema/meta.js";
import { decodeProtobufObject, isKubernetesProtobuf } from "./protobuf/index.js";

/** Upstream's default cap on a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Deepest nesting a body may have. Upstream's decoders stop at 10,000; the
 * code behind ours (validation, patches, structured clone across RPC) is
 * recursive and runs out of stack a few thousand levels down, and no kind
 * served here nests beyond a few dozen.
 */
export const MAX_NESTING_DEPTH = 1000;

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

/** No Content-Type at all (kubectl's Scale PUT) reads as JSON; a header that names no type (";;") does not. */
const hasContentType = (request: Request) => !!request.headers.get("content-type")?.trim();

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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(e as Error).message}`);
  }
  return checkDecoded(value, text.length);
}

function parseYaml(text: string): unknown {
  // yaml's own duplicate-key check compares every key with every other one (minutes for 100k keys); ours is linear.
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(docs)) throw badRequest("the body of the request could not be decoded as YAML");
  const real = docs.filter((d) => d.contents !== null);
  if (real.length > 1) throw badRequest("the body of the request must be a single YAML document");
  const doc = real[0] ?? docs[0];
  if (!doc) throw badRequest("the body of the request is empty");
  if (doc.errors.length) throw badRequest(`the body of the request could not be decoded as YAML: ${doc.errors[0].message}`);
  checkYamlNodes(doc.contents);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Unresolved or excessive aliases.
    throw badRequest(`the body of the request could not be decoded as YAML: ${(e as Error).message}`);
  }
  // Aliases share values: a small document can stand for a huge (or cyclic) one, so its expansion is capped too.
  return checkDecoded(value, text.length);
}

/** Duplicate keys and nesting depth of a YAML document, before anything recursive runs on it. */
function checkYamlNodes(root: unknown): void {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_NESTING_DEPTH) throw tooDeep();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as { value?: unknown } | null;
        const id = key && !isMap(key) && !isSeq(key) && !isAlias(key) ? `${typeof key.value}:${String(key.value)}` : undefined;
        if (id !== undefined) {
          if (seen.has(id)) throw badRequest(`the body of the request could not be decoded as YAML: map keys must be unique (${JSON.stringify(String(key!.value))} repeats)`);
          seen.add(id);
        }
        stack.push([pair.key, depth + 1], [pair.value, depth + 1]);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push([item, depth + 1]);
    else if (isPair(node)) stack.push([node.key, depth + 1], [node.value, depth + 1]);
  }
}

const tooDeep = () => badRequest(`the body of the request could not be decoded: it nests deeper than ${MAX_NESTING_DEPTH} levels`);

/**
 * Walks a decoded body without recursion: JSON values only, nesting at most
 * MAX_NESTING_DEPTH, and (for YAML's shared aliases) no more values than a
 * document of this size could spell out.
 */
function checkDecoded(value: unknown, textLength: number): unknown {
  const budget = textLength + 10_000;
  let count = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++count > budget) throw badRequest("the body of the request expands to more values than it spells out (YAML aliases?)");
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw badRequest(`the body of the request could not be decoded: ${v} is not a JSON number`);
      continue;
    }
    if (depth >= MAX_NESTING_DEPTH) throw tooDeep();
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) stack.push([x, depth + 1]);
    else throw badRequest(`the body of the request could not be decoded: a ${Object.prototype.toString.call(v).slice(8, -1)} value is not JSON`);
  }
  return value;
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
    if ((type === "" && !hasContentType(request)) || type === "application/json" || type === "*/*") value = parseJson(text);
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
  if (isKubernetesProtobuf(mediaType(request))) return checkDeleteOptions(decodeProtobufObject(bytes));
  const text = new TextDecoder().decode(bytes);
  if (!text.trim()) return {};
  const v = parseJson(text);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw badRequest("DeleteOptions must be a JSON object");
  return checkDeleteOptions(v as Record<string, unknown>);
}

/** The longest grace period a Go time.Duration holds (~292 years); upstream overflows past it. */
const MAX_GRACE_PERIOD_SECONDS = 9_223_372_036;

/**
 * DeleteOptions as upstream decodes and validates them (eviction bodies
 * carry them too): wrong types are a decoding error (400), bad values 422.
 */
export function checkDeleteOptions(o: Record<string, unknown>): Record<string, unknown> {
  const parsed = DeleteOptionsSchema.safeParse(o);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".");
    if (field !== "propagationPolicy" || issue.code !== "invalid_value")
      throw badRequest(`DeleteOptions could not be decoded: ${field || "body"}: ${issue.message}`);
  }
  const causes: { field: string; message: string }[] = [];
  const grace = o.gracePeriodSeconds;
  if (typeof grace === "number" && Math.abs(grace) > MAX_GRACE_PERIOD_SECONDS)
    causes.push({ field: "gracePeriodSeconds", message: `Invalid value: ${grace}: must be at most ${MAX_GRACE_PERIOD_SECONDS}` });
  const policy = o.propagationPolicy;
  if (policy != null && !["Orphan", "Background", "Foreground"].includes(policy as string))
    causes.push({ field: "propagationPolicy", message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan", "nil"` });
  if (o.orphanDependents != null && policy != null)
    causes.push({ field: "propagationPolicy", message: `Invalid value: ${JSON.stringify(policy)}: orphanDependents and deletionPropagation cannot be both set` });
  for (const d of (o.dryRun as string[] | null | undefined) ?? [])
    if (d !== "All") causes.push({ field: "dryRun", message: `Unsupported value: ${JSON.stringify(d)}: supported values: "All"` });
  if (causes.length)
    throw new KubeError(422, "Invalid", `DeleteOptions.meta.k8s.io "" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`, {
      group: "meta.k8s.io",
      kind: "DeleteOptions",
      causes: causes.map((c) => ({ reason: "FieldValueInvalid", ...c })),
    });
  return o;
}
