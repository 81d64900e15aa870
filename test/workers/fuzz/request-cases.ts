/**
 * Fuzz cases about the request line and headers: hostile names and
 * namespaces in paths, query strings, verbs on paths that do not take them,
 * and authentication.
 */
import { resourceTypes } from "../../../src/schema/registry.js";
import { type GenContext, JSON_CT, anyType, q, resourcePath } from "./context.js";
import { validObject } from "./objects.js";
import { RBAC_RESOURCES, rbacNameErrors } from "../../../src/auth/rbac-validation.js";
import { BAD_CONTINUE, BAD_FIELD_SELECTORS, BAD_INTS, BAD_LABEL_SELECTORS, BAD_NAMES, BAD_RESOURCE_VERSIONS, between, chance, pick } from "./payloads.js";

/** How a hostile name is put into a path: escaped once (as clients do), raw, or escaped twice. */
const ENCODINGS: [string, (s: string) => string][] = [
  ["escaped", encodeURIComponent],
  ["raw", (s) => s],
  ["double-escaped", (s) => encodeURIComponent(encodeURIComponent(s))],
];

/** Whether a name put into a URL raw changes the path's shape (so the request may address something else, validly). */
const reshapes = (how: string, name: string) => how === "raw" && /[\t\n\r/\\?#]|^\.\.?$/.test(name);

function hostilePathNames(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const name = pick(r, BAD_NAMES);
    const [how, encode] = pick(r, ENCODINGS);
    const verb = pick(r, ["GET", "PUT", "PATCH", "APPLY", "DELETE", "POST"]);
    const ns = pick(r, [t.scratchNamespace, t.baseNamespace]);
    const path = resourcePath(rt, ns, name, undefined, (s) => (s === name ? encode(s) : encodeURIComponent(s)));
    const label = `${how} name ${JSON.stringify(name)}`;
    const body = JSON.stringify(validObject(rt.resource, name));
    // A raw name is parsed as part of the URL: tabs and newlines are dropped ("new\nline" arrives as the valid "newline"),
    // and dot segments, slashes, "?" and "#" reshape the path ("secrets/../../etc" applies to the Namespace "etc").
    // RBAC names are path segments (upstream): most of these are valid there, so writes may succeed.
    const rbacName = RBAC_RESOURCES.has(rt.resource) && name !== "" && !rbacNameErrors(how === "double-escaped" ? encodeURIComponent(name) : name).length;
    const refused = reshapes(how, name) || rbacName ? "any" : "reject";
    if (verb === "GET") ctx.add({ category: "hostile-names", method: "GET", path, label, expect: refused });
    else if (verb === "DELETE") ctx.add({ category: "hostile-names", method: "DELETE", path, label, expect: refused });
    else if (verb === "APPLY")
      ctx.add({ category: "hostile-names", method: "PATCH", path: path + "?fieldManager=fuzz", headers: { "content-type": "application/apply-patch+yaml" }, body: () => JSON.stringify({ ...validObject(rt.resource, "x"), metadata: {} }), label: `apply to ${label}`, expect: refused });
    else if (verb === "PATCH")
      ctx.add({ category: "hostile-names", method: "PATCH", path, headers: { "content-type": "application/merge-patch+json" }, body: () => '{"metadata":{"labels":{"a":"b"}}}', label, expect: refused });
    else ctx.add({ category: "hostile-names", method: verb, path, headers: JSON_CT, body: () => body, label, expect: refused });
  }
}

