/**
 * Fuzz cases about what a body says: wrong types at every level, huge and
 * deeply nested values, hostile names, and hostPath traversal, written to
 * every kind by every verb (create, update, the patches, status).
 */
import { resourceTypes, type ResourceType } from "../../../src/schema/registry.js";
import { type GenContext, JSON_CT, PATCH_CT, type PatchKind, anyType, itemTarget, resourcePath, typeOf } from "./context.js";
import { POD_SPEC_PATH, getAt, mutate, podKinds, setAt, validObject } from "./objects.js";
import { BAD_NAMES, RAW, between, chance, deepJson, deepYamlBlock, deepYamlFlow, hugeArrayJson, hugeObjectJson, megabyteString, pick, spliceRaw } from "./payloads.js";
import { RBAC_RESOURCES, rbacNameErrors } from "../../../src/auth/rbac-validation.js";

const validRbacName = (name: string) => name !== "" && rbacNameErrors(name).length === 0;

/** Kinds whose `spec` is a typed object (a string there must be refused). */
const SPEC_KINDS = new Set(["pods", "services", "deployments", "replicasets", "daemonsets", "jobs", "cronjobs", "ingresses", "ingressclasses", "leases", "nodes", "namespaces"]);

/**
 * One write of `body` to `rt`, by a verb chosen at random: create, update,
 * one of the four patches, or a status update. `text` overrides the JSON
 * encoding of `body` (for raw splices).
 */
function write(
  ctx: GenContext,
  category: string,
  rt: ResourceType,
  body: Record<string, any>,
  opts: { expect: "reject" | "any"; text?: () => string; label: string; verbs?: string[]; bodyLevel?: boolean },
): void {
  const { r } = ctx;
  const verb = pick(r, opts.verbs ?? ["POST", "PUT", "PATCH:merge", "PATCH:strategic", "PATCH:apply", "PUT:status", "PATCH:status"]);
  const target = itemTarget(ctx, rt);
  const text = opts.text ?? (() => JSON.stringify(body));
  if (verb === "POST") {
    ctx.add({ category, method: "POST", path: resourcePath(rt, ctx.t.scratchNamespace), headers: JSON_CT, body: text, label: opts.label, expect: opts.expect });
    return;
  }
  const hasStatus = rt.subresources.some((s) => s.name === "status");
  const sub = verb.endsWith(":status") && hasStatus ? "status" : undefined;
  // What makes a whole object invalid may be ignored by a status write, or be a no-op or a valid change as a
  // strategic or apply patch; only a body that cannot be decoded (`bodyLevel`) must fail whatever the verb.
  const strictVerb = !sub && (verb === "PUT" || verb === "PATCH:merge");
  const expect = opts.expect === "reject" && (opts.bodyLevel || strictVerb) ? "reject" : "any";
  const named = { ...body, metadata: typeof body.metadata === "object" && body.metadata && !Array.isArray(body.metadata) ? { ...body.metadata, name: target.name } : body.metadata };
  const namedText = opts.text ?? (() => JSON.stringify(named));
  const path = resourcePath(rt, target.ns, target.name, sub);
  if (verb.startsWith("PUT")) {
    ctx.add({ category, method: "PUT", path, headers: JSON_CT, body: namedText, label: opts.label, expect });
    return;
  }
  const kind: PatchKind = verb === "PATCH:status" ? pick(r, ["merge", "strategic", "apply"] as const) : (verb.split(":")[1] as PatchKind);
  const query = kind === "apply" ? "?fieldManager=fuzz&force=true" : "";
  ctx.add({
    category,
    method: "PATCH",
    path: path + query,
    headers: { "content-type": PATCH_CT[kind] },
    body: namedText,
    label: `${kind} patch${sub ? " of status" : ""}: ${opts.label}`,
    expect,
  });
}

function wrongTypes(ctx: GenContext, count: number): void {
  const { r } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const mutations = chance(r, 0.1) ? 0 : between(r, 1, 3);
    const body = mutate(r, validObject(rt.resource, `fz-s-${between(r, 0, 5)}`), mutations);
    write(ctx, mutations ? "wrong-types" : "valid-writes", rt, body, { expect: "any", label: `${mutations} mutation(s) of a valid ${rt.kind}` });
  }
  // The shapes named in the issue, on every kind, by create and update.
  for (const rt of resourceTypes) {
    for (const verbs of [["POST"], ["PUT"]]) {
      const o = () => validObject(rt.resource, `fz-s-${between(r, 0, 5)}`);
      const m5 = o();
      m5.metadata = 5;
      write(ctx, "wrong-types", rt, m5, { expect: "reject", label: "metadata: 5", verbs });
      const sx = o();
      sx.spec = "x";
      write(ctx, "wrong-types", rt, sx, { expect: SPEC_KINDS.has(rt.resource) ? "reject" : "any", label: 'spec: "x"', verbs });
      const l1 = o();
      l1.metadata.labels = [1];
      write(ctx, "wrong-types", rt, l1, { expect: "reject", label: "labels: [1]", verbs });
      if (POD_SPEC_PATH[rt.resource]) {
        const c = o();
        setAt(c, [...POD_SPEC_PATH[rt.resource], "containers"], {});
        write(ctx, "wrong-types", rt, c, { expect: "reject", label: "containers: {}", verbs });
      }
    }
  }
}

