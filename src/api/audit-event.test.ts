import { describe, expect, it } from "vitest";
import { auditEvent, isMutating, objectRefOf } from "./audit-event.js";

describe("audit events", () => {
  it("names the object of core, grouped, cluster-scoped and subresource paths", () => {
    expect(objectRefOf("/api/v1/namespaces/a/secrets/db")).toEqual({ apiGroup: undefined, apiVersion: "v1", namespace: "a", resource: "secrets", name: "db", subresource: undefined });
    expect(objectRefOf("/apis/apps/v1/namespaces/a/deployments/web/scale")).toMatchObject({ apiGroup: "apps", resource: "deployments", name: "web", subresource: "scale" });
    expect(objectRefOf("/api/v1/namespaces/a")).toMatchObject({ resource: "namespaces", name: "a" });
    expect(objectRefOf("/api/v1/namespaces/a/finalize")).toMatchObject({ resource: "namespaces", name: "a", subresource: "finalize" });
    expect(objectRefOf("/api/v1/nodes/n1/status")).toMatchObject({ resource: "nodes", name: "n1", subresource: "status" });
    expect(objectRefOf("/kubeflare/v1/tokens")).toBeUndefined();
  });

  it("records who did what to which object, with the outcome and no body", () => {
    const request = new Request("https://x/api/v1/namespaces/a/configmaps?dryRun=All", {
      method: "DELETE",
      headers: { "user-agent": "kubectl/v1.32.0", "cf-connecting-ip": "192.0.2.1" },
    });
    const e = auditEvent({
      request,
      user: { name: "alice", groups: ["devs"] },
      code: 200,
      received: new Date("2026-01-02T03:04:05.678Z"),
      completed: new Date("2026-01-02T03:04:05.700Z"),
      auditID: "id-1",
    });
    expect(e).toMatchObject({
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      verb: "deletecollection",
      requestURI: "/api/v1/namespaces/a/configmaps?dryRun=All",
      user: { username: "alice", groups: ["devs"] },
      userAgent: "kubectl/v1.32.0",
      sourceIPs: ["192.0.2.1"],
      objectRef: { apiVersion: "v1", namespace: "a", resource: "configmaps" },
      responseStatus: { code: 200 },
      requestReceivedTimestamp: "2026-01-02T03:04:05.678000Z",
    });
    expect(isMutating("PATCH")).toBe(true);
    expect(isMutating("GET")).toBe(false);
  });
});