function hostileNamespaces(ctx: GenContext, count: number): void {
  const { r } = ctx;
  const namespaced = resourceTypes.filter((t) => t.namespaced);
  for (let i = 0; i < count; i++) {
    const rt = pick(r, namespaced);
    const ns = pick(r, BAD_NAMES);
    const [how, encode] = pick(r, ENCODINGS);
    const enc = (s: string) => (s === ns ? encode(s) : encodeURIComponent(s));
    const label = `${how} namespace ${JSON.stringify(ns)}`;
    const refused = reshapes(how, ns) ? "any" : "reject";
    const verb = pick(r, ["LIST", "WATCH", "GET", "POST", "PUT", "APPLY", "DELETE", "DELETECOLLECTION"]);
    const item = resourcePath(rt, ns, "fz-s-0", undefined, enc);
    const collection = resourcePath(rt, ns, undefined, undefined, enc);
    const body = () => JSON.stringify(validObject(rt.resource, "fz-s-0"));
    switch (verb) {
      case "LIST":
        ctx.add({ category: "hostile-namespaces", method: "GET", path: collection, label, expect: "any" });
        break;
      case "WATCH":
        ctx.add({ category: "hostile-namespaces", method: "GET", path: collection + "?watch=true&timeoutSeconds=1", label, expect: "any", stream: true });
        break;
      case "GET":
        ctx.add({ category: "hostile-namespaces", method: "GET", path: item, label, expect: refused });
        break;
      case "POST":
        ctx.add({ category: "hostile-namespaces", method: "POST", path: collection, headers: JSON_CT, body, label, expect: refused });
        break;
      case "PUT":
        ctx.add({ category: "hostile-namespaces", method: "PUT", path: item, headers: JSON_CT, body, label, expect: refused });
        break;
      case "APPLY":
        ctx.add({ category: "hostile-namespaces", method: "PATCH", path: item + "?fieldManager=fuzz", headers: { "content-type": "application/apply-patch+yaml" }, body, label, expect: refused });
        break;
      case "DELETE":
        ctx.add({ category: "hostile-namespaces", method: "DELETE", path: item, label, expect: refused });
        break;
      default:
        ctx.add({ category: "hostile-namespaces", method: "DELETE", path: collection, label, expect: "any" });
    }
  }
}

/** Where a query parameter is read: lists, watches, gets, create/update/patch ("write"), and deletes (item or collection). */
type Ctx = "list" | "watch" | "get" | "write" | "delete";

/** One hostile query parameter, and in which request contexts the API must refuse it. */
const QUERY_PARAMS: { gen: (ctx: GenContext) => [string, string]; rejectIn: Ctx[] }[] = [
  { gen: ({ r }) => ["labelSelector", pick(r, BAD_LABEL_SELECTORS)], rejectIn: ["list", "watch"] },
  { gen: ({ r }) => ["fieldSelector", pick(r, BAD_FIELD_SELECTORS)], rejectIn: ["list", "watch"] },
  { gen: ({ r }) => ["limit", pick(r, BAD_INTS)], rejectIn: ["list"] },
  { gen: ({ r }) => ["continue", pick(r, BAD_CONTINUE)], rejectIn: ["list"] },
  { gen: ({ r }) => ["resourceVersion", pick(r, BAD_RESOURCE_VERSIONS)], rejectIn: ["list", "watch", "get"] },
  { gen: ({ r }) => ["timeoutSeconds", pick(r, BAD_INTS)], rejectIn: ["list", "watch"] },
  { gen: ({ r }) => ["dryRun", pick(r, ["Foo", "all", "", "All,Foo", "true"])], rejectIn: ["write", "delete"] },
  { gen: ({ r }) => ["fieldValidation", pick(r, ["Nope", "strict", "", "WARN", "Strict "])], rejectIn: ["write"] },
  { gen: ({ r }) => ["includeObject", pick(r, ["Everything", "", "none"])], rejectIn: [] },
  { gen: ({ r }) => ["fieldManager", pick(r, ["m".repeat(129), "bad\u0001manager", "\u0000", "x".repeat(5000)])], rejectIn: ["write"] },
  { gen: ({ r }) => [pick(r, ["pretty", "export", "exact", "propagationPolicy", "allowWatchBookmarks", "sendInitialEvents", "resourceVersionMatch", "\u0000", "a".repeat(300)]), pick(r, ["garbage", "", "\u0000"])], rejectIn: [] },
  { gen: ({ r }) => ["watch", pick(r, ["maybe", "2", "", "TRUE"])], rejectIn: [] },
];