function hugeValues(ctx: GenContext, count: number): void {
  const { r } = ctx;
  const mb = () => megabyteString();
  type Spot = { label: string; expect: "reject" | "any"; kinds?: string[]; place: (o: any) => void };
  const spots: Spot[] = [
    { label: "1 MiB name", expect: "reject", place: (o) => (o.metadata.name = RAW) },
    { label: "1 MiB label value", expect: "reject", place: (o) => (o.metadata.labels = { big: RAW }) },
    { label: "1 MiB label key", expect: "reject", place: (o) => (o.metadata.labels = { [RAW]: "v" }) },
    { label: "1 MiB annotation", expect: "reject", place: (o) => (o.metadata.annotations = { big: RAW }) },
    { label: "1 MiB namespace", expect: "reject", kinds: resourceTypes.filter((t) => t.namespaced).map((t) => t.resource), place: (o) => (o.metadata.namespace = RAW) },
    { label: "1 MiB generateName", expect: "any", place: (o) => (delete o.metadata.name, (o.metadata.generateName = RAW)) },
    { label: "1 MiB configmap value", expect: "any", kinds: ["configmaps"], place: (o) => (o.data = { big: RAW }) },
    { label: "1 MiB image", expect: "any", kinds: podKinds, place: (o) => (getAt(o, POD_SPEC_PATH[o.__k]).containers[0].image = RAW) },
    { label: "1 MiB container name", expect: "reject", kinds: podKinds, place: (o) => (getAt(o, POD_SPEC_PATH[o.__k]).containers[0].name = RAW) },
  ];
  for (let i = 0; i < count; i++) {
    const spot = pick(r, spots);
    const rt = spot.kinds ? typeOf(pick(r, spot.kinds)) : anyType(r);
    const body: any = validObject(rt.resource, `fz-s-${between(r, 0, 5)}`);
    body.__k = rt.resource;
    spot.place(body);
    delete body.__k;
    const raw = JSON.stringify(mb());
    // Only creates: the name splice must not be overwritten by an item target's name.
    write(ctx, "huge-strings", rt, body, { expect: spot.expect, label: spot.label, text: () => spliceRaw(body, raw), verbs: ["POST"] });
  }
}

function hugeArrays(ctx: GenContext, count: number): void {
  const { r } = ctx;
  type Spot = { label: string; expect: "reject" | "any"; kinds?: string[]; raw: () => string; place: (o: any) => void };
  const spec = (o: any) => getAt(o, POD_SPEC_PATH[o.__k]);
  const spots: Spot[] = [
    { label: "100k finalizers", expect: "any", raw: () => hugeArrayJson('"example.com/f"'), place: (o) => (o.metadata.finalizers = RAW) },
    { label: "100k labels", expect: "any", raw: hugeObjectJson, place: (o) => (o.metadata.labels = RAW) },
    { label: "100k ownerReferences of 1", expect: "reject", raw: () => hugeArrayJson(), place: (o) => (o.metadata.ownerReferences = RAW) },
    { label: "100k empty containers", expect: "reject", kinds: podKinds, raw: () => hugeArrayJson("{}"), place: (o) => (spec(o).containers = RAW) },
    { label: "100k args", expect: "any", kinds: podKinds, raw: () => hugeArrayJson('"a"'), place: (o) => (spec(o).containers[0].args = RAW) },
    { label: "100k env of {}", expect: "reject", kinds: podKinds, raw: () => hugeArrayJson("{}"), place: (o) => (spec(o).containers[0].env = RAW) },
    { label: "100k tolerations", expect: "any", kinds: podKinds, raw: () => hugeArrayJson("{}"), place: (o) => (spec(o).tolerations = RAW) },
    { label: "100k ports of null", expect: "reject", kinds: ["services"], raw: () => hugeArrayJson("null"), place: (o) => (o.spec.ports = RAW) },
    { label: "100k data keys", expect: "any", kinds: ["configmaps"], raw: hugeObjectJson, place: (o) => (o.data = RAW) },
  ];
  for (let i = 0; i < count; i++) {
    const spot = pick(r, spots);
    const rt = spot.kinds ? typeOf(pick(r, spot.kinds)) : anyType(r);
    const body: any = validObject(rt.resource, `fz-s-${between(r, 0, 5)}`);
    body.__k = rt.resource;
    spot.place(body);
    delete body.__k;
    write(ctx, "huge-arrays", rt, body, { expect: spot.expect, label: spot.label, text: () => spliceRaw(body, spot.raw()) });
  }
}

