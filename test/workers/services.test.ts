/**
 * Services across namespace stores: cluster IPs and node ports come from one
 * ledger in the cluster store (unique across namespaces, also under
 * concurrent creates), refused requests are 422s naming the field, and
 * deletes (also by namespace deletion) give them back.
 */
import { describe, expect, it } from "vitest";
import { call, createNode, mergePatch, settle } from "./helpers.js";

async function namespace(name: string) {
  const r = await call("POST", "/api/v1/namespaces", { metadata: { name } });
  expect(r.status).toBe(201);
}

const svc = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

const createSvc = (ns: string, body: unknown) => call("POST", `/api/v1/namespaces/${ns}/services`, body);

describe("service cluster IPs and node ports", () => {
  it("allocates distinct cluster IPs across namespaces, mirrors clusterIPs, and refuses a taken or out-of-range one", async () => {
    await namespace("alloc-a");
    await namespace("alloc-b");
    const a = await createSvc("alloc-a", svc("web"));
    const b = await createSvc("alloc-b", svc("web"));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    for (const s of [a.body, b.body]) {
      expect(s.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
      expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
      expect(s.spec.clusterIP).not.toBe("10.96.0.1");
      expect(s.spec.clusterIP).not.toBe("10.96.0.10");
    }
    expect(a.body.spec.clusterIP).not.toBe(b.body.spec.clusterIP);

    const taken = await createSvc("alloc-b", svc("copy", { clusterIP: a.body.spec.clusterIP }));
    expect(taken.status).toBe(422);
    expect(taken.body.details.causes[0].field).toBe("spec.clusterIPs");
    expect(taken.body.message).toContain("provided IP is already allocated");

    const outside = await createSvc("alloc-b", svc("outside", { clusterIP: "192.168.1.1" }));
    expect(outside.status).toBe(422);
    expect(outside.body.message).toContain("is not in the valid range. The range of valid IPs is 10.96.0.0/12");

    const chosen = await createSvc("alloc-b", svc("chosen", { clusterIP: "10.96.7.7" }));
    expect(chosen.status).toBe(201);
    expect(chosen.body.spec.clusterIPs).toEqual(["10.96.7.7"]);

    // Immutable on update; an update that omits it keeps it.
    const change = await call("PATCH", "/api/v1/namespaces/alloc-b/services/chosen", { spec: { clusterIP: "10.96.7.8" } }, mergePatch);
    expect(change.status).toBe(422);
    expect(change.body.message).toContain("spec.clusterIP: Invalid value: \"10.96.7.8\": field is immutable");
    const { clusterIP: _ip, clusterIPs: _ips, ...rest } = chosen.body.spec;
    const replaced = await call("PUT", "/api/v1/namespaces/alloc-b/services/chosen", { ...chosen.body, spec: rest });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec.clusterIP).toBe("10.96.7.7");
  });

  it("headless and ExternalName Services get no address; externalName is validated", async () => {
    await namespace("alloc-h");
    const headless = await createSvc("alloc-h", svc("db", { clusterIP: "None" }));
    expect(headless.status).toBe(201);
    expect(headless.body.spec.clusterIPs).toEqual(["None"]);
    const ext = await createSvc("alloc-h", { metadata: { name: "ext" }, spec: { type: "ExternalName", externalName: "example.com" } });
    expect(ext.status).toBe(201);
    expect(ext.body.spec.clusterIP).toBeUndefined();
    const bad = await createSvc("alloc-h", { metadata: { name: "bad" }, spec: { type: "ExternalName", externalName: "Not_A_Name" } });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe("spec.externalName");
    const headlessNodePort = await createSvc("alloc-h", svc("hnp", { type: "NodePort", clusterIP: "None" }));
    expect(headlessNodePort.status).toBe(422);
    expect(headlessNodePort.body.message).toContain("may not be set to 'None' for NodePort services");
  });

  it("defaults session affinity and traffic policies as upstream", async () => {
    await namespace("alloc-d");
    const r = await createSvc("alloc-d", svc("sticky", { type: "NodePort", sessionAffinity: "ClientIP" }));
    expect(r.status).toBe(201);
    expect(r.body.spec).toMatchObject({
      sessionAffinity: "ClientIP",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      externalTrafficPolicy: "Cluster",
      internalTrafficPolicy: "Cluster",
    });
    const plain = await createSvc("alloc-d", svc("plain"));
    expect(plain.body.spec.sessionAffinity).toBe("None");
    expect(plain.body.spec.externalTrafficPolicy).toBeUndefined();
    const badTimeout = await createSvc("alloc-d", svc("bad", { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } }));
    expect(badTimeout.status).toBe(422);
    expect(badTimeout.body.details.causes[0].field).toBe("spec.sessionAffinityConfig.clientIP.timeoutSeconds");
  });

  it("node ports: allocated per port, unique across namespaces, 422 on a taken or out-of-range one, released on type change and delete", async () => {
    await namespace("np-a");
    await namespace("np-b");
    const a = await createSvc("np-a", svc("web", { type: "NodePort", ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] }));
    expect(a.status).toBe(201);
    const [p1, p2] = a.body.spec.ports.map((p: any) => p.nodePort);
    for (const p of [p1, p2]) expect(p).toBeGreaterThanOrEqual(30000), expect(p).toBeLessThanOrEqual(32767);
    expect(p1).not.toBe(p2);

    const taken = await createSvc("np-b", svc("web", { type: "NodePort", ports: [{ port: 80, nodePort: p1 }] }));
    expect(taken.status).toBe(422);
    expect(taken.body.details.causes[0]).toMatchObject({ field: "spec.ports[0].nodePort" });
    expect(taken.body.message).toContain(`spec.ports[0].nodePort: Invalid value: ${p1}: provided port is already allocated`);
    const outside = await createSvc("np-b", svc("web", { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] }));
    expect(outside.status).toBe(422);
    expect(outside.body.message).toContain("provided port is not in the valid range. The range of valid ports is 30000-32767");

    // Back to ClusterIP: the node ports are released (the manifest still carries them, as `kubectl apply` would).
    const back = await call("PATCH", "/api/v1/namespaces/np-a/services/web", { spec: { type: "ClusterIP" } }, mergePatch);
    expect(back.status).toBe(200);
    expect(back.body.spec.ports.map((p: any) => p.nodePort)).toEqual([undefined, undefined]);
    expect(back.body.spec.externalTrafficPolicy).toBeUndefined();
    expect(back.body.spec.clusterIP).toBe(a.body.spec.clusterIP);
    const reuse = await createSvc("np-b", svc("web", { type: "NodePort", ports: [{ port: 80, nodePort: p1 }] }));
    expect(reuse.status).toBe(201);

    // Deleting the Service gives its cluster IP and node port back.
    const del = await call("DELETE", "/api/v1/namespaces/np-b/services/web");
    expect(del.status).toBe(200);
    await settle(["np-b"]);
    const again = await createSvc("np-a", svc("again", { type: "NodePort", clusterIP: reuse.body.spec.clusterIP, ports: [{ port: 80, nodePort: p1 }] }));
    expect(again.status).toBe(201);
  });

  it("a dry-run create shows what would be allocated and keeps nothing", async () => {
    await namespace("np-dry");
    const dry = await call("POST", "/api/v1/namespaces/np-dry/services?dryRun=All", svc("web", { type: "NodePort", ports: [{ port: 80, nodePort: 30999 }] }));
    expect(dry.status).toBe(201);
    expect(dry.body.spec.clusterIP).toBeTruthy();
    const real = await createSvc("np-dry", svc("web2", { type: "NodePort", ports: [{ port: 80, nodePort: 30999 }] }));
    expect(real.status).toBe(201);
  });

  it("20 concurrent creates in different namespaces get distinct cluster IPs and node ports", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    for (const ns of names) await namespace(ns);
    const results = await Promise.all(names.map((ns) => createSvc(ns, svc("web", { type: "NodePort" }))));
    expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
    const ips = new Set(results.map((r) => r.body.spec.clusterIP));
    const ports = new Set(results.map((r) => r.body.spec.ports[0].nodePort));
    expect(ips.size).toBe(20);
    expect(ports.size).toBe(20);
  });

  it("deleting a namespace releases what its Services held", async () => {
    await namespace("gone-ns");
    const s = await createSvc("gone-ns", svc("web", { type: "NodePort", clusterIP: "10.96.9.9", ports: [{ port: 80, nodePort: 31999 }] }));
    expect(s.status).toBe(201);
    await namespace("next-ns");
    const blocked = await createSvc("next-ns", svc("web", { type: "NodePort", clusterIP: "10.96.9.9", ports: [{ port: 80, nodePort: 31999 }] }));
    expect(blocked.status).toBe(422);
    expect((await call("DELETE", "/api/v1/namespaces/gone-ns")).status).toBeLessThan(300);
    for (let i = 0; i < 10 && (await call("GET", "/api/v1/namespaces/gone-ns")).status !== 404; i++) await settle(["gone-ns"]);
    expect((await call("GET", "/api/v1/namespaces/gone-ns")).status).toBe(404);
    const reused = await createSvc("next-ns", svc("web", { type: "NodePort", clusterIP: "10.96.9.9", ports: [{ port: 80, nodePort: 31999 }] }));
    expect(reused.status).toBe(201);
  });
});