function badQueries(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  for (let i = 0; i < count; i++) {
    const rt = anyType(r);
    const where: Ctx = pick(r, ["list", "list", "watch", "get", "write", "write"] as const);
    const params = Array.from({ length: between(r, 1, 3) }, () => pick(r, QUERY_PARAMS));
    const values = params.map((p) => p.gen(ctx));
    const rejectedIn = (...ctxs: Ctx[]) => (params.some((p) => ctxs.some((c) => p.rejectIn.includes(c))) ? "reject" : "any");
    const base = t.baseNames[rt.resource] ?? [];
    const ns = pick(r, [t.baseNamespace, t.scratchNamespace, undefined]);
    const label = values.map(([k, v]) => `${k}=${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`).join(" ");
    const expect = rejectedIn(where);
    if (where === "list" || where === "watch") {
      const extra: [string, string][] = where === "watch" ? [["watch", "true"], ...(values.some(([k]) => k === "timeoutSeconds") ? [] : [["timeoutSeconds", "1"] as [string, string]])] : [];
      ctx.add({ category: "bad-query", method: "GET", path: resourcePath(rt, ns) + q([...values, ...extra]), label: `${where}: ${label}`, expect, stream: where === "watch" || values.some(([k]) => k === "watch") });
    } else if (where === "get") {
      const name = base.length ? pick(r, base) : "fz-s-0";
      ctx.add({ category: "bad-query", method: "GET", path: resourcePath(rt, base.length ? t.baseNamespace : t.scratchNamespace, name) + q(values), label: `get: ${label}`, expect });
    } else {
      const method = pick(r, ["POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION"]);
      const name = base.length && chance(r, 0.5) ? pick(r, base) : `fz-s-${between(r, 0, 5)}`;
      const itemNs = base.includes(name) ? t.baseNamespace : t.scratchNamespace;
      const body = JSON.stringify(validObject(rt.resource, name));
      const label2 = `${method}: ${label}`;
      if (method === "POST")
        ctx.add({ category: "bad-query", method, path: resourcePath(rt, t.scratchNamespace) + q(values), headers: JSON_CT, body: () => body, label: label2, expect });
      else if (method === "PUT")
        ctx.add({ category: "bad-query", method, path: resourcePath(rt, itemNs, name) + q(values), headers: JSON_CT, body: () => body, label: label2, expect });
      else if (method === "PATCH")
        ctx.add({ category: "bad-query", method, path: resourcePath(rt, itemNs, name) + q(values), headers: { "content-type": "application/merge-patch+json" }, body: () => '{"metadata":{"labels":{"fz":"q"}}}', label: label2, expect });
      else if (method === "DELETE") ctx.add({ category: "bad-query", method, path: resourcePath(rt, itemNs, name) + q(values), label: label2, expect: rejectedIn("delete") });
      // deletecollection takes list options too.
      else ctx.add({ category: "bad-query", method: "DELETE", path: resourcePath(rt, itemNs) + q(values), label: label2, expect: rejectedIn("list", "delete") });
    }
  }
  // Watches from versions that are garbage, or far in the future.
  for (let i = 0; i < 30; i++) {
    const rt = anyType(r);
    const rv = i % 3 === 0 ? "99999999999999" : pick(r, BAD_RESOURCE_VERSIONS);
    ctx.add({ category: "bad-query", method: "GET", path: resourcePath(rt, t.baseNamespace) + q([["watch", "1"], ["resourceVersion", rv], ["timeoutSeconds", "1"]]), label: `watch from ${JSON.stringify(rv)}`, expect: i % 3 === 0 ? "any" : "reject", stream: true });
  }
  // Tables, with garbage in the Accept header.
  for (let i = 0; i < 20; i++) {
    const rt = anyType(r);
    const accept = pick(r, ["application/json;as=Table;v=v1;g=meta.k8s.io", "application/json;as=Table;g=meta.k8s.io;v=v9", "as=Table;g=meta.k8s.io", "application/json;as=Tablet", "\u00ff\u00fe", "application/vnd.kubernetes.protobuf"]);
    ctx.add({ category: "bad-query", method: "GET", path: resourcePath(rt, t.baseNamespace) + q([["includeObject", pick(r, ["Object", "None", "Metadata"])]]), headers: { accept }, label: `accept ${JSON.stringify(accept)}`, expect: "any" });
  }
}

