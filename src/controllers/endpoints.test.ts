import { describe, expect, it } from "vitest";
import type { Endpoints, Pod, Service } from "../schema/core.js";
import type { EndpointSlice } from "../schema/networking.js";
import { reconcileEndpoints } from "./endpoints.js";
import { testPod, type PodOptions } from "./testing/nodes.js";
import type { Action, ReconcileResult } from "./types.js";

function service(spec: Partial<NonNullable<Service["spec"]>> = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", uid: "svc-uid", labels: { tier: "front" } },
    spec: {
      selector: { app: "web" },
      clusterIP: "10.96.0.10",
      ports: [
        { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
        { name: "metrics", port: 9090, targetPort: 9090, protocol: "TCP" },
      ],
      ...spec,
    },
  };
}

/** A web pod with a named `http` port on 8080 (or `portName`), bound to n1. */
function webPod(name: string, ip: string | undefined, o: PodOptions & { portName?: string } = {}): Pod {
  return testPod(name, {
    nodeName: "n1",
    labels: { app: "web" },
    podIP: ip,
    ready: true,
    containers: [{ name: "web", image: "web:1", ports: [{ name: o.portName ?? "http", containerPort: 8080 }] }],
    ...o,
  });
}

const ofResource = (r: ReconcileResult, resource: string) =>
  r.actions.filter((a): a is Extract<Action, { object: unknown }> => "object" in a && a.resource === resource);
const endpointsOf = (r: ReconcileResult) => ofResource(r, "endpoints")[0]?.object as Endpoints | undefined;
const slicesOf = (r: ReconcileResult) => ofResource(r, "endpointslices").map((a) => a.object as EndpointSlice);
const addr = (name: string, ip: string) => ({
  ip,
  nodeName: "n1",
  targetRef: { kind: "Pod", namespace: "default", name, uid: `pod-uid-${name}` },
});

const pods = [
  webPod("web-1", "10.1.0.1"),
  webPod("web-2", "10.1.0.2", { ready: false }),
  webPod("web-3", "10.1.0.3", { portName: "web" }),
  webPod("web-4", undefined),
  webPod("web-5", "10.1.0.5", { deleting: true }),
  webPod("web-6", "10.1.0.6", { phase: "Failed" }),
  testPod("db-1", { nodeName: "n1", labels: { app: "db" }, podIP: "10.1.0.9", ready: true }),
];

describe("Endpoints", () => {
  it("resolves named target ports per pod, separates not-ready addresses and drops terminating pods", () => {
    const r = reconcileEndpoints(service(), pods, undefined, []);
    expect(ofResource(r, "endpoints")[0].type).toBe("create");
    expect(endpointsOf(r)).toEqual({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: {
        name: "web",
        namespace: "default",
        labels: { tier: "front", "endpointslice.kubernetes.io/skip-mirror": "true" },
      },
      subsets: [
        {
          addresses: [addr("web-1", "10.1.0.1")],
          notReadyAddresses: [addr("web-2", "10.1.0.2")],
          ports: [{ name: "http", port: 8080, protocol: "TCP" }],
        },
        {
          addresses: [addr("web-1", "10.1.0.1"), addr("web-3", "10.1.0.3")],
          notReadyAddresses: [addr("web-2", "10.1.0.2")],
          ports: [{ name: "metrics", port: 9090, protocol: "TCP" }],
        },
      ],
    });
  });

  it("merges ports served by the same addresses into one subset", () => {
    const r = reconcileEndpoints(service(), [webPod("web-1", "10.1.0.1")], undefined, []);
    expect(endpointsOf(r)!.subsets).toEqual([
      {
        addresses: [addr("web-1", "10.1.0.1")],
        ports: [
          { name: "http", port: 8080, protocol: "TCP" },
          { name: "metrics", port: 9090, protocol: "TCP" },
        ],
      },
    ]);
  });

  it("publishes not-ready and terminating pods as ready with publishNotReadyAddresses", () => {
    const r = reconcileEndpoints(service({ publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8080 }] }), pods, undefined, []);
    expect(endpointsOf(r)!.subsets).toEqual([
      {
        addresses: ["web-1", "web-2", "web-3", "web-5"].map((n) => addr(n, `10.1.0.${n.slice(-1)}`)),
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ]);
  });

  it("lists a headless Service's pods without ports, with hostnames for its subdomain", () => {
    const svc = service({ clusterIP: "None", ports: [] });
    const pod = webPod("web-0", "10.1.0.7", { hostname: "web-0", subdomain: "web" });
    const r = reconcileEndpoints(svc, [pod], undefined, []);
    expect(endpointsOf(r)!.metadata.labels).toEqual({
      tier: "front",
      "service.kubernetes.io/headless": "",
      "endpointslice.kubernetes.io/skip-mirror": "true",
    });
    expect(endpointsOf(r)!.subsets).toEqual([{ addresses: [{ ...addr("web-0", "10.1.0.7"), hostname: "web-0" }] }]);
  });

  it("creates an empty Endpoints for a Service with no pods yet", () => {
    const r = reconcileEndpoints(service(), [], undefined, []);
    expect(endpointsOf(r)).not.toHaveProperty("subsets");
  });
});

