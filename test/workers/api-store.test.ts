/**
 * The Worker and its Durable Objects inside the Workers runtime: storage
 * semantics (versions, conflicts, graceful deletion, finalizers), watches,
 * namespace lifecycle, and the wire formats the API accepts.
 */
import { SELF, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { KUBECTL_BODIES } from "../../src/api/protobuf/testdata/kubectl-bodies.js";
import { TOKEN, call, env } from "./helpers.js";

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app: name } },
  spec: { containers: [{ name: "main", image: "busybox" }], ...extra },
});

describe("authentication and version", () => {
  it("requires a bearer token everywhere but the health probes", async () => {
    const anon = await SELF.fetch("https://kubeflare.test/api/v1/namespaces");
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    expect((await SELF.fetch("https://kubeflare.test/healthz")).status).toBe(200);
    const v = await call("GET", "/version");
    expect(v.body).toMatchObject({ major: "1", minor: "32" });
  });
});

describe("object metadata and versions", () => {
  it("stamps uid, resourceVersion, generation and creationTimestamp, and ignores status on create", async () => {
    const r = await call("POST", "/api/v1/namespaces/default/pods", { ...pod("meta-1"), status: { phase: "Running" } });
    expect(r.status).toBe(201);
    const m = r.body.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.resourceVersion).toMatch(/^\d+$/);
    expect(m.generation).toBe(1);
    expect(m.creationTimestamp).toMatch(/Z$/);
    expect(r.body.status.phase).toBe("Pending");
    expect(r.body.spec.restartPolicy).toBe("Always");
  });

  it("bumps generation on spec changes only and keeps status out of main-resource writes", async () => {
    const created = (await call("POST", "/apis/apps/v1/namespaces/default/deployments", {
      metadata: { name: "gen" },
      spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x" }] } } },
    })).body;
    const labelled = await call("PATCH", "/apis/apps/v1/namespaces/default/deployments/gen", { metadata: { labels: { x: "y" } } }, { "content-type": "application/merge-patch+json" });
    expect(labelled.body.metadata.generation).toBe(1);
    expect(BigInt(labelled.body.metadata.resourceVersion) > BigInt(created.metadata.resourceVersion)).toBe(true);
    const scaled = await call("PATCH", "/apis/apps/v1/namespaces/default/deployments/gen", { spec: { replicas: 5 }, status: { replicas: 99 } }, { "content-type": "application/merge-patch+json" });
    expect(scaled.body.metadata.generation).toBe(2);
    expect(scaled.body.status.replicas).toBeUndefined();
    // Status goes through /status only (a Service: no controller writes its status here).
    const svc = (await call("POST", "/api/v1/namespaces/default/services", { metadata: { name: "st" }, spec: { ports: [{ port: 80 }] } })).body;
    const lb = { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } };
    const viaMain = await call("PUT", "/api/v1/namespaces/default/services/st", { ...svc, status: lb });
    expect(viaMain.body.status.loadBalancer.ingress).toBeUndefined();
    const viaStatus = await call("PUT", "/api/v1/namespaces/default/services/st/status", { ...viaMain.body, spec: { ports: [{ port: 81 }] }, status: lb });
    expect(viaStatus.status).toBe(200);
    expect(viaStatus.body.status).toEqual(lb);
    expect(viaStatus.body.spec.ports[0].port).toBe(80);
    expect(viaStatus.body.metadata.generation).toBe(viaMain.body.metadata.generation);
  });

  it("answers a stale resourceVersion with 409 Conflict", async () => {
    const cm = (await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "occ" }, data: { a: "1" } })).body;
    const ok = await call("PUT", "/api/v1/namespaces/default/configmaps/occ", { ...cm, data: { a: "2" } });
    expect(ok.status).toBe(200);
    const stale = await call("PUT", "/api/v1/namespaces/default/configmaps/occ", { ...cm, data: { a: "3" } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: "Conflict", details: { name: "occ", kind: "configmaps" } });
    expect((await call("GET", "/api/v1/namespaces/default/configmaps/occ")).body.data.a).toBe("2");
  });

  it("serializes concurrent writers: one winner per version, and no lost merge patches", async () => {
    const cm = (await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "race" }, data: {} })).body;
    const puts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call("PUT", "/api/v1/namespaces/default/configmaps/race", { ...cm, data: { w: String(i) } })),
    );
    expect(puts.filter((r) => r.status === 200)).toHaveLength(1);
    expect(puts.filter((r) => r.status === 409)).toHaveLength(19);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call("PATCH", "/api/v1/namespaces/default/configmaps/race", { data: { [`k${i}`]: String(i) } }, { "content-type": "application/merge-patch+json" }),
      ),
    );
    const final = (await call("GET", "/api/v1/namespaces/default/configmaps/race")).body;
    expect(Object.keys(final.data).filter((k) => k.startsWith("k"))).toHaveLength(30);
  });
});