function verbsAndPaths(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  const paths: { path: string; expect: "reject" | "any"; methods?: string[] }[] = [
    { path: "/", expect: "reject" },
    { path: "/api/v1/namespaces//pods", expect: "reject" },
    { path: "/api/v1//pods", expect: "reject" },
    { path: "/api//v1/pods", expect: "reject" },
    { path: "/api/v2/pods", expect: "reject" },
    { path: "/apis/apps/v1beta1/deployments", expect: "reject" },
    { path: "/apis/nope/v1/things", expect: "reject" },
    { path: "/apis/nope", expect: "reject" },
    { path: "/api/v1/watch/pods", expect: "reject" },
    { path: "/api/v1/nodes/x/proxy/metrics", expect: "reject" },
    { path: `/api/v1/namespaces/${t.baseNamespace}/pods/x/status/extra`, expect: "reject" },
    { path: `/apis/apps/v1/namespaces/${t.baseNamespace}/deployments/x/scale/z`, expect: "reject" },
    { path: "/api/v1/pods/x", expect: "reject" },
    { path: "/api/v1/namespaces/%00/pods/%00", expect: "reject" },
    { path: "/api/v1/namespaces/a%/pods", expect: "any" },
    { path: "/api/v1/namespaces/%E0%A4%A/pods/x", expect: "reject" },
    { path: "/api/v1/namespaces/x/pods/%C0%AF", expect: "reject" },
    { path: "/openapi/v3/apis/nope/v1", expect: "reject" },
    { path: "/openapi/v2", expect: "reject" },
    { path: "/version/x", expect: "reject" },
    { path: "/.well-known/openid-configuration", expect: "reject" },
    { path: "/api/v1/" + "x/".repeat(500), expect: "reject" },
    { path: "/apis/" + "a".repeat(10_000) + "/v1/things", expect: "reject" },
  ];
  for (let i = 0; i < count; i++) {
    const variant = between(r, 0, 3);
    if (variant === 0) {
      const p = pick(r, paths);
      const method = pick(r, ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
      ctx.add({ category: "verbs-and-paths", method, path: p.path, headers: JSON_CT, body: method === "GET" || method === "OPTIONS" ? undefined : () => "{}", label: p.path.slice(0, 80), expect: p.expect });
    } else {
      const rt = anyType(r);
      // Verbs a path does not take: create on an item, update/patch on a collection, deletecollection across namespaces.
      const shape = pick(r, ["POST item", "PUT collection", "PATCH collection", "DELETE all-namespaces", "OPTIONS item"]);
      const item = resourcePath(rt, t.scratchNamespace, "fz-s-0");
      const collection = resourcePath(rt, t.scratchNamespace);
      const [method, where] = shape.split(" ");
      const path = where === "item" ? item : where === "collection" ? collection : resourcePath(rt, undefined);
      const applies = method === "DELETE" && !rt.namespaced; // a cluster-scoped collection DELETE is deletecollection (dry run here)
      ctx.add({ category: "verbs-and-paths", method, path, headers: { "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" }, body: method === "OPTIONS" ? undefined : () => "{}", label: `${shape} of ${rt.resource}`, expect: applies ? "any" : "reject" });
    }
  }
}

function authentication(ctx: GenContext): void {
  const headers: Record<string, string>[] = [{}, { authorization: "Bearer " }, { authorization: "Bearer wrong" }, { authorization: "Basic dXNlcjpwYXNz" }, { authorization: "Bearer " + "t".repeat(10_000) }, { authorization: "bearer  test-admin-token x" }];
  for (const h of headers)
    for (const [method, path] of [["GET", "/api/v1/namespaces"], ["POST", `/api/v1/namespaces/${ctx.t.scratchNamespace}/configmaps`], ["GET", "/kubeflare/v1/nodes/x/desired"]])
      ctx.add({ category: "authentication", method, path, headers: { ...h, ...(method === "POST" ? JSON_CT : {}) }, anonymous: true, body: method === "POST" ? () => "{}" : undefined, label: `authorization ${JSON.stringify(h.authorization?.slice(0, 30) ?? null)}`, expect: "reject" });
}

export function requestCases(ctx: GenContext): void {
  hostilePathNames(ctx, 320);
  hostileNamespaces(ctx, 250);
  badQueries(ctx, 600);
  verbsAndPaths(ctx, 150);
  authentication(ctx);
}
