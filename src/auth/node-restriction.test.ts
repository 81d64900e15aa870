import { describe, expect, it } from "vitest";
import { authorizeNode, nodeNameOf, selectsNode, type NodeGraph } from "./node-restriction.js";
import { requestAttributes } from "./request-attributes.js";

const attrs = (method: string, path: string) => requestAttributes(method, new URL(`https://k.test${path}`));

/** Pods web-1 (on n1, reads cm app-config and secret app-secret) and db-1 (on n2, reads secret db-secret) in team-a. */
function graph(createdName?: string): NodeGraph {
  const pods: Record<string, { node: string; configmaps: string[]; secrets: string[] }> = {
    "team-a/web-1": { node: "n1", configmaps: ["app-config"], secrets: ["app-secret"] },
    "team-a/db-1": { node: "n2", configmaps: [], secrets: ["db-secret"] },
  };
  return {
    async podNode(ns, name) {
      return pods[`${ns}/${name}`]?.node;
    },
    async referencedByPods(node, ns, resource, name) {
      return Object.entries(pods).some(([key, p]) => key.startsWith(`${ns}/`) && p.node === node && p[resource].includes(name));
    },
    async ingressTLSSecret(ns, name) {
      return ns === "team-a" && name === "web-tls";
    },
    async createdName() {
      return createdName;
    },
  };
}

const decide = (method: string, path: string, g = graph()) => authorizeNode("n1", attrs(method, path), g);
const allowed = async (method: string, path: string, g?: NodeGraph) => (await decide(method, path, g)).allowed;

describe("nodeNameOf", () => {
  it("needs both the system:node: name and the system:nodes group", () => {
    expect(nodeNameOf({ name: "system:node:n1", groups: ["system:nodes"] })).toBe("n1");
    expect(nodeNameOf({ name: "system:node:n1", groups: [] })).toBeUndefined();
    expect(nodeNameOf({ name: "alice", groups: ["system:nodes"] })).toBeUndefined();
    expect(nodeNameOf({ name: "system:node:", groups: ["system:nodes"] })).toBeUndefined();
  });

  it("reads spec.nodeName from a field selector", () => {
    expect(selectsNode("spec.nodeName=n1", "n1")).toBe(true);
    expect(selectsNode("status.phase!=Failed,spec.nodeName==n1", "n1")).toBe(true);
    expect(selectsNode("spec.nodeName=n10", "n1")).toBe(false);
    expect(selectsNode("spec.nodeName!=n1", "n1")).toBe(false);
    expect(selectsNode("", "n1")).toBe(false);
  });
});