describe("deletion", () => {
  it("keeps a pod bound to a node until the node confirms, unless forced", async () => {
    await call("POST", "/api/v1/namespaces/default/pods", pod("graceful", { nodeName: "node-a" }));
    const del = await call("DELETE", "/api/v1/namespaces/default/pods/graceful", { propagationPolicy: "Background" });
    expect(del.status).toBe(202);
    expect(del.body.metadata.deletionTimestamp).toBeTruthy();
    expect(del.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await call("GET", "/api/v1/namespaces/default/pods/graceful")).status).toBe(200);
    const confirm = await call("DELETE", "/api/v1/namespaces/default/pods/graceful", { gracePeriodSeconds: 0 });
    expect(confirm.status).toBe(200);
    expect((await call("GET", "/api/v1/namespaces/default/pods/graceful")).status).toBe(404);

    await call("POST", "/api/v1/namespaces/default/pods", pod("unbound"));
    expect((await call("DELETE", "/api/v1/namespaces/default/pods/unbound")).status).toBe(200);
    expect((await call("GET", "/api/v1/namespaces/default/pods/unbound")).status).toBe(404);
  });

  it("holds objects with finalizers until they are removed, and records propagation policies as finalizers", async () => {
    await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "fin", finalizers: ["example.com/hold"] } });
    const del = await call("DELETE", "/api/v1/namespaces/default/configmaps/fin", { propagationPolicy: "Foreground" });
    expect(del.status).toBe(202);
    expect(del.body.metadata.finalizers).toEqual(["example.com/hold", "foregroundDeletion"]);
    const cleared = await call("PATCH", "/api/v1/namespaces/default/configmaps/fin", [{ op: "remove", path: "/metadata/finalizers" }], { "content-type": "application/json-patch+json" });
    expect(cleared.status).toBe(200);
    expect((await call("GET", "/api/v1/namespaces/default/configmaps/fin")).status).toBe(404);

    await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "orph" } });
    const orphan = await call("DELETE", "/api/v1/namespaces/default/configmaps/orph", { propagationPolicy: "Orphan" });
    expect(orphan.body.metadata.finalizers).toEqual(["orphan"]);
  });

  it("does not persist dry runs", async () => {
    const dry = await call("POST", "/api/v1/namespaces/default/pods?dryRun=All", pod("dry"));
    expect(dry.status).toBe(201);
    expect((await call("GET", "/api/v1/namespaces/default/pods/dry")).status).toBe(404);
    await call("POST", "/api/v1/namespaces/default/pods", pod("dry-del"));
    await call("DELETE", "/api/v1/namespaces/default/pods/dry-del?dryRun=All");
    expect((await call("GET", "/api/v1/namespaces/default/pods/dry-del")).status).toBe(200);
  });
});

