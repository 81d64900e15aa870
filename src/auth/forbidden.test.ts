import { describe, expect, it } from "vitest";
import { forbidden } from "./forbidden.js";
import { requestAttributes } from "./request-attributes.js";

const attrs = (method: string, path: string) => requestAttributes(method, new URL(`https://k.test${path}`));
const alice = { name: "alice", groups: [] };

describe("forbidden", () => {
  it("words a refused list exactly as the apiserver", () => {
    const s = forbidden(alice, attrs("GET", "/api/v1/namespaces/team-b/pods"), "").toStatus();
    expect(s).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"',
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
  });

  it("names the object, the group, the subresource and the cluster scope", () => {
    const e = forbidden(alice, attrs("PATCH", "/apis/apps/v1/namespaces/a/deployments/web/scale"), "");
    expect(e.message).toBe('deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "a"');
    expect(e.details).toEqual({ name: "web", group: "apps", kind: "deployments" });
    expect(forbidden(alice, attrs("GET", "/api/v1/nodes"), "").message).toBe(
      'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  it("adds the node authorizer's reason, and words non-resource paths", () => {
    const node = { name: "system:node:n1", groups: ["system:nodes"] };
    expect(forbidden(node, attrs("GET", "/api/v1/namespaces/a/secrets/s"), "no relationship found between node 'n1' and this object").message).toBe(
      `secrets "s" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "a": no relationship found between node 'n1' and this object`,
    );
    expect(forbidden(alice, attrs("GET", "/kubeflare/v1/tokens"), "").message).toBe('forbidden: User "alice" cannot get path "/kubeflare/v1/tokens"');
  });
});
