import { describe, expect, it } from "vitest";
import { leaseObject, microTime } from "./heartbeat.js";

describe("node lease", () => {
  it("writes renewTime as a MicroTime", () => {
    expect(microTime(Date.parse("2026-01-01T00:00:00.123Z"))).toBe("2026-01-01T00:00:00.123000Z");
  });

  it("is held by the node, outlasts its renewal interval and is owned by the Node", () => {
    expect(leaseObject("n1", 0, { uid: "node-uid" }, "7")).toEqual({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: "n1",
        namespace: "kube-node-lease",
        resourceVersion: "7",
        ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "node-uid" }],
      },
      spec: { holderIdentity: "n1", leaseDurationSeconds: 1860, renewTime: "1970-01-01T00:00:00.000000Z" },
    });
  });
});
