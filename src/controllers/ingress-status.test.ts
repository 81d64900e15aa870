import { describe, expect, it } from "vitest";
import type { Node, Service } from "../schema/core.js";
import type { Ingress } from "../schema/networking.js";
import { pickDefaultClass } from "./ingress-class.js";
import { missingBackends, reconcileIngress } from "./ingress-status.js";
import { validateIngress } from "../registry/ingress-validation.js";

const node: Node = { metadata: { name: "n1" }, status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: "192.168.1.5" }] } };
const web: Service = { metadata: { name: "web", namespace: "ns" }, spec: { ports: [{ name: "http", port: 80 }] } };
const ingress = (spec: Ingress["spec"], annotations?: Record<string, string>): Ingress => ({
  metadata: { name: "site", namespace: "ns", uid: "u1", annotations },
  spec,
});
const path = (name: string, port: { name?: string; number?: number }) => ({ path: "/", pathType: "Prefix" as const, backend: { service: { name, port } } });

describe("ingress status", () => {
  it("publishes the Ready nodes' addresses for our class (spec or legacy annotation) only", () => {
    const ours = reconcileIngress(ingress({ ingressClassName: "kubeflare", rules: [{ http: { paths: [path("web", { number: 80 })] } }] }), [web], [node]);
    expect(ours.actions).toEqual([
      { type: "updateStatus", resource: "ingresses", object: expect.objectContaining({ status: { loadBalancer: { ingress: [{ ip: "192.168.1.5" }] } } }) },
    ]);
    expect(reconcileIngress(ingress({ defaultBackend: { service: { name: "web", port: { number: 80 } } } }, { "kubernetes.io/ingress.class": "kubeflare" }), [web], [node]).actions).toHaveLength(1);
    expect(reconcileIngress(ingress({ ingressClassName: "nginx", defaultBackend: { service: { name: "web", port: { number: 80 } } } }), [web], [node]).actions).toEqual([]);
  });

  it("warns about backends naming a missing Service or port", () => {
    const ing = ingress({ ingressClassName: "kubeflare", rules: [{ http: { paths: [path("api", { number: 80 }), path("web", { name: "grpc" }), path("web", { name: "http" })] } }] });
    expect(missingBackends(ing, [web])).toEqual(['service "ns/api" not found', 'service "ns/web" has no port "grpc"']);
    const events = reconcileIngress(ing, [web], []).actions.filter((a) => a.type === "event");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ eventType: "Warning", reason: "BackendNotFound", involvedObject: { kind: "Ingress", name: "site", namespace: "ns" } });
  });

  it("picks the newest default class", () => {
    const cls = (name: string, created: string, isDefault: boolean) => ({
      metadata: { name, creationTimestamp: created, annotations: (isDefault ? { "ingressclass.kubernetes.io/is-default-class": "true" } : {}) as Record<string, string> },
    });
    expect(pickDefaultClass([cls("kubeflare", "2026-01-01T00:00:00Z", true), cls("nginx", "2026-02-01T00:00:00Z", false)])).toBe("kubeflare");
    expect(pickDefaultClass([cls("kubeflare", "2026-01-01T00:00:00Z", true), cls("new", "2026-02-01T00:00:00Z", true)])).toBe("new");
    expect(pickDefaultClass([])).toBeUndefined();
  });

  it("validates rules, paths and backends", () => {
    const fields = (spec: unknown) => validateIngress({ metadata: { name: "x" }, spec } as never).map((c) => c.field);
    expect(fields({})).toEqual(["spec"]);
    expect(fields({ rules: [{ host: "*.example.com", http: { paths: [path("web", { number: 80 })] } }] })).toEqual([]);
    expect(fields({ rules: [{ host: "10.0.0.1", http: { paths: [path("web", { number: 80 })] } }] })).toEqual(["spec.rules[0].host"]);
    expect(fields({ rules: [{ http: { paths: [{ path: "/", pathType: "Wrong", backend: { service: { name: "web", port: { number: 80 } } } }] } }] })).toEqual([
      "spec.rules[0].http.paths[0].pathType",
    ]);
    expect(fields({ rules: [{ http: { paths: [path("9web", { number: 80 })] } }] })).toEqual(["spec.rules[0].http.paths[0].backend.service.name"]);
    expect(fields({ rules: [{ http: { paths: [path("web", { number: 70000 })] } }] })).toEqual(["spec.rules[0].http.paths[0].backend.service.port.number"]);
    expect(fields({ defaultBackend: { service: { name: "web", port: { number: 80 } }, resource: { kind: "X", name: "y" } } })).toEqual(["spec.defaultBackend"]);
  });
});
