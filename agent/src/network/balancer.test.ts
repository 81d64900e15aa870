import { describe, expect, it } from "vitest";
import type { Endpoints, Service } from "../../../src/schema/core.js";
import { affinityTimeoutMs, applyTrafficPolicy, backendsFor, Balancer, DEFAULT_AFFINITY_TIMEOUT_SECONDS, findServicePort } from "./balancer.js";

const service = (spec: NonNullable<Service["spec"]>): Service => ({ metadata: { name: "web", namespace: "default" }, spec });

const endpoints: Endpoints = {
  metadata: { name: "web", namespace: "default" },
  subsets: [
    {
      addresses: [
        { ip: "172.17.0.2", nodeName: "a" },
        { ip: "172.17.0.3", nodeName: "b" },
      ],
      notReadyAddresses: [{ ip: "172.17.0.9", nodeName: "a" }],
      ports: [
        { name: "http", port: 8080, protocol: "TCP" },
        { name: "metrics", port: 9090, protocol: "TCP" },
      ],
    },
    { addresses: [{ ip: "172.17.0.4", nodeName: "b" }], ports: [{ name: "http", port: 8081 }] },
  ],
};

describe("backendsFor", () => {
  it("pairs the Service port with Endpoints ports by name and keeps only ready addresses", () => {
    expect(backendsFor(endpoints, { name: "http", port: 80 })).toEqual([
      { ip: "172.17.0.2", port: 8080, nodeName: "a" },
      { ip: "172.17.0.3", port: 8080, nodeName: "b" },
      { ip: "172.17.0.4", port: 8081, nodeName: "b" },
    ]);
    expect(backendsFor(endpoints, { name: "metrics", port: 9090 }).map((b) => b.port)).toEqual([9090, 9090]);
  });

  it("matches an unnamed single port, and finds nothing for a missing name, protocol or Endpoints", () => {
    const single: Endpoints = { metadata: { name: "x" }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] };
    expect(backendsFor(single, { port: 8080 })).toEqual([{ ip: "10.0.0.1", port: 80 }]);
    expect(backendsFor(single, { port: 8080, protocol: "UDP" })).toEqual([]);
    expect(backendsFor(endpoints, { name: "admin", port: 1 })).toEqual([]);
    expect(backendsFor(undefined, { port: 80 })).toEqual([]);
  });
});

describe("findServicePort", () => {
  const svc = service({ ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }] });
  it("finds by the Service's port number or by name", () => {
    expect(findServicePort(svc, 443)?.name).toBe("https");
    expect(findServicePort(svc, "http")?.port).toBe(80);
    expect(findServicePort(svc, 8080)).toBeUndefined();
  });
});

describe("applyTrafficPolicy", () => {
  const all = backendsFor(endpoints, { name: "http", port: 80 });
  it("internalTrafficPolicy Local keeps ClusterIP traffic on this node", () => {
    const local = service({ type: "ClusterIP", internalTrafficPolicy: "Local" });
    expect(applyTrafficPolicy(all, local, "internal", "a").map((b) => b.ip)).toEqual(["172.17.0.2"]);
    expect(applyTrafficPolicy(all, local, "internal", "c")).toEqual([]);
  });

  it("externalTrafficPolicy Local applies to NodePort traffic only, not to the ClusterIP", () => {
    const np = service({ type: "NodePort", externalTrafficPolicy: "Local" });
    expect(applyTrafficPolicy(all, np, "external", "b").map((b) => b.ip)).toEqual(["172.17.0.3", "172.17.0.4"]);
    expect(applyTrafficPolicy(all, np, "internal", "b")).toHaveLength(3);
  });

  it("Cluster (the default) uses every ready endpoint", () => {
    expect(applyTrafficPolicy(all, service({ type: "LoadBalancer" }), "external", "a")).toHaveLength(3);
  });
});

describe("Balancer", () => {
  const backends = [
    { ip: "10.0.0.1", port: 80 },
    { ip: "10.0.0.2", port: 80 },
    { ip: "10.0.0.3", port: 80 },
  ];

  it("spreads connections round robin and lists the others for failover", () => {
    const balancer = new Balancer();
    const firsts = Array.from({ length: 6 }, () => balancer.order("k", backends)[0].ip);
    expect(firsts).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(balancer.order("k", backends).map((b) => b.ip)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(balancer.order("k", [])).toEqual([]);
  });

  it("keeps a client on the endpoint that served it until the affinity expires", () => {
    let now = 0;
    const balancer = new Balancer(() => now);
    const first = balancer.order("k", backends, "192.168.1.5", 1000)[0];
    balancer.served("k", first, "192.168.1.5", 1000);
    for (let i = 0; i < 5; i++) expect(balancer.order("k", backends, "192.168.1.5", 1000)[0]).toEqual(first);
    // Another client still rotates.
    expect(balancer.order("k", backends, "192.168.1.6", 1000)[0]).not.toEqual(first);
    now = 1001;
    const after = new Set(Array.from({ length: 3 }, () => balancer.order("k", backends, "192.168.1.5", 1000)[0].ip));
    expect(after.size).toBe(3);
  });

  it("moves a sticky client when its endpoint is no longer ready", () => {
    const balancer = new Balancer(() => 0);
    balancer.served("k", backends[1], "c", 1000);
    expect(balancer.order("k", [backends[0], backends[2]], "c", 1000)).toHaveLength(2);
    expect(balancer.order("k", [backends[0], backends[2]], "c", 1000)[0]).not.toEqual(backends[1]);
  });

  it("forgets state of Service ports that are gone", () => {
    const balancer = new Balancer(() => 0);
    balancer.served("k", backends[2], "c", 1000);
    balancer.retain(new Set());
    expect(balancer.order("k", backends, "c", 1000)[0]).toEqual(backends[0]);
  });
});

describe("affinityTimeoutMs", () => {
  it("is off unless sessionAffinity is ClientIP, with Kubernetes' default timeout", () => {
    expect(affinityTimeoutMs(service({}))).toBeUndefined();
    expect(affinityTimeoutMs(service({ sessionAffinity: "ClientIP" }))).toBe(DEFAULT_AFFINITY_TIMEOUT_SECONDS * 1000);
    expect(affinityTimeoutMs(service({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }))).toBe(60_000);
  });
});
