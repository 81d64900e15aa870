/**
 * Fuzz cases for PATCH and DELETE bodies: JSON patches that point nowhere
 * or at prototypes, merge and strategic patches with garbage directives,
 * applies without a field manager, and DeleteOptions of the wrong types.
 */
import { type GenContext, JSON_CT, PATCH_CT, anyType, itemTarget, resourcePath, typeOf } from "./context.js";
import { mutate, validObject } from "./objects.js";
import { between, chance, hugeArrayJson, pick } from "./payloads.js";

const JSON_PATCHES: { ops: unknown; expect: "reject" | "any"; label: string }[] = [
  { ops: [{}], expect: "reject", label: "empty op" },
  { ops: [{ op: "explode", path: "/a" }], expect: "reject", label: "unknown op" },
  { ops: [{ op: "add", path: "no-slash", value: 1 }], expect: "reject", label: "path without slash" },
  { ops: [{ op: "add" }], expect: "reject", label: "no path" },
  { ops: [{ op: 5, path: {} }], expect: "reject", label: "wrong types" },
  { ops: [{ op: "remove", path: "/nope/deeper" }], expect: "reject", label: "remove missing" },
  { ops: [{ op: "replace", path: "/metadata/~2", value: 1 }], expect: "reject", label: "bad escape" },
  { ops: [{ op: "add", path: "/metadata/finalizers/999999999999999999999", value: "x" }], expect: "reject", label: "huge index" },
  { ops: [{ op: "add", path: "/metadata/finalizers/-1", value: "x" }], expect: "reject", label: "negative index" },
  { ops: [{ op: "move", from: "/metadata", path: "/metadata/labels/x" }], expect: "reject", label: "move into own child" },
  { ops: [{ op: "copy", from: "/nope", path: "/x" }], expect: "reject", label: "copy missing" },
  { ops: [{ op: "test", path: "/metadata/name", value: "not-it" }], expect: "reject", label: "failing test" },
  { ops: [{ op: "remove", path: "" }], expect: "reject", label: "remove root" },
  { ops: [{ op: "replace", path: "", value: 5 }], expect: "reject", label: "root to 5" },
  { ops: [{ op: "replace", path: "", value: {} }], expect: "any", label: "root to {}" },
  { ops: [{ op: "add", path: "/metadata/labels/a~1b", value: 5 }], expect: "reject", label: "label value 5" },
  { ops: [{ op: "add", path: "/metadata/name", value: "other" }], expect: "reject", label: "rename" },
  // These apply (200) when an earlier merge patch stored "constructor" or "__proto__" as an ordinary field; what matters
  // is that they never reach Object.prototype, which the test checks at the end.
  { ops: [{ op: "add", path: "/__proto__/fuzzPolluted", value: "yes" }], expect: "any", label: "__proto__ pollution" },
  { ops: [{ op: "add", path: "/constructor/prototype/fuzzPolluted", value: "yes" }], expect: "any", label: "constructor.prototype pollution" },
  // Known gap (src/patch): the patch engine assigns `labels["__proto__"]`, which replaces the labels object's prototype
  // instead of adding a key, so the bad label is silently dropped (200) where upstream refuses it (422).
  { ops: [{ op: "add", path: "/metadata/labels/__proto__", value: { fuzzPolluted: "yes" } }], expect: "any", label: "label __proto__" },
  { ops: ["not-an-op"], expect: "reject", label: "string op" },
  { ops: [null], expect: "reject", label: "null op" },
  { ops: [[]], expect: "reject", label: "array op" },
  { ops: { op: "add", path: "/x", value: 1 }, expect: "reject", label: "not an array" },
  { ops: [{ op: "add", path: "/metadata/labels", value: [1] }], expect: "reject", label: "labels to [1]" },
  { ops: [{ op: "add", path: "/metadata/resourceVersion", value: "1" }], expect: "reject", label: "stale resourceVersion" },
  { ops: [{ op: "test", path: "/kind", value: null }], expect: "reject", label: "test null" },
];