describe("EndpointSlices", () => {
  it("groups endpoints by resolved ports, with ready/serving/terminating conditions", () => {
    const r = reconcileEndpoints(service(), pods, undefined, []);
    const slices = slicesOf(r);
    expect(slices).toHaveLength(2);
    for (const s of slices) {
      expect(s.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(s.metadata.generateName).toBe("web-");
      expect(s.metadata.labels).toEqual({
        tier: "front",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
      });
      expect(s.metadata.ownerReferences).toEqual([
        { apiVersion: "v1", kind: "Service", name: "web", uid: "svc-uid", controller: true, blockOwnerDeletion: true },
      ]);
      expect(s.addressType).toBe("IPv4");
    }
    const both = slices.find((s) => s.ports!.length === 2)!;
    expect(both.ports).toEqual([
      { name: "http", port: 8080, protocol: "TCP" },
      { name: "metrics", port: 9090, protocol: "TCP" },
    ]);
    expect(both.endpoints.map((e) => [e.targetRef?.name, e.conditions])).toEqual([
      ["web-1", { ready: true, serving: true, terminating: false }],
      ["web-2", { ready: false, serving: false, terminating: false }],
      // Terminating: out of rotation for new connections, still serving while it drains.
      ["web-5", { ready: false, serving: true, terminating: true }],
    ]);
    const metricsOnly = slices.find((s) => s.ports!.length === 1)!;
    expect(metricsOnly.endpoints).toEqual([
      {
        addresses: ["10.1.0.3"],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: "Pod", namespace: "default", name: "web-3", uid: "pod-uid-web-3" },
        nodeName: "n1",
      },
    ]);
  });

  it("keeps a single empty placeholder slice for a Service with no endpoints, and reuses it", () => {
    const empty = reconcileEndpoints(service(), [], undefined, []);
    const [placeholder] = slicesOf(empty);
    expect(placeholder).toMatchObject({ addressType: "IPv4", endpoints: [], ports: [] });
    const stored = { ...placeholder, metadata: { ...placeholder.metadata, uid: "slice-1", resourceVersion: "5" } };
    const r = reconcileEndpoints(service(), [webPod("web-1", "10.1.0.1")], endpointsOf(empty), [stored]);
    const writes = ofResource(r, "endpointslices");
    expect(writes.map((w) => w.type)).toEqual(["update"]);
    expect((writes[0].object as EndpointSlice).metadata).toMatchObject({ name: placeholder.metadata.name, resourceVersion: "5" });
    expect(r.actions.some((a) => a.type === "delete")).toBe(false);
  });

  it("splits more than 100 endpoints over slices and leaves untouched slices unwritten", () => {
    const many = Array.from({ length: 150 }, (_, i) => webPod(`web-${String(i).padStart(3, "0")}`, `10.2.${i >> 8}.${i & 255}`));
    const svc = service({ ports: [{ name: "http", port: 80, targetPort: "http" }] });
    const first = reconcileEndpoints(svc, many, undefined, []);
    const slices = slicesOf(first).map((s, i) => ({ ...s, metadata: { ...s.metadata, uid: `s${i}`, resourceVersion: "1" } }));
    expect(slices.map((s) => s.endpoints.length)).toEqual([100, 50]);

    // One pod of the full slice goes away: only that slice is rewritten.
    const fewer = many.filter((p) => p.metadata.name !== "web-010");
    const r = reconcileEndpoints(svc, fewer, endpointsOf(first), slices);
    const sliceWrites = ofResource(r, "endpointslices");
    expect(sliceWrites.map((w) => [w.type, (w.object as EndpointSlice).metadata.uid, (w.object as EndpointSlice).endpoints.length])).toEqual([
      ["update", "s0", 99],
    ]);
  });
});

describe("write churn", () => {
  it("writes nothing when Endpoints and slices already match", () => {
    const first = reconcileEndpoints(service(), pods, undefined, []);
    const ep = { ...endpointsOf(first)!, metadata: { ...endpointsOf(first)!.metadata, resourceVersion: "3" } };
    const slices = slicesOf(first).map((s) => ({ ...s, metadata: { ...s.metadata, resourceVersion: "3" } }));
    expect(reconcileEndpoints(service(), pods, ep, slices).actions).toEqual([]);
  });

  it("rewrites only what a readiness change touches", () => {
    const first = reconcileEndpoints(service(), pods, undefined, []);
    const ep = { ...endpointsOf(first)!, metadata: { ...endpointsOf(first)!.metadata, resourceVersion: "3" } };
    const slices = slicesOf(first);
    const nowReady = pods.map((p) => (p.metadata.name === "web-2" ? webPod("web-2", "10.1.0.2") : p));
    const r = reconcileEndpoints(service(), nowReady, ep, slices);
    expect(r.actions.map((a) => [a.type, "resource" in a && a.resource])).toEqual([
      ["update", "endpoints"],
      ["update", "endpointslices"],
    ]);
    expect(endpointsOf(r)!.metadata.resourceVersion).toBe("3");
  });
});

describe("Services the controllers leave alone or clean up", () => {
  it("ignores Services without a selector", () => {
    expect(reconcileEndpoints(service({ selector: undefined }), pods, undefined, []).actions).toEqual([]);
    expect(reconcileEndpoints(service({ selector: {} }), pods, undefined, []).actions).toEqual([]);
  });

  it("deletes the Endpoints of a Service that is gone", () => {
    const ep: Endpoints = { metadata: { name: "web", namespace: "default", uid: "ep-uid" } };
    expect(reconcileEndpoints(undefined, pods, ep, []).actions).toEqual([
      { type: "delete", resource: "endpoints", name: "web", uid: "ep-uid" },
    ]);
  });
});
