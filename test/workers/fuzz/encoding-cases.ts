/**
 * Fuzz cases about how a body is encoded: malformed JSON and YAML, alias
 * bombs, protobuf garbage, unknown content types, and bodies over the 3 MiB
 * limit (with and without a Content-Length).
 */
import { type GenContext, PATCH_CT, type PatchKind, anyType, itemTarget, resourcePath, typeOf } from "./context.js";
import { validObject } from "./objects.js";
import { BROKEN_JSON, BROKEN_YAML, UNKNOWN_CONTENT_TYPES, between, chance, oversizeConfigMap, pick, yamlBomb } from "./payloads.js";

function brokenBodies(ctx: GenContext, jsonCount: number, yamlCount: number, bombCount: number): void {
  const { r, t } = ctx;
  const verbs = ["POST", "PUT", "PATCH:merge", "PATCH:strategic", "PATCH:json", "DELETE", "PUT:status"];
  for (let i = 0; i < jsonCount; i++) {
    const rt = anyType(r);
    const text = pick(r, BROKEN_JSON);
    const verb = pick(r, verbs);
    const target = itemTarget(ctx, rt);
    const [method, kind] = verb.split(":");
    const sub = kind === "status" && rt.subresources.some((s) => s.name === "status") ? "status" : undefined;
    const path = method === "POST" ? resourcePath(rt, t.scratchNamespace) : resourcePath(rt, target.ns, target.name, sub);
    const ct = method === "PATCH" ? PATCH_CT[kind as PatchKind] : "application/json";
    // An empty DELETE body means default options; a JSON patch may legitimately be `[]`.
    const lenient = (method === "DELETE" && !text.trim()) || (kind === "json" && text === "[]");
    ctx.add({ category: "broken-json", method, path, headers: { "content-type": ct }, body: () => text, label: JSON.stringify(text), expect: lenient ? "any" : "reject" });
  }
  for (let i = 0; i < yamlCount; i++) {
    const rt = anyType(r);
    const text = pick(r, BROKEN_YAML);
    const target = itemTarget(ctx, rt);
    const verb = pick(r, ["POST", "PUT", "APPLY"]);
    if (verb === "POST")
      ctx.add({ category: "broken-yaml", method: "POST", path: resourcePath(rt, t.scratchNamespace), headers: { "content-type": pick(r, ["application/yaml", "application/x-yaml", "text/yaml"]) }, body: () => text, label: JSON.stringify(text), expect: "reject" });
    else if (verb === "PUT")
      ctx.add({ category: "broken-yaml", method: "PUT", path: resourcePath(rt, target.ns, target.name), headers: { "content-type": "application/yaml" }, body: () => text, label: JSON.stringify(text), expect: "reject" });
    // Some of these are valid YAML that an apply may turn into a valid object.
    else ctx.add({ category: "broken-yaml", method: "PATCH", path: resourcePath(rt, target.ns, target.name) + "?fieldManager=fuzz", headers: { "content-type": PATCH_CT.apply }, body: () => text, label: JSON.stringify(text), expect: "any" });
  }
  const cm = typeOf("configmaps");
  for (let i = 0; i < bombCount; i++) {
    const levels = between(r, 3, 12);
    const fanout = between(r, 2, 10);
    const merge = chance(r, 0.3);
    const text = merge
      ? `base: &b {k: v}\n` + Array.from({ length: levels }, (_, j) => `m${j}: &m${j} {<<: [${Array.from({ length: fanout }, () => (j ? `*m${j - 1}` : "*b")).join(", ")}]}`).join("\n") + `\nmetadata: {name: bomb}\ndata: *m${levels - 1}\n`
      : yamlBomb(levels, fanout);
    const target = itemTarget(ctx, cm);
    const apply = chance(r, 0.5);
    ctx.add({
      category: "yaml-bomb",
      method: apply ? "PATCH" : "POST",
      path: apply ? resourcePath(cm, target.ns, target.name) + "?fieldManager=fuzz" : resourcePath(cm, t.scratchNamespace),
      headers: { "content-type": apply ? PATCH_CT.apply : "application/yaml" },
      body: () => text,
      label: `${merge ? "merge-key" : "alias"} bomb ${levels}x${fanout}`,
      // Small bombs expand to data a ConfigMap refuses (lists and maps as values), big ones hit the alias cap.
      expect: "reject",
    });
  }
  // A document whose alias refers to its own anchor.
  ctx.add({ category: "yaml-bomb", method: "POST", path: resourcePath(cm, t.scratchNamespace), headers: { "content-type": "application/yaml" }, body: () => "metadata: &m {name: selfref, labels: *m}\n", label: "self-referencing alias", expect: "reject" });
}