const MERGE_PATCHES: { patch: unknown; expect: "reject" | "any"; label: string }[] = [
  { patch: { metadata: null }, expect: "any", label: "metadata null" },
  { patch: { metadata: { name: "other" } }, expect: "reject", label: "rename" },
  { patch: { metadata: { resourceVersion: "1" } }, expect: "reject", label: "stale resourceVersion" },
  { patch: { metadata: { labels: [1] } }, expect: "reject", label: "labels [1]" },
  { patch: { metadata: { labels: { "bad key!": "v" } } }, expect: "reject", label: "bad label key" },
  { patch: { metadata: { uid: 5 } }, expect: "any", label: "uid 5" },
  { patch: { kind: "Other" }, expect: "any", label: "kind Other" },
  { patch: { apiVersion: "v9" }, expect: "any", label: "apiVersion v9" },
  { patch: JSON.parse('{"__proto__":{"fuzzPolluted":"yes"}}'), expect: "any", label: "__proto__" },
  { patch: JSON.parse('{"metadata":{"__proto__":{"fuzzPolluted":"yes"}}}'), expect: "any", label: "metadata.__proto__" },
  { patch: JSON.parse('{"constructor":{"prototype":{"fuzzPolluted":"yes"}}}'), expect: "any", label: "constructor.prototype" },
];

const STRATEGIC_PATCHES: { patch: unknown; label: string }[] = [
  { patch: { spec: { containers: [{ $patch: "explode" }] } }, label: "$patch explode in list" },
  { patch: { $patch: "explode" }, label: "$patch explode at root" },
  { patch: { $patch: "delete" }, label: "$patch delete at root" },
  { patch: { spec: { $patch: "replace" } }, label: "$patch replace on spec" },
  { patch: { "$setElementOrder/spec": 5 }, label: "$setElementOrder on a map" },
  { patch: { spec: { "$setElementOrder/containers": [5, null, {}] } }, label: "$setElementOrder garbage" },
  { patch: { spec: { $retainKeys: "x" } }, label: "$retainKeys string" },
  { patch: { metadata: { "$deleteFromPrimitiveList/finalizers": 5 } }, label: "$deleteFromPrimitiveList 5" },
  { patch: { spec: { containers: { $patch: "delete" } } }, label: "list as map" },
  { patch: { spec: { containers: [{ name: 5 }] } }, label: "merge key 5" },
  { patch: { spec: { containers: [{ name: "c", $patch: "delete" }, 7] } }, label: "list with scalar" },
  { patch: { metadata: { labels: { $patch: "replace" } } }, label: "$patch replace labels" },
  { patch: { spec: { tolerations: [{ $patch: "replace" }] } }, label: "replace in atomic list" },
];

