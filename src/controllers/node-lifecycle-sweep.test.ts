import { describe, expect, it } from "vitest";
import type { Node } from "../schema/core.js";
import { reconcileNodeHealth, sweepNodeLifecycle } from "./node-lifecycle-sweep.js";
import { T0, testNode } from "./testing/nodes.js";

const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === "Ready")?.status;
const written = (actions: { type: string }[]) =>
  actions.filter((a): a is { type: "updateStatus"; object: Node } => a.type === "updateStatus").map((a) => a.object);

describe("node health from the channel's verdict", () => {
  it("marks a node the channel reported silent unreachable at once, whatever its heartbeat times say", () => {
    const node = testNode("a", { heartbeat: T0 });
    const r = reconcileNodeHealth({ node, live: false, leaseRenewal: T0 }, T0 + 1_000);
    expect(written(r.actions).map(readyOf)).toEqual(["Unknown"]);
  });

  it("leaves a live node alone long after its last Lease renewal and Node status write", () => {
    const node = testNode("a", { heartbeat: T0 });
    const r = reconcileNodeHealth({ node, live: true, leaseRenewal: T0 }, T0 + 3_600_000);
    expect(r).toEqual({ actions: [] });
  });

  it("clears the unreachable taints of a node the channel hears from again", () => {
    const node = testNode("a", {
      ready: "Unknown",
      taints: [
        { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
        { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      ],
    });
    const r = reconcileNodeHealth({ node, live: true }, T0);
    const update = r.actions.find((a) => a.type === "update") as { object: Node } | undefined;
    expect(update?.object.spec?.taints ?? []).toEqual([]);
  });
});

describe("the node lifecycle sweep", () => {
  it("expires heartbeat-tracked nodes and asks to come back when the next one could, but not sooner than half the grace period", () => {
    const fleet = [
      { node: testNode("stale", { heartbeat: T0 }), leaseRenewal: T0 },
      { node: testNode("fresh", { heartbeat: T0 }), leaseRenewal: T0 + 39_000 },
      { node: testNode("soon", { heartbeat: T0 }), leaseRenewal: T0 + 2_000 },
      { node: testNode("polled", { heartbeat: T0 }), live: true },
    ];
    const r = sweepNodeLifecycle(fleet, T0 + 41_000);
    expect(written(r.actions).map((n) => `${n.metadata.name}=${readyOf(n)}`)).toEqual(["stale=Unknown"]);
    expect(r.again).toEqual(["stale"]);
    expect(r.requeueAfter).toBe(20_000);
  });

  it("needs no timer when every node is judged by its channel", () => {
    const fleet = [
      { node: testNode("a", { heartbeat: T0 }), live: true },
      { node: testNode("b", { heartbeat: T0 }), live: true },
    ];
    expect(sweepNodeLifecycle(fleet, T0 + 3_600_000)).toEqual({ actions: [], again: [] });
  });

  it("comes back exactly when the earliest heartbeat-tracked node would expire, past half the grace period", () => {
    const r = sweepNodeLifecycle([{ node: testNode("a", { heartbeat: T0 }), leaseRenewal: T0 }], T0 + 5_000, 40_000);
    expect(r.requeueAfter).toBe(35_001);
  });
});