function deepNesting(ctx: GenContext, count: number): void {
  const { r } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const shape = pick(r, ["object", "array"] as const);
    const where = pick(r, ["labels", "spec", "data", "annotations"] as const);
    const body: any = validObject(rt.resource, `fz-s-${between(r, 0, 5)}`);
    if (where === "labels" || where === "annotations") body.metadata[where] = RAW;
    else body[where] = RAW;
    // 10,000 levels inside a field: past the 10,000 upstream's decoders allow in a whole document.
    write(ctx, "deep-nesting", rt, body, { expect: "reject", bodyLevel: true, label: `10k-deep ${shape} in ${where}`, text: () => spliceRaw(body, deepJson(10_000, shape)) });
  }
  const cm = typeOf("configmaps");
  for (let i = 0; i < Math.ceil(count / 4); i++) {
    const target = itemTarget(ctx, cm);
    const path = resourcePath(cm, target.ns, target.name);
    const variant = i % 4;
    if (variant === 0)
      ctx.add({ category: "deep-nesting", method: "PATCH", path, headers: { "content-type": PATCH_CT.merge }, body: () => `{"data":${deepJson(10_000, "object")}}`, label: "merge patch 10k deep", expect: "reject" });
    else if (variant === 1)
      ctx.add({ category: "deep-nesting", method: "PATCH", path, headers: { "content-type": PATCH_CT.json }, body: () => `[{"op":"add","path":"/data/x","value":${deepJson(10_000, "array")}}]`, label: "json patch value 10k deep", expect: "reject" });
    else if (variant === 2)
      ctx.add({ category: "deep-nesting", method: "PATCH", path: path + "?fieldManager=fuzz", headers: { "content-type": PATCH_CT.apply }, body: () => deepYamlFlow(10_000), label: "apply YAML flow 10k deep", expect: "reject" });
    else
      ctx.add({ category: "deep-nesting", method: "POST", path: resourcePath(cm, ctx.t.scratchNamespace), headers: { "content-type": "application/yaml" }, body: () => deepYamlBlock(300), label: "YAML block 300 deep", expect: "reject" });
  }
  ctx.add({ category: "deep-nesting", method: "DELETE", path: resourcePath(cm, ctx.t.baseNamespace, ctx.t.baseNames.configmaps[0]), headers: JSON_CT, body: () => `{"preconditions":${deepJson(10_000, "object")}}`, label: "DeleteOptions 10k deep", expect: "reject" });
}

const TRAVERSALS = ["../etc", "/../../etc/shadow", "/var/lib/../../etc", "/a/..", "..", "/a/../b", "relative/path", "./x", "/x/./../../root"];
const SUBPATHS = ["../../etc", "/abs/path", "a/../../b", ".."];

function hostPathTraversal(ctx: GenContext, count: number): void {
  const { r } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = typeOf(pick(r, podKinds));
    const body: any = validObject(rt.resource, `fz-s-${between(r, 0, 5)}`);
    const spec = getAt(body, POD_SPEC_PATH[rt.resource]);
    let label: string;
    if (chance(r, 0.7)) {
      const p = pick(r, TRAVERSALS);
      spec.volumes = [{ name: "data", hostPath: { path: p, type: pick(r, ["", "Directory", "DirectoryOrCreate", "File"]) } }];
      label = `hostPath ${p}`;
    } else {
      const p = pick(r, SUBPATHS);
      spec.volumes = [{ name: "data", hostPath: { path: "/srv/data" } }];
      spec.containers[0].volumeMounts = [{ name: "data", mountPath: "/data", [chance(r, 0.5) ? "subPath" : "subPathExpr"]: p }];
      label = `subPath ${p}`;
    }
    write(ctx, "hostpath-traversal", rt, body, { expect: "reject", label, verbs: ["POST", "PUT", "PATCH:merge", "PATCH:strategic"] });
  }
}

function hostileBodyNames(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const bad = pick(r, BAD_NAMES);
    const body: any = validObject(rt.resource, bad);
    const variant = between(r, 0, 2);
    if (variant === 1) {
      delete body.metadata.name;
      body.metadata.generateName = bad || "-";
    }
    if (variant === 2 && rt.namespaced) {
      body.metadata.name = `fz-s-${between(r, 0, 5)}`;
      body.metadata.namespace = bad || "UPPER";
    }
    const label = variant === 0 ? `name ${JSON.stringify(bad)}` : variant === 1 ? `generateName ${JSON.stringify(bad)}` : `namespace ${JSON.stringify(bad)}`;
    // generateName keeps only 58 characters of its prefix, so a long valid-character prefix may still make a valid name.
    // RBAC names are path segments (upstream): most of these are valid there.
    const rbacName = RBAC_RESOURCES.has(rt.resource) && (variant === 1 || validRbacName(bad));
    const expect = rbacName || (variant === 1 && /^[a-z0-9][-a-z0-9.]*$/.test(bad)) ? "any" : "reject";
    ctx.add({ category: "hostile-names", method: "POST", path: resourcePath(rt, t.scratchNamespace), headers: JSON_CT, body: () => JSON.stringify(body), label, expect: variant === 2 && !rt.namespaced ? "any" : expect });
  }
}

export function objectCases(ctx: GenContext): void {
  wrongTypes(ctx, 800);
  hugeValues(ctx, 60);
  hugeArrays(ctx, 45);
  deepNesting(ctx, 48);
  hostPathTraversal(ctx, 90);
  hostileBodyNames(ctx, 260);
}
