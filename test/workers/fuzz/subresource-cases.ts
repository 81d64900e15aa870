/**
 * Fuzz cases for the subresources (status, scale, eviction, binding, log,
 * and ones that do not exist) and for the agents' endpoints (desired-state
 * long-poll, pod status, stream uploads).
 */
import { resourceTypes } from "../../../src/schema/registry.js";
import { type GenContext, JSON_CT, anyType, q, resourcePath, typeOf } from "./context.js";
import { mutate, validObject } from "./objects.js";
import { BAD_INTS, BAD_NAMES, BROKEN_JSON, between, chance, deepJson, hugeArrayJson, pick } from "./payloads.js";

const statusKinds = resourceTypes.filter((t) => t.subresources.some((s) => s.name === "status"));
const scaleKinds = resourceTypes.filter((t) => t.subresources.some((s) => s.name === "scale"));

function subresources(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  const pods = typeOf("pods");
  const basePods = t.baseNames.pods;
  const podTarget = () => (chance(r, 0.5) ? { ns: t.baseNamespace, name: pick(r, basePods) } : { ns: t.scratchNamespace, name: `fz-s-${between(r, 0, 5)}` });
  for (let i = 0; i < count; i++) {
    const kind = pick(r, ["status", "status", "scale", "scale", "eviction", "binding", "log", "log", "unknown"]);
    if (kind === "status") {
      const rt = pick(r, statusKinds);
      const base = t.baseNames[rt.resource] ?? [];
      const name = base.length && chance(r, 0.5) ? pick(r, base) : `fz-s-${between(r, 0, 5)}`;
      const path = resourcePath(rt, base.includes(name) ? t.baseNamespace : t.scratchNamespace, name, "status");
      const method = pick(r, ["GET", "PUT", "PATCH", "POST", "DELETE"]);
      if (method === "GET") ctx.add({ category: "subresources", method, path, label: "get status", expect: "any" });
      else if (method === "PUT") {
        const broken = chance(r, 0.3);
        const body = broken ? pick(r, BROKEN_JSON.filter((b) => b.trim())) : JSON.stringify(mutate(r, { ...validObject(rt.resource, name), status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], replicas: 1 } }, between(r, 1, 2)));
        ctx.add({ category: "subresources", method, path, headers: JSON_CT, body: () => body, label: broken ? `status PUT ${JSON.stringify(body)}` : "status PUT mutated", expect: broken ? "reject" : "any" });
      } else if (method === "PATCH") {
        const ct = pick(r, ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml"]);
        const body = pick(r, ['{"status":5}', '{"status":{"conditions":"x"}}', '{"status":{"phase":{}}}', '[{"op":"replace","path":"/status","value":[]}]', '{"status":null}', '{"status":{"replicas":-5}}', deepJson(50, "object")]);
        ctx.add({ category: "subresources", method, path: path + (ct.includes("apply") ? "?fieldManager=fuzz" : ""), headers: { "content-type": ct }, body: () => body, label: `status ${ct} ${body.slice(0, 40)}`, expect: "any" });
      } else ctx.add({ category: "subresources", method, path, headers: JSON_CT, body: () => "{}", label: `status ${method}`, expect: "reject" });
    } else if (kind === "scale") {
      const rt = chance(r, 0.85) ? pick(r, scaleKinds) : anyType(r);
      const hasScale = scaleKinds.includes(rt);
      const base = t.baseNames[rt.resource] ?? [];
      const name = base.length && chance(r, 0.6) ? pick(r, base) : `fz-s-${between(r, 0, 5)}`;
      const path = resourcePath(rt, base.includes(name) ? t.baseNamespace : t.scratchNamespace, name, "scale");
      const replicas = pick(r, [-1, "x", 1e308, 2.5, null, {}, [], "3", 2 ** 31, -0]);
      const method = pick(r, ["GET", "PUT", "PATCH", "PATCH", "POST", "DELETE"]);
      const bad = typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0 || replicas >= 2 ** 31;
      if (method === "GET") ctx.add({ category: "subresources", method, path, label: "get scale", expect: hasScale ? "any" : "reject" });
      else if (method === "PUT") {
        const body = pick(r, [
          { body: { kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name }, spec: { replicas } }, reject: bad },
          { body: { kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name, resourceVersion: "garbage" }, spec: { replicas: 1 } }, reject: true },
          { body: { spec: "x" }, reject: true },
          { body: { metadata: 5, spec: { replicas: 1 } }, reject: false },
        ]);
        // kubectl scale --current-replicas PUTs with no Content-Type; bytes keep fetch from labelling the body text/plain.
        const bare = chance(r, 0.3);
        const text = JSON.stringify(body.body);
        ctx.add({ category: "subresources", method, path, headers: bare ? {} : JSON_CT, body: () => (bare ? new TextEncoder().encode(text) : text), label: `scale PUT${bare ? " without Content-Type" : ""} ${text.slice(0, 80)}`, expect: body.reject || !hasScale ? "reject" : "any" });
      } else if (method === "PATCH") {
        const ct = pick(r, ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json"]);
        const body = ct.includes("json-patch") ? JSON.stringify([{ op: "replace", path: "/spec/replicas", value: replicas }]) : JSON.stringify({ spec: { replicas } });
        // A merge patch of null removes replicas, which then reads as 0.
        const reject = !hasScale || (bad && !(replicas === null && !ct.includes("json-patch")));
        ctx.add({ category: "subresources", method, path, headers: { "content-type": ct }, body: () => body, label: `scale ${ct} ${body}`, expect: reject ? "reject" : "any" });
      } else ctx.add({ category: "subresources", method, path, headers: JSON_CT, body: () => "{}", label: `scale ${method}`, expect: "reject" });
    } else if (kind === "eviction") {
      const { ns, name } = podTarget();
      const body = pick(r, [
        { body: "{", expect: "reject" },
        { body: '{"kind":"Pod"}', expect: "reject" },
        { body: '{"deleteOptions":"x"}', expect: "reject" },
        { body: '{"deleteOptions":{"gracePeriodSeconds":"x"}}', expect: "reject" },
        { body: '{"deleteOptions":{"propagationPolicy":"Sideways"}}', expect: "reject" },
        { body: '{"deleteOptions":{"gracePeriodSeconds":9000000000000000}}', expect: "any" },
        { body: '{"deleteOptions":{"preconditions":{"uid":"not-it"}}}', expect: "reject" },
        { body: JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name } }), expect: "any" },
        { body: "[]", expect: "reject" },
      ] as const);
      const method = chance(r, 0.85) ? "POST" : pick(r, ["GET", "PUT", "DELETE"]);
      ctx.add({ category: "subresources", method, path: resourcePath(pods, ns, name, "eviction"), headers: JSON_CT, body: method === "GET" ? undefined : () => body.body, label: `eviction ${body.body.slice(0, 60)}`, expect: method === "POST" ? body.expect : "reject" });
    } else if (kind === "binding") {
      const { ns, name } = podTarget();
      const body = pick(r, [
        { body: '{"target":5}', expect: "reject" },
        { body: '{"target":{"name":{}}}', expect: "reject" },
        { body: '{"target":{"name":""}}', expect: "reject" },
        { body: '{"target":{"kind":"Node"}}', expect: "reject" },
        { body: "{", expect: "reject" },
        { body: '{"target":{"name":"UPPER_bad"}}', expect: "any" },
        { body: '{"target":{"kind":"Node","name":"fz-nowhere"}}', expect: "any" },
      ] as const);
      // Baseline pods are bound already: a binding must fail there.
      const expect = ns === t.baseNamespace ? "reject" : body.expect;
      ctx.add({ category: "subresources", method: "POST", path: resourcePath(pods, ns, name, "binding"), headers: JSON_CT, body: () => body.body, label: `binding ${body.body}`, expect });
    } else if (kind === "log") {
      // A valid log request to a bound pod would wait for its agent: every case here carries an invalid parameter or names no pod.
      const absent = chance(r, 0.3);
      const name = absent ? `fz-absent-${i}` : pick(r, basePods);
      const params: [string, string][] = [
        pick(r, [
          ["container", pick(r, ["nope", "", "\u0000", "../c"])],
          ["tailLines", pick(r, BAD_INTS.filter((v) => !/^\d+$/.test(v)))],
          ["sinceSeconds", pick(r, ["abc", "-5", "1.5"])],
          ["limitBytes", pick(r, ["x", "-1", " 1"])],
          ["sinceTime", pick(r, ["yesterday", "2024-13-45T99:99:99Z", "\u0000"])],
        ] as [string, string][]),
      ];
      if (params[0][0] === "container" && params[0][1] === "") params[0] = ["container", "missing"];
      ctx.add({ category: "subresources", method: "GET", path: resourcePath(pods, t.baseNamespace, name, "log") + q([...params, ["follow", pick(r, ["true", "false", "garbage"])]]), label: `log ${params[0][0]}=${JSON.stringify(params[0][1])}${absent ? " (no such pod)" : ""}`, expect: "reject", stream: true });
    } else {
      const rt = anyType(r);
      const sub = pick(r, ["exec", "attach", "portforward", "proxy", "ephemeralcontainers", "resize", "finalize", "approval", "status/extra", "scale/x", "", "..", "%2e%2e", "log%2F..", "STATUS"]);
      const method = pick(r, ["GET", "POST", "PUT", "PATCH", "DELETE"]);
      const has = rt.subresources.some((s) => s.name === sub);
      ctx.add({ category: "subresources", method, path: resourcePath(rt, t.baseNamespace, (t.baseNames[rt.resource] ?? ["fz-s-0"])[0]) + `/${sub}`, headers: JSON_CT, body: method === "GET" ? undefined : () => "{}", label: `subresource ${JSON.stringify(sub)}`, expect: has ? "any" : sub === "" || sub === ".." || sub === "%2e%2e" ? "any" : "reject" });
    }
  }
}

