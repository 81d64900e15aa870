import { describe, expect, it } from "vitest";
import type { Endpoints, Service } from "../../schema/core.js";
import { endpointsPrinter, servicePrinter } from "./service.js";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

const service = (spec: NonNullable<Service["spec"]>, status?: Service["status"]): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default", creationTimestamp: ago(600) },
  spec,
  ...(status ? { status } : {}),
});

describe("Service row", () => {
  it("ClusterIP service", () => {
    const svc = service({
      type: "ClusterIP",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      selector: { app: "web", tier: "frontend" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 8080 }],
    });
    expect(servicePrinter.print(svc, now).cells).toEqual([
      "web",
      "ClusterIP",
      "10.96.0.10",
      "<none>",
      "80/TCP",
      "10m",
      "app=web,tier=frontend",
    ]);
  });

  it("NodePort service lists port:nodePort pairs", () => {
    const svc = service({
      type: "NodePort",
      clusterIPs: ["10.96.4.2"],
      ports: [
        { name: "http", port: 80, nodePort: 30080, protocol: "TCP" },
        { name: "dns", port: 53, nodePort: 30053, protocol: "UDP" },
      ],
    });
    expect(servicePrinter.print(svc, now).cells.slice(1, 5)).toEqual(["NodePort", "10.96.4.2", "<none>", "80:30080/TCP,53:30053/UDP"]);
  });

  it("LoadBalancer shows <pending>, then its sorted ingress addresses plus external IPs", () => {
    const spec = { type: "LoadBalancer" as const, clusterIP: "10.96.7.7", ports: [{ port: 443, nodePort: 31443 }] };
    expect(servicePrinter.print(service(spec), now).cells[3]).toBe("<pending>");
    const ready = service(spec, { loadBalancer: { ingress: [{ ip: "203.0.113.9" }, { hostname: "lb.example.com" }, { ip: "203.0.113.2" }] } });
    expect(servicePrinter.print(ready, now).cells.slice(2, 5)).toEqual([
      "10.96.7.7",
      "203.0.113.2,203.0.113.9,lb.example.com",
      "443:31443/TCP",
    ]);
    const withExternal = service({ ...spec, externalIPs: ["198.51.100.1"] }, { loadBalancer: { ingress: [{ ip: "203.0.113.2" }] } });
    expect(servicePrinter.print(withExternal, now).cells[3]).toBe("203.0.113.2,198.51.100.1");
  });

  it("ExternalName, headless and port-less services", () => {
    const ext = service({ type: "ExternalName", externalName: "db.example.com" });
    expect(servicePrinter.print(ext, now).cells.slice(1, 7)).toEqual(["ExternalName", "<none>", "db.example.com", "<none>", "10m", "<none>"]);
    const headless = service({ clusterIP: "None", clusterIPs: ["None"], externalIPs: ["198.51.100.4"], ports: [{ port: 5432 }] });
    expect(servicePrinter.print(headless, now).cells.slice(1, 5)).toEqual(["ClusterIP", "None", "198.51.100.4", "5432/TCP"]);
  });
});

describe("Endpoints row", () => {
  const endpoints = (subsets: Endpoints["subsets"]): Endpoints => ({
    metadata: { name: "web", namespace: "default", creationTimestamp: ago(60) },
    ...(subsets ? { subsets } : {}),
  });

  it("lists ip:port pairs", () => {
    const ep = endpoints([{ addresses: [{ ip: "10.1.0.5" }, { ip: "10.1.0.6" }], ports: [{ port: 8080, protocol: "TCP" }] }]);
    expect(endpointsPrinter.print(ep, now).cells).toEqual(["web", "10.1.0.5:8080,10.1.0.6:8080", "60s"]);
  });

  it("stops at three and counts the rest, across ports and subsets", () => {
    const ep = endpoints([
      { addresses: [{ ip: "10.1.0.5" }, { ip: "10.1.0.6" }], ports: [{ port: 80 }, { port: 443 }] },
      { addresses: [{ ip: "fd00::7" }], ports: [{ port: 80 }] },
    ]);
    expect(endpointsPrinter.print(ep, now).cells[1]).toBe("10.1.0.5:80,10.1.0.6:80,10.1.0.5:443 + 2 more...");
  });

  it("brackets IPv6, lists bare IPs without ports, <none> without subsets", () => {
    expect(endpointsPrinter.print(endpoints([{ addresses: [{ ip: "fd00::7" }], ports: [{ port: 80 }] }]), now).cells[1]).toBe("[fd00::7]:80");
    expect(endpointsPrinter.print(endpoints([{ addresses: [{ ip: "10.1.0.9" }] }]), now).cells[1]).toBe("10.1.0.9");
    expect(endpointsPrinter.print(endpoints(undefined), now).cells[1]).toBe("<none>");
    expect(endpointsPrinter.print(endpoints([{ notReadyAddresses: [{ ip: "10.1.0.9" }], ports: [{ port: 80 }] }]), now).cells[1]).toBe("");
  });
});
