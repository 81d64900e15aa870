import { describe, expect, it } from "vitest";
import type { Node, Service } from "../schema/core.js";
import { readyNodeAddresses, reconcileLoadBalancer } from "./service-load-balancer.js";

const node = (name: string, ip: string, ready = "True"): Node => ({
  metadata: { name },
  status: { conditions: [{ type: "Ready", status: ready }], addresses: [{ type: "Hostname", address: name }, { type: "InternalIP", address: ip }] },
});
const lb = (status?: Service["status"], extra: Record<string, unknown> = {}): Service => ({
  metadata: { name: "web", namespace: "ns", resourceVersion: "7" },
  spec: { type: "LoadBalancer", ports: [{ port: 80 }], ...extra },
  status,
});

describe("LoadBalancer status", () => {
  it("lists each Ready node's InternalIP once, sorted", () => {
    expect(readyNodeAddresses([node("b", "10.0.0.2"), node("a", "10.0.0.1"), node("c", "10.0.0.3", "Unknown"), node("d", "10.0.0.1")])).toEqual(["10.0.0.1", "10.0.0.2"]);
  });

  it("writes the status only when it differs", () => {
    const r = reconcileLoadBalancer(lb({ loadBalancer: {} }), [node("a", "10.0.0.1")]);
    expect(r.actions).toEqual([{ type: "updateStatus", resource: "services", object: { ...lb(), status: { loadBalancer: { ingress: [{ ip: "10.0.0.1" }] } } } }]);
    expect(reconcileLoadBalancer(lb({ loadBalancer: { ingress: [{ ip: "10.0.0.1" }] } }), [node("a", "10.0.0.1")]).actions).toEqual([]);
  });

  it("clears the address when no node is Ready, or the Service is no longer a LoadBalancer", () => {
    const held = { loadBalancer: { ingress: [{ ip: "10.0.0.1" }] } };
    expect(reconcileLoadBalancer(lb(held), [node("a", "10.0.0.1", "False")]).actions[0]).toMatchObject({ object: { status: { loadBalancer: {} } } });
    const clusterIP: Service = { ...lb(held), spec: { type: "ClusterIP", ports: [{ port: 80 }] } };
    expect(reconcileLoadBalancer(clusterIP, [node("a", "10.0.0.1")]).actions[0]).toMatchObject({ object: { status: { loadBalancer: {} } } });
  });

  it("leaves Services of another loadBalancerClass alone", () => {
    expect(reconcileLoadBalancer(lb({ loadBalancer: {} }, { loadBalancerClass: "example.com/lb" }), [node("a", "10.0.0.1")]).actions).toEqual([]);
  });
});
