import { describe, expect, it } from "vitest";
import type { KubeObject } from "../schema/meta.js";
import { allocationRequest, applyGrant, defaultServiceSpec, dropTypeDependentFields, patchAllocatedValues, validateServiceUpdate } from "./service-strategy.js";
import { validateService } from "./service-validation.js";

const svc = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: "web", namespace: "ns", uid: "u1" }, spec });
const fields = (o: KubeObject) => validateService(o).map((c) => c.field);

describe("service strategy", () => {
  it("carries allocated values over an update that omits them", () => {
    const old = svc({ type: "NodePort", clusterIP: "10.96.0.5", clusterIPs: ["10.96.0.5"], ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }] });
    const next = svc({ type: "NodePort", ports: [{ port: 80, protocol: "TCP" }, { port: 81, protocol: "TCP" }] });
    patchAllocatedValues(old, next);
    expect(next.spec).toMatchObject({ clusterIP: "10.96.0.5", clusterIPs: ["10.96.0.5"], ports: [{ nodePort: 30080 }, { port: 81 }] });
    expect(next.spec.ports[1].nodePort).toBeUndefined();
  });

  it("drops node ports and externalTrafficPolicy when the type goes back to ClusterIP, and the cluster IP for ExternalName", () => {
    const old = svc({ type: "NodePort", clusterIP: "10.96.0.5", externalTrafficPolicy: "Cluster", ports: [{ port: 80, nodePort: 30080 }] });
    const next = svc({ type: "ClusterIP", clusterIP: "10.96.0.5", externalTrafficPolicy: "Cluster", ports: [{ port: 80, nodePort: 30080 }] });
    dropTypeDependentFields(old, next);
    expect(next.spec).toEqual({ type: "ClusterIP", clusterIP: "10.96.0.5", ports: [{ port: 80 }] });
    const ext = svc({ type: "ExternalName", externalName: "a.b", clusterIP: "10.96.0.5", clusterIPs: ["10.96.0.5"] });
    dropTypeDependentFields(svc({ type: "ClusterIP", clusterIP: "10.96.0.5" }), ext);
    expect(ext.spec.clusterIP).toBeUndefined();
    expect(validateServiceUpdate(svc({ clusterIP: "10.96.0.5" }), ext)).toEqual([]);
  });

  it("keeps the cluster IP immutable", () => {
    const causes = validateServiceUpdate(svc({ clusterIP: "10.96.0.5" }), svc({ clusterIP: "10.96.0.6" }));
    expect(causes).toEqual([{ reason: "FieldValueInvalid", field: "spec.clusterIP", message: 'Invalid value: "10.96.0.6": field is immutable' }]);
  });

  it("builds the ledger request per type and writes the grant back", () => {
    expect(allocationRequest(svc({ type: "ClusterIP", ports: [{ port: 80 }] }))).toMatchObject({ clusterIP: "", nodePorts: [null], healthCheckNodePort: null });
    expect(allocationRequest(svc({ clusterIP: "None" })).clusterIP).toBeUndefined();
    expect(allocationRequest(svc({ type: "ExternalName", externalName: "x" })).clusterIP).toBeUndefined();
    const lb = svc({ type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 80, nodePort: 30001 }, { port: 81 }] });
    expect(allocationRequest(lb)).toMatchObject({ clusterIP: "", nodePorts: [30001, 0], healthCheckNodePort: 0 });
    expect(allocationRequest(svc({ type: "LoadBalancer", allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] })).nodePorts).toEqual([null]);
    applyGrant(lb, { clusterIP: "10.96.1.1", nodePorts: [30001, 30002], healthCheckNodePort: 30003 });
    expect(lb.spec).toMatchObject({ clusterIP: "10.96.1.1", clusterIPs: ["10.96.1.1"], healthCheckNodePort: 30003, ports: [{ nodePort: 30001 }, { nodePort: 30002 }] });
  });

  it("defaults ClientIP affinity's timeout and allocateLoadBalancerNodePorts", () => {
    const spec: Record<string, any> = { type: "LoadBalancer", sessionAffinity: "ClientIP", clusterIPs: ["10.96.0.9"] };
    defaultServiceSpec(spec);
    expect(spec).toMatchObject({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, allocateLoadBalancerNodePorts: true, clusterIP: "10.96.0.9" });
  });

  it("validates as upstream", () => {
    expect(fields(svc({ ports: [{ port: 80, nodePort: 30000 }] }))).toEqual(["spec.ports[0].nodePort"]);
    expect(fields(svc({ clusterIP: "10.96.0.300", ports: [{ port: 80 }] }))).toEqual(["spec.clusterIPs[0]"]);
    expect(fields(svc({ type: "LoadBalancer", clusterIP: "None", ports: [{ port: 80 }] }))).toEqual(["spec.clusterIPs[0]"]);
    expect(fields(svc({ type: "ExternalName", externalName: "example.com." }))).toEqual([]);
    expect(fields(svc({ type: "ExternalName", externalName: "exa_mple" }))).toEqual(["spec.externalName"]);
    expect(fields(svc({ ports: [{ port: 80 }], externalTrafficPolicy: "Local" }))).toEqual(["spec.externalTrafficPolicy"]);
    expect(fields(svc({ ports: [{ port: 80 }], sessionAffinity: "None", sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }))).toEqual(["spec.sessionAffinityConfig"]);
    expect(fields(svc({ type: "NodePort", ports: [{ name: "a", port: 80, nodePort: 30001 }, { name: "b", port: 81, nodePort: 30001 }] }))).toEqual(["spec.ports[1].nodePort"]);
    expect(fields(svc({ ports: [{ port: 80, targetPort: "Not_A_Port" }] }))).toContain("spec.ports[0].targetPort");
  });
});