function oversize(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  const cm = typeOf("configmaps");
  for (let i = 0; i < count; i++) {
    const method = pick(r, ["POST", "PUT", "PATCH", "DELETE"]);
    const target = itemTarget(ctx, cm);
    const path = method === "POST" ? resourcePath(cm, t.scratchNamespace) : resourcePath(cm, target.ns, target.name);
    const streamed = chance(r, 0.5);
    const ct = method === "PATCH" ? PATCH_CT.merge : "application/json";
    ctx.add({
      category: "oversize",
      method,
      path,
      headers: { "content-type": ct },
      // A stream has no Content-Length: the limit must hold while reading too.
      body: streamed ? () => new Blob([oversizeConfigMap()]).stream() : oversizeConfigMap,
      label: `3 MiB + 512 B ${streamed ? "streamed" : "with Content-Length"}`,
      expect: "reject",
    });
  }
}

/** Length-delimited protobuf field. */
function ld(field: number, payload: Uint8Array): Uint8Array {
  const len: number[] = [];
  let n = payload.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n);
  return new Uint8Array([(field << 3) | 2, ...len, ...payload]);
}
const utf8 = (s: string) => new TextEncoder().encode(s);
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

function contentTypes(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const target = itemTarget(ctx, rt);
    const method = pick(r, ["POST", "PUT", "PATCH", "DELETE"]);
    const path = method === "POST" ? resourcePath(rt, t.scratchNamespace) : resourcePath(rt, target.ns, target.name);
    const valid = JSON.stringify({ ...validObject(rt.resource, target.name), ...(method === "POST" ? { metadata: { name: `fz-ct-${i}` } } : {}) });
    if (chance(r, 0.4)) {
      const random = () => Uint8Array.from({ length: between(r, 0, 64) }, () => between(r, 0, 255));
      const garbage = random();
      const variant = between(r, 0, 3);
      const bytes =
        variant === 0
          ? garbage
          : variant === 1
            ? new Uint8Array([...MAGIC, ...garbage])
            : variant === 2
              ? new Uint8Array([...MAGIC, ...ld(1, new Uint8Array([...ld(1, utf8(rt.group ? `${rt.group}/${rt.version}` : rt.version)), ...ld(2, utf8(rt.kind))])), ...ld(2, garbage)])
              : new Uint8Array([...MAGIC, ...ld(1, new Uint8Array([...ld(1, utf8("v1")), ...ld(2, utf8(pick(r, ["Nope", "Pod", "DeleteOptions", ""])))])), ...ld(3, utf8("gzip")), ...ld(2, garbage)]);
      ctx.add({
        category: "content-type",
        method,
        path,
        headers: { "content-type": "application/vnd.kubernetes.protobuf" },
        body: () => bytes,
        label: `protobuf garbage variant ${variant} (${bytes.length} bytes)`,
        // An empty DELETE body is default options whatever its type; garbage may decode to a valid empty message.
        expect: variant >= 2 || (method === "DELETE" && bytes.length === 0) ? "any" : "reject",
      });
      continue;
    }
    const ct = pick(r, UNKNOWN_CONTENT_TYPES);
    const media = ct.split(";")[0].trim().toLowerCase();
    // A JSON patch must be an array, and this body is an object.
    const accepted = method === "PATCH" ? media === "application/merge-patch+json" : method === "DELETE" || media === "application/json";
    ctx.add({ category: "content-type", method, path, headers: { "content-type": ct }, body: () => valid, label: `JSON as ${ct}`, expect: accepted ? "any" : "reject" });
  }
}

export function encodingCases(ctx: GenContext): void {
  brokenBodies(ctx, 260, 200, 40);
  oversize(ctx, 24);
  contentTypes(ctx, 250);
}
