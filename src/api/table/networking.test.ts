import { describe, expect, it } from "vitest";
import type { EndpointSlice, Ingress, Lease } from "../../schema/networking.js";
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, leasePrinter } from "./networking.js";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
const backend = { service: { name: "web", port: { number: 80 } } };
const rule = (host?: string) => ({
  ...(host ? { host } : {}),
  http: { paths: [{ path: "/", pathType: "Prefix" as const, backend }] },
});

describe("Ingress row", () => {
  const ingress = (spec: Ingress["spec"], status?: Ingress["status"]): Ingress => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "web", namespace: "default", creationTimestamp: ago(7200) },
    spec,
    ...(status ? { status } : {}),
  });

  it("shows class, hosts, address and ports", () => {
    const ing = ingress(
      { ingressClassName: "nginx", rules: [rule("web.example.com"), rule("api.example.com")], tls: [{ hosts: ["web.example.com"], secretName: "tls" }] },
      { loadBalancer: { ingress: [{ ip: "203.0.113.5" }] } },
    );
    expect(ingressPrinter.print(ing, now).cells).toEqual(["web", "nginx", "web.example.com,api.example.com", "203.0.113.5", "80, 443", "120m"]);
  });

  it("shows <none>, * and an empty address for a bare ingress", () => {
    expect(ingressPrinter.print(ingress({ defaultBackend: backend }), now).cells.slice(1, 5)).toEqual(["<none>", "*", "", "80"]);
    expect(ingressPrinter.print(ingress({ rules: [rule()] }), now).cells[2]).toBe("*");
  });

  it("lists three hosts then counts the remaining rules", () => {
    const ing = ingress({ rules: [rule("a.io"), rule("b.io"), rule(), rule("c.io"), rule("d.io"), rule("e.io")] });
    expect(ingressPrinter.print(ing, now).cells[2]).toBe("a.io,b.io,c.io + 3 more...");
  });
});

describe("IngressClass row", () => {
  it("shows controller and parameters", () => {
    const ic = {
      metadata: { name: "nginx", creationTimestamp: ago(60) },
      spec: { controller: "k8s.io/ingress-nginx", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" } },
    };
    expect(ingressClassPrinter.print(ic, now).cells).toEqual([
      "nginx",
      "k8s.io/ingress-nginx",
      "IngressParameters.k8s.example.com/external-lb",
      "60s",
    ]);
    expect(ingressClassPrinter.print({ metadata: { name: "x", creationTimestamp: ago(60) }, spec: { controller: "c" } }, now).cells[2]).toBe("<none>");
  });
});

describe("EndpointSlice row", () => {
  it("shows address type, ports and up to three endpoints", () => {
    const es: EndpointSlice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "web-abc12", namespace: "default", creationTimestamp: ago(30), labels: { "kubernetes.io/service-name": "web" } },
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "metrics" }],
      endpoints: [
        { addresses: ["10.1.0.5"], conditions: { ready: true } },
        { addresses: ["10.1.0.6"], conditions: { ready: true } },
        { addresses: ["10.1.0.7", "10.1.0.8"] },
      ],
    };
    expect(endpointSlicePrinter.print(es, now).cells).toEqual(["web-abc12", "IPv4", "80,metrics", "10.1.0.5,10.1.0.6,10.1.0.7 + 1 more...", "30s"]);
    expect(endpointSlicePrinter.print({ ...es, ports: [], endpoints: [] }, now).cells.slice(2, 4)).toEqual(["<unset>", "<unset>"]);
  });
});

describe("Lease row", () => {
  it("shows the holder", () => {
    const lease: Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "node1", namespace: "kube-node-lease", creationTimestamp: ago(86400) },
      spec: { holderIdentity: "node1", leaseDurationSeconds: 40, renewTime: ago(3) },
    };
    expect(leasePrinter.print(lease, now).cells).toEqual(["node1", "node1", "24h"]);
    expect(leasePrinter.print({ ...lease, spec: {} }, now).cells[1]).toBe("");
  });
});