function agentEndpoints(ctx: GenContext, count: number): void {
  const { r, t } = ctx;
  const nodes = ["fz-agent-node", ...BAD_NAMES.filter((n) => n !== "" && n !== "." && n !== ".."), "n".repeat(5000)];
  const node = () => encodeURIComponent(pick(r, nodes));
  for (let i = 0; i < count; i++) {
    const what = pick(r, ["desired", "desired", "podstatus", "podstatus", "podstatus", "streams", "streams", "wrong"]);
    if (what === "desired") {
      // An unknown node is at version "0": asking with that version waits, so it only goes with timeoutSeconds=0 or garbage.
      const version = pick(r, ["0", "0", "", "abc", "-1", "99999999999999999999", "\u0000"]);
      const timeout = version === "0" ? pick(r, ["0", ...BAD_INTS.filter((v) => !/^\d+$/.test(v) || v === "1e10")]) : pick(r, ["0", "1", "55", "9999", ...BAD_INTS]);
      const valid = /^\d+$/.test(timeout);
      ctx.add({ category: "agent-endpoints", method: "GET", path: `/kubeflare/v1/nodes/${node()}/desired` + q([["version", version], ["timeoutSeconds", timeout]]), label: `desired version=${JSON.stringify(version)} timeoutSeconds=${JSON.stringify(timeout)}`, expect: valid ? "any" : "reject" });
    } else if (what === "podstatus") {
      const item = () => ({ namespace: pick(r, [t.baseNamespace, t.scratchNamespace, ...BAD_NAMES]), name: pick(r, [...t.baseNames.pods, "fz-s-0", ...BAD_NAMES]), uid: pick(r, [undefined, "x", 5]), status: pick(r, [{ phase: "Failed" }, "x", 5, null, {}, { conditions: "x" }, { containerStatuses: [{}] }]) });
      const body = pick(r, [
        { body: () => pick(r, BROKEN_JSON), expect: "reject" as const, label: "broken JSON" },
        { body: () => "{}", expect: "reject" as const, label: "no items" },
        { body: () => '{"items":"x"}', expect: "reject" as const, label: "items string" },
        { body: () => '{"items":[5]}', expect: "reject" as const, label: "items [5]" },
        { body: () => '{"items":[null]}', expect: "reject" as const, label: "items [null]" },
        { body: () => '{"items":[{"namespace":5,"name":"x"}]}', expect: "reject" as const, label: "namespace 5" },
        { body: () => JSON.stringify({ items: Array.from({ length: between(r, 1, 20) }, item) }), expect: "any" as const, label: "garbage items" },
        { body: () => `{"items":${hugeArrayJson('{"namespace":"fz-scratch","name":"x","status":{}}')}}`, expect: "reject" as const, label: "100k items" },
        { body: () => `{"items":[{"namespace":"fz-scratch","name":"x","status":${deepJson(10_000, "object")}}]}`, expect: "reject" as const, label: "10k-deep status" },
      ]);
      const ct = chance(r, 0.9) ? "application/json" : pick(r, ["text/plain", "application/yaml", "application/vnd.kubernetes.protobuf"]);
      const expect = ct === "application/json" || ct === "application/yaml" ? body.expect : "reject";
      const text = body.body();
      ctx.add({ category: "agent-endpoints", method: "POST", path: `/kubeflare/v1/nodes/${node()}/podstatus`, headers: { "content-type": ct }, body: () => text, label: `podstatus ${body.label} as ${ct}`, expect });
    } else if (what === "streams") {
      const id = encodeURIComponent(pick(r, ["00000000-0000-0000-0000-000000000000", ...BAD_NAMES.filter((n) => n !== "" && n !== "." && n !== "..")]));
      const json = chance(r, 0.5);
      const body = json ? pick(r, [...BROKEN_JSON.filter((b) => b.trim()), '{"kind":"Status","code":404}', '{"code":"x"}']) : pick(r, ["log line\n", "\u0000\u0001\u0002", "x".repeat(100_000)]);
      ctx.add({ category: "agent-endpoints", method: "POST", path: `/kubeflare/v1/nodes/${node()}/streams/${id}`, headers: { "content-type": json ? "application/json" : "text/plain" }, body: () => body, label: `stream upload ${json ? "JSON" : "text"} ${JSON.stringify(body.slice(0, 30))}`, expect: "reject" });
    } else {
      const path = pick(r, [`/kubeflare/v1/nodes/${node()}/desired`, `/kubeflare/v1/nodes/${node()}/podstatus`, `/kubeflare/v1/nodes/${node()}/streams/x`, `/kubeflare/v1/nodes/${node()}`, "/kubeflare/v1/nodes", `/kubeflare/v1/nodes/${node()}/exec`, "/kubeflare/v2/nodes/x/desired"]);
      const method = path.endsWith("/desired") ? pick(r, ["POST", "PUT", "DELETE", "PATCH"]) : path.includes("/podstatus") || path.includes("/streams/") ? pick(r, ["GET", "PUT", "DELETE"]) : pick(r, ["GET", "POST"]);
      ctx.add({ category: "agent-endpoints", method, path, headers: JSON_CT, body: method === "GET" ? undefined : () => "{}", label: `${method} on ${path.split("/").slice(-1)[0]}`, expect: "reject" });
    }
  }
}

export function subresourceCases(ctx: GenContext): void {
  subresources(ctx, 360);
  agentEndpoints(ctx, 260);
}
