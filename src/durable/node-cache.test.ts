import { describe, expect, it } from "vitest";
import { testNode, T0, iso } from "../controllers/testing/nodes.js";
import { nodeViewChanged } from "./node-cache.js";

describe("what namespace stores hear of a Node write", () => {
  const node = testNode("a", { heartbeat: T0 });

  it("nothing when only heartbeat times and the resourceVersion moved", () => {
    const beat = structuredClone(node);
    beat.metadata.resourceVersion = "99";
    beat.status!.conditions![0].lastHeartbeatTime = iso(T0 + 300_000);
    expect(nodeViewChanged(node, beat)).toBe(false);
  });

  it("every change to what they read: Ready, allocatable, labels, taints, unschedulable, addresses", () => {
    const edits: ((n: typeof node) => void)[] = [
      (n) => (n.status!.conditions![0].status = "Unknown"),
      (n) => (n.status!.allocatable!.cpu = "8"),
      (n) => (n.metadata.labels!.zone = "b"),
      (n) => (n.spec!.taints = [{ key: "k", effect: "NoSchedule" }]),
      (n) => (n.spec!.unschedulable = true),
      (n) => (n.status!.addresses = [{ type: "InternalIP", address: "10.0.0.2" }]),
    ];
    for (const edit of edits) {
      const changed = structuredClone(node);
      edit(changed);
      expect(nodeViewChanged(node, changed)).toBe(true);
    }
  });

  it("creations and deletions", () => {
    expect(nodeViewChanged(undefined, node)).toBe(true);
    expect(nodeViewChanged(node, null)).toBe(true);
  });
});