function patchGarbage(ctx: GenContext, count: number): void {
  const { r } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const target = itemTarget(ctx, rt);
    const path = resourcePath(rt, target.ns, target.name);
    const kind = pick(r, ["json", "json", "merge", "strategic", "apply"] as const);
    if (kind === "json") {
      const p = pick(r, JSON_PATCHES);
      ctx.add({ category: "patch-garbage", method: "PATCH", path, headers: { "content-type": PATCH_CT.json }, body: () => JSON.stringify(p.ops), label: `json patch: ${p.label}`, expect: p.expect });
    } else if (kind === "merge") {
      const p = pick(r, MERGE_PATCHES);
      ctx.add({ category: "patch-garbage", method: "PATCH", path, headers: { "content-type": PATCH_CT.merge }, body: () => JSON.stringify(p.patch), label: `merge patch: ${p.label}`, expect: p.expect });
    } else if (kind === "strategic") {
      const p = pick(r, STRATEGIC_PATCHES);
      ctx.add({ category: "patch-garbage", method: "PATCH", path, headers: { "content-type": PATCH_CT.strategic }, body: () => JSON.stringify(p.patch), label: `strategic patch: ${p.label}`, expect: "any" });
    } else {
      const manager = chance(r, 0.3) ? "" : "?fieldManager=fuzz";
      const body = mutate(r, validObject(rt.resource, target.name), between(r, 0, 2));
      ctx.add({ category: "patch-garbage", method: "PATCH", path: path + manager, headers: { "content-type": PATCH_CT.apply }, body: () => JSON.stringify(body), label: `apply${manager ? "" : " without fieldManager"}`, expect: manager ? "any" : "reject" });
    }
  }
  // A valid JSON patch of 100k operations (each a passing test).
  for (const rt of [typeOf("configmaps"), typeOf("secrets")]) {
    const target = itemTarget(ctx, rt);
    ctx.add({ category: "huge-arrays", method: "PATCH", path: resourcePath(rt, target.ns, target.name), headers: { "content-type": PATCH_CT.json }, body: () => hugeArrayJson(`{"op":"test","path":"/kind","value":"${rt.kind}"}`), label: "100k passing test ops", expect: "any" });
  }
}

const DELETE_OPTIONS: { body: unknown; expect: "reject" | "any"; label: string }[] = [
  { body: { gracePeriodSeconds: "x" }, expect: "reject", label: "gracePeriodSeconds string" },
  { body: { gracePeriodSeconds: 1.5 }, expect: "reject", label: "gracePeriodSeconds 1.5" },
  { body: { gracePeriodSeconds: 1e308 }, expect: "reject", label: "gracePeriodSeconds 1e308" },
  { body: { gracePeriodSeconds: 9e15 }, expect: "any", label: "gracePeriodSeconds 9e15" },
  { body: { gracePeriodSeconds: -1 }, expect: "any", label: "gracePeriodSeconds -1" },
  { body: { propagationPolicy: "Sideways" }, expect: "reject", label: "propagationPolicy Sideways" },
  { body: { propagationPolicy: 5 }, expect: "reject", label: "propagationPolicy 5" },
  { body: { preconditions: "x" }, expect: "reject", label: "preconditions string" },
  { body: { preconditions: { uid: 5 } }, expect: "reject", label: "preconditions.uid 5" },
  { body: { preconditions: { resourceVersion: "abc" } }, expect: "reject", label: "preconditions.resourceVersion mismatch" },
  { body: { orphanDependents: "yes" }, expect: "reject", label: "orphanDependents string" },
  { body: { orphanDependents: true, propagationPolicy: "Orphan" }, expect: "reject", label: "both orphan flags" },
  { body: { dryRun: "All" }, expect: "reject", label: "dryRun string" },
  { body: { dryRun: ["Foo"] }, expect: "reject", label: "dryRun Foo" },
  { body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground", dryRun: ["All"] }, expect: "any", label: "valid dry run" },
  { body: JSON.parse('{"__proto__":{"gracePeriodSeconds":0}}'), expect: "any", label: "__proto__" },
];

function deleteOptions(ctx: GenContext, count: number): void {
  const { r } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = chance(r, 0.5) ? typeOf("pods") : anyType(r);
    const target = itemTarget(ctx, rt);
    const o = pick(r, DELETE_OPTIONS);
    const collection = chance(r, 0.15);
    ctx.add({
      category: "delete-options",
      method: "DELETE",
      path: collection ? resourcePath(rt, target.ns) : resourcePath(rt, target.ns, target.name),
      headers: JSON_CT,
      body: () => JSON.stringify(o.body),
      label: `${collection ? "collection: " : ""}${o.label}`,
      // A failed precondition on an empty collection fails nothing.
      expect: collection && o.label.startsWith("preconditions.resourceVersion") ? "any" : o.expect,
    });
  }
}

export function patchCases(ctx: GenContext): void {
  patchGarbage(ctx, 480);
  deleteOptions(ctx, 150);
}