describe("LoadBalancer and Ingress status", () => {
  it("a LoadBalancer Service lists the Ready nodes' InternalIPs, and follows nodes going away", async () => {
    await namespace("lb-ns");
    const r = await createSvc("lb-ns", svc("web", { type: "LoadBalancer" }));
    expect(r.status).toBe(201);
    expect(r.body.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(r.body.spec.allocateLoadBalancerNodePorts).toBe(true);
    await createNode("lb-node-1");
    await setAddress("lb-node-1", "192.168.50.11");
    await createNode("lb-node-2");
    await setAddress("lb-node-2", "192.168.50.12");
    await settle(["lb-ns"]);
    let s = (await call("GET", "/api/v1/namespaces/lb-ns/services/web")).body;
    expect(s.status.loadBalancer.ingress).toEqual([{ ip: "192.168.50.11" }, { ip: "192.168.50.12" }]);
    expect((await call("DELETE", "/api/v1/nodes/lb-node-2")).status).toBe(200);
    await settle(["lb-ns"]);
    s = (await call("GET", "/api/v1/namespaces/lb-ns/services/web")).body;
    expect(s.status.loadBalancer.ingress).toEqual([{ ip: "192.168.50.11" }]);
    // No longer a LoadBalancer: the status goes.
    await call("PATCH", "/api/v1/namespaces/lb-ns/services/web", { spec: { type: "ClusterIP" } }, mergePatch);
    await settle(["lb-ns"]);
    s = (await call("GET", "/api/v1/namespaces/lb-ns/services/web")).body;
    expect(s.status.loadBalancer).toEqual({});
    await call("DELETE", "/api/v1/nodes/lb-node-1");
  });

  it("the default IngressClass is ours; an Ingress without a class gets it, its status and a BackendNotFound event", async () => {
    const cls = await call("GET", "/apis/networking.k8s.io/v1/ingressclasses/kubeflare");
    expect(cls.status).toBe(200);
    expect(cls.body.spec.controller).toBe("kubeflare.io/ingress");
    expect(cls.body.metadata.annotations["ingressclass.kubernetes.io/is-default-class"]).toBe("true");

    await namespace("ing-ns");
    await createNode("ing-node");
    await setAddress("ing-node", "192.168.60.1");
    await createSvc("ing-ns", svc("web"));
    const ing = await call("POST", "/apis/networking.k8s.io/v1/namespaces/ing-ns/ingresses", {
      metadata: { name: "site" },
      spec: {
        rules: [
          {
            host: "site.example.com",
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } },
                { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } },
              ],
            },
          },
        ],
      },
    });
    expect(ing.status).toBe(201);
    expect(ing.body.spec.ingressClassName).toBe("kubeflare");
    await settle(["ing-ns"]);
    const got = (await call("GET", "/apis/networking.k8s.io/v1/namespaces/ing-ns/ingresses/site")).body;
    expect(got.status.loadBalancer.ingress).toEqual([{ ip: "192.168.60.1" }]);
    const events = (await call("GET", "/api/v1/namespaces/ing-ns/events")).body.items;
    const warning = events.find((e: any) => e.reason === "BackendNotFound");
    expect(warning).toMatchObject({ type: "Warning", involvedObject: { kind: "Ingress", name: "site" } });
    expect(warning.message).toBe('service "ing-ns/api" not found');

    // Another class is not ours: no status.
    await call("POST", "/apis/networking.k8s.io/v1/namespaces/ing-ns/ingresses", {
      metadata: { name: "theirs" },
      spec: { ingressClassName: "nginx", defaultBackend: { service: { name: "web", port: { number: 80 } } } },
    });
    await settle(["ing-ns"]);
    const theirs = (await call("GET", "/apis/networking.k8s.io/v1/namespaces/ing-ns/ingresses/theirs")).body;
    expect(theirs.status?.loadBalancer?.ingress).toBeUndefined();
    await call("DELETE", "/api/v1/nodes/ing-node");
  });

  it("Ingress validation: pathType, backend port name or number, absolute paths", async () => {
    await namespace("ing-val");
    const post = (paths: unknown[]) =>
      call("POST", "/apis/networking.k8s.io/v1/namespaces/ing-val/ingresses", { metadata: { name: "bad" }, spec: { rules: [{ http: { paths } }] } });
    const both = await post([{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { name: "http", number: 80 } } } }]);
    expect(both.status).toBe(422);
    expect(both.body.details.causes[0].field).toBe("spec.rules[0].http.paths[0].backend.service.port");
    const relative = await post([{ path: "api", pathType: "Exact", backend: { service: { name: "web", port: { number: 80 } } } }]);
    expect(relative.status).toBe(422);
    expect(relative.body.details.causes[0].field).toBe("spec.rules[0].http.paths[0].path");
    const noType = await post([{ path: "/", backend: { service: { name: "web", port: { number: 80 } } } }]);
    expect(noType.status).toBe(422);
    expect(noType.body.message).toContain("spec.rules[0].http.paths[0].pathType");
    const noPort = await post([{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }]);
    expect(noPort.status).toBe(422);
    expect(noPort.body.message).toContain("port name or number is required");
  });
});

/** Gives a node the InternalIP the tests look for (createNode's default is shared by every node). */
async function setAddress(node: string, ip: string) {
  const n = (await call("GET", `/api/v1/nodes/${node}`)).body;
  n.status.addresses = [{ type: "InternalIP", address: ip }];
  const r = await call("PUT", `/api/v1/nodes/${node}/status`, n);
  expect(r.status).toBe(200);
}
