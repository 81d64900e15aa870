import { describe, expect, it } from "vitest";
import { requestAttributes } from "./request-attributes.js";

const attrs = (method: string, path: string) => requestAttributes(method, new URL(`https://k.test${path}`));

describe("requestAttributes", () => {
  it.each([
    ["GET", "/api/v1/namespaces/team-a/pods", { verb: "list", apiGroup: "", resource: "pods", namespace: "team-a", name: "" }],
    ["GET", "/api/v1/namespaces/team-a/pods?watch=1", { verb: "watch", resource: "pods" }],
    ["GET", "/api/v1/namespaces/team-a/pods?watch=true", { verb: "watch" }],
    ["GET", "/api/v1/namespaces/team-a/pods?watch=false", { verb: "list" }],
    ["GET", "/api/v1/namespaces/team-a/pods/web", { verb: "get", name: "web", subresource: "" }],
    ["GET", "/api/v1/namespaces/team-a/pods/web/log", { verb: "get", resource: "pods", subresource: "log", name: "web" }],
    ["PUT", "/api/v1/namespaces/team-a/pods/web/status", { verb: "update", subresource: "status" }],
    ["PATCH", "/api/v1/namespaces/team-a/pods/web", { verb: "patch" }],
    ["POST", "/api/v1/namespaces/team-a/pods", { verb: "create", name: "" }],
    ["POST", "/api/v1/namespaces/team-a/pods/web/eviction", { verb: "create", subresource: "eviction", name: "web" }],
    ["DELETE", "/api/v1/namespaces/team-a/pods/web", { verb: "delete", name: "web" }],
    ["DELETE", "/api/v1/namespaces/team-a/pods", { verb: "deletecollection", name: "" }],
    ["GET", "/api/v1/pods", { verb: "list", resource: "pods", namespace: "" }],
    ["GET", "/api/v1/nodes/n1", { verb: "get", resource: "nodes", name: "n1", namespace: "" }],
    ["PUT", "/api/v1/nodes/n1/status", { verb: "update", resource: "nodes", subresource: "status" }],
    // A Namespace is addressed inside itself, as upstream's RequestInfo has it.
    ["GET", "/api/v1/namespaces", { verb: "list", resource: "namespaces", namespace: "" }],
    ["GET", "/api/v1/namespaces/team-a", { verb: "get", resource: "namespaces", name: "team-a", namespace: "team-a" }],
    ["PUT", "/api/v1/namespaces/team-a/finalize", { verb: "update", resource: "namespaces", subresource: "finalize", namespace: "team-a" }],
    ["GET", "/apis/apps/v1/namespaces/team-a/deployments/web/scale", { apiGroup: "apps", apiVersion: "v1", resource: "deployments", subresource: "scale" }],
    ["GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Anode", { apiGroup: "rbac.authorization.k8s.io", name: "system:node" }],
    ["POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { verb: "create", resource: "selfsubjectaccessreviews" }],
    ["GET", "/api/v1/watch/namespaces/team-a/pods", { verb: "watch", resource: "pods", namespace: "team-a" }],
    ["GET", "/api/v1/namespaces/team-a/pods?fieldSelector=spec.nodeName%3Dn1", { fieldSelector: "spec.nodeName=n1" }],
  ])("%s %s", (method, path, expected) => {
    expect(attrs(method, path)).toMatchObject({ kind: "resource", ...expected });
  });

  it.each([
    ["GET", "/version", "get"],
    ["GET", "/api", "get"],
    ["GET", "/api/v1", "get"],
    ["GET", "/apis", "get"],
    ["GET", "/apis/apps", "get"],
    ["GET", "/apis/apps/v1", "get"],
    ["GET", "/openapi/v3/apis/apps/v1", "get"],
    ["POST", "/kubeflare/v1/nodes/n1/podstatus", "post"],
    ["DELETE", "/kubeflare/v1/tokens/abc", "delete"],
  ])("%s %s is a non-resource request", (method, path, verb) => {
    expect(attrs(method, path)).toEqual({ kind: "nonResource", verb, path: path.split("?")[0] });
  });
});