describe("lists and watches", () => {
  it("pages with limit and continue, and filters by label and field selectors", async () => {
    for (let i = 0; i < 7; i++)
      await call("POST", "/api/v1/namespaces/default/pods", pod(`page-${i}`, i % 2 ? { nodeName: "node-b" } : {}));
    const names: string[] = [];
    let cont = "";
    for (let pages = 0; pages < 10; pages++) {
      const r = await call("GET", `/api/v1/namespaces/default/pods?labelSelector=app+in+(page-0,page-1,page-2,page-3,page-4,page-5,page-6)&limit=3${cont ? `&continue=${cont}` : ""}`);
      names.push(...r.body.items.map((p: any) => p.metadata.name));
      cont = r.body.metadata.continue ?? "";
      if (!cont) break;
    }
    expect(names).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6"]);
    const onNode = await call("GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dnode-b");
    expect(onNode.body.items.map((p: any) => p.metadata.name)).toEqual(["page-1", "page-3", "page-5"]);
    const bad = await call("GET", "/api/v1/namespaces/default/pods?labelSelector=app%20in%20(");
    expect(bad.status).toBe(400);
    const unsupported = await call("GET", "/api/v1/namespaces/default/pods?fieldSelector=spec.foo%3Dx");
    expect(unsupported.status).toBe(400);
  });

  it("lists across namespaces", async () => {
    await call("POST", "/api/v1/namespaces", { metadata: { name: "other" } });
    await call("POST", "/api/v1/namespaces/other/pods", pod("elsewhere"));
    const all = await call("GET", "/api/v1/pods?labelSelector=app%3Delsewhere");
    expect(all.body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(["other/elsewhere"]);
  });

  it("resumes a watch from a resourceVersion and answers 410 Gone once it is compacted", async () => {
    const list = (await call("GET", "/api/v1/namespaces/default/configmaps")).body;
    const from = list.metadata.resourceVersion;
    await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "w1" } });
    await call("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "w2" } });
    const res = await SELF.fetch(`https://kubeflare.test/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&timeoutSeconds=1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED w1", "ADDED w2"]);

    const stub = env.STORE.get(env.STORE.idFromName("ns:default"));
    await runInDurableObject(stub, (instance: unknown) => (instance as { k: { table: { compact(n: number): void } } }).k.table.compact(1));
    const gone = await call("GET", `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}`);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
  });
});

describe("namespaces", () => {
  it("refuses objects in a namespace that does not exist, and removes content when a namespace is deleted", async () => {
    const missing = await call("POST", "/api/v1/namespaces/nowhere/configmaps", { metadata: { name: "x" } });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nowhere" not found');

    await call("POST", "/api/v1/namespaces", { metadata: { name: "doomed" } });
    // A finalizer holds the namespace in Terminating until the test lets go, so the 403 below cannot race its removal.
    await call("POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "inside", finalizers: ["kubeflare.test/hold"] } });
    const del = await call("DELETE", "/api/v1/namespaces/doomed");
    expect(del.status).toBe(202);
    expect(del.body.status.phase).toBe("Terminating");
    const refused = await call("POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "late" } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("because it is being terminated");
    await call("PATCH", "/api/v1/namespaces/doomed/configmaps/inside", { metadata: { finalizers: null } }, { "content-type": "application/merge-patch+json" });
    for (let i = 0; i < 5 && (await call("GET", "/api/v1/namespaces/doomed")).status !== 404; i++)
      await runDurableObjectAlarm(env.STORE.get(env.STORE.idFromName("ns:doomed")));
    expect((await call("GET", "/api/v1/namespaces/doomed")).status).toBe(404);
    expect((await call("GET", "/api/v1/namespaces/doomed/configmaps/inside")).status).toBe(404);
  });
});

describe("request bodies and errors", () => {
  it("accepts YAML bodies and answers malformed ones with 400", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n";
    const r = await call("POST", "/api/v1/namespaces/default/configmaps", yaml, { "content-type": "application/yaml" });
    expect(r.status).toBe(201);
    expect(r.body.data.k).toBe("v");
    const broken = await call("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":", {});
    expect(broken.status).toBe(400);
    expect(broken.body.kind).toBe("Status");
    const wrongType = await call("POST", "/api/v1/namespaces/default/configmaps", "x", { "content-type": "text/csv" });
    expect(wrongType.status).toBe(415);
  });

  it("names the offending field in 422 Invalid", async () => {
    const r = await call("POST", "/api/v1/namespaces/default/pods", {
      metadata: { name: "Bad_Name" },
      spec: { containers: [{ name: "c" }] },
    });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe("Invalid");
    const fields = r.body.details.causes.map((c: any) => c.field);
    expect(fields).toEqual(expect.arrayContaining(["metadata.name", "spec.containers[0].image"]));
  });

  it("rejects oversize bodies with 413 and unknown fields under fieldValidation=Strict", async () => {
    const huge = { metadata: { name: "huge" }, data: { k: "x".repeat(4 * 1024 * 1024) } };
    expect((await call("POST", "/api/v1/namespaces/default/configmaps", huge)).status).toBe(413);
    const strict = await call("POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict", {
      ...pod("strict"),
      spec: { containers: [{ name: "c", image: "x", imagee: "typo" }] },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.containers[0].imagee"');
    const kept = await call("POST", "/api/v1/namespaces/default/pods", { ...pod("kept"), spec: { containers: [{ name: "c", image: "x", future: 1 }] } });
    expect(kept.status).toBe(201);
    expect(kept.body.spec.containers[0].future).toBe(1);
  });

  it("decodes protobuf bodies that kubectl create sends", async () => {
    const hex = KUBECTL_BODIES["api-v1-namespaces-default-configmaps.bin"];
    const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    const r = await call("POST", "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict", bytes, {
      "content-type": "application/vnd.kubernetes.protobuf",
    });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toBe("app-cfg");
    expect(r.body.data).toEqual({ key1: "val1", key2: "v2" });
  });
});