describe("authorizeNode", () => {
  it("reads and finishes only the pods bound to the node", async () => {
    expect(await allowed("GET", "/api/v1/namespaces/team-a/pods/web-1")).toBe(true);
    expect(await allowed("PUT", "/api/v1/namespaces/team-a/pods/web-1/status")).toBe(true);
    expect(await allowed("PATCH", "/api/v1/namespaces/team-a/pods/web-1/status")).toBe(true);
    expect(await allowed("DELETE", "/api/v1/namespaces/team-a/pods/web-1")).toBe(true);
    expect(await decide("GET", "/api/v1/namespaces/team-a/pods/db-1")).toEqual({ allowed: false, reason: "no relationship found between node 'n1' and this object" });
    expect(await allowed("PUT", "/api/v1/namespaces/team-a/pods/db-1/status")).toBe(false);
    expect(await allowed("DELETE", "/api/v1/namespaces/team-a/pods/db-1")).toBe(false);
    expect(await allowed("GET", "/api/v1/namespaces/team-a/pods/missing")).toBe(false);
    // Spec writes, new pods and logs are not the node's business.
    expect(await allowed("PUT", "/api/v1/namespaces/team-a/pods/web-1")).toBe(false);
    expect(await allowed("POST", "/api/v1/namespaces/team-a/pods")).toBe(false);
    expect(await allowed("GET", "/api/v1/namespaces/team-a/pods/web-1/log")).toBe(false);
  });

  it("lists and watches pods only by its own spec.nodeName", async () => {
    expect(await allowed("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1")).toBe(true);
    expect(await allowed("GET", "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dn1")).toBe(true);
    expect(await allowed("GET", "/api/v1/pods")).toBe(false);
    expect(await allowed("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn2")).toBe(false);
    expect(await allowed("DELETE", "/api/v1/namespaces/team-a/pods?fieldSelector=spec.nodeName%3Dn1")).toBe(false);
  });

  it("gets only the ConfigMaps and Secrets its pods reference, one at a time", async () => {
    expect(await allowed("GET", "/api/v1/namespaces/team-a/configmaps/app-config")).toBe(true);
    expect(await allowed("GET", "/api/v1/namespaces/team-a/secrets/app-secret")).toBe(true);
    expect(await allowed("GET", "/api/v1/namespaces/team-a/secrets/db-secret")).toBe(false);
    expect(await allowed("GET", "/api/v1/namespaces/team-a/secrets/unreferenced")).toBe(false);
    expect(await allowed("GET", "/api/v1/namespaces/team-b/secrets/app-secret")).toBe(false);
    expect((await decide("GET", "/api/v1/namespaces/team-a/secrets")).reason).toBe("can only get individual resources of this type");
    expect(await allowed("PUT", "/api/v1/namespaces/team-a/secrets/app-secret")).toBe(false);
  });

  it("gets the Secrets Ingresses terminate TLS with, as every node proxies Ingress traffic", async () => {
    expect(await allowed("GET", "/api/v1/namespaces/team-a/secrets/web-tls")).toBe(true);
    expect(await allowed("GET", "/api/v1/namespaces/team-a/configmaps/web-tls")).toBe(false);
  });

  it("writes only its own Node, and reads every Node", async () => {
    expect(await allowed("GET", "/api/v1/nodes")).toBe(true);
    expect(await allowed("GET", "/api/v1/nodes/n2")).toBe(true);
    expect(await allowed("PUT", "/api/v1/nodes/n1")).toBe(true);
    expect(await allowed("PUT", "/api/v1/nodes/n1/status")).toBe(true);
    expect(await allowed("PATCH", "/api/v1/nodes/n1/status")).toBe(true);
    expect(await allowed("PUT", "/api/v1/nodes/n2/status")).toBe(false);
    expect(await allowed("DELETE", "/api/v1/nodes/n1")).toBe(false);
    expect(await allowed("POST", "/api/v1/nodes", graph("n1"))).toBe(true);
    expect(await allowed("POST", "/api/v1/nodes", graph("n2"))).toBe(false);
    expect(await allowed("POST", "/api/v1/nodes", graph(undefined))).toBe(false);
  });

  it("keeps its own Lease in kube-node-lease only", async () => {
    expect(await allowed("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1")).toBe(true);
    expect(await allowed("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1")).toBe(true);
    expect(await allowed("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", graph("n1"))).toBe(true);
    expect(await allowed("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", graph("n2"))).toBe(false);
    expect(await allowed("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2")).toBe(false);
    expect(await allowed("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases")).toBe(false);
    expect(await allowed("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/n1")).toBe(false);
  });

  it("reads what its proxies need, records events, and nothing else", async () => {
    for (const path of [
      "/api/v1/services",
      "/api/v1/namespaces/team-a/services/web",
      "/api/v1/endpoints?watch=1",
      "/apis/discovery.k8s.io/v1/endpointslices",
      "/apis/networking.k8s.io/v1/ingresses",
      "/apis/networking.k8s.io/v1/ingressclasses",
    ])
      expect(await allowed("GET", path), path).toBe(true);
    expect(await allowed("POST", "/api/v1/namespaces/team-a/events")).toBe(true);
    expect(await allowed("POST", "/api/v1/namespaces/team-a/services")).toBe(false);
    expect(await allowed("GET", "/apis/apps/v1/deployments")).toBe(false);
    expect(await allowed("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles")).toBe(false);
    expect(await allowed("GET", "/api/v1/namespaces")).toBe(false);
  });

  it("uses only its own agent endpoints", async () => {
    expect(await allowed("GET", "/kubeflare/v1/nodes/n1/desired")).toBe(true);
    expect(await allowed("POST", "/kubeflare/v1/nodes/n1/podstatus")).toBe(true);
    expect(await allowed("POST", "/kubeflare/v1/nodes/n1/streams/abc")).toBe(true);
    expect(await allowed("GET", "/kubeflare/v1/nodes/n2/desired")).toBe(false);
    expect(await allowed("GET", "/kubeflare/v1/nodes/n10/desired")).toBe(false);
    expect(await allowed("GET", "/kubeflare/v1/tokens")).toBe(false);
  });
});
