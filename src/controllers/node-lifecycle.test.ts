import { describe, expect, it } from "vitest";
import type { Node, Pod } from "../schema/core.js";
import { reconcileNodeLifecycle } from "./node-lifecycle.js";
import { T0, iso, testLease, testNode, testPod } from "./testing/nodes.js";
import type { Action, ReconcileResult } from "./types.js";

const nodeWrites = (r: ReconcileResult) => r.actions.filter((a) => "resource" in a && a.resource === "nodes");
const podWrites = (r: ReconcileResult) => r.actions.filter((a) => "resource" in a && a.resource === "pods");
const events = (r: ReconcileResult) => r.actions.filter((a): a is Extract<Action, { type: "event" }> => a.type === "event");
const objectOf = (a: Action) => (a as { object: Node & Pod }).object;

/** Applies the run's node write, as the Durable Object would. */
function apply(node: Node, r: ReconcileResult): Node {
  const w = nodeWrites(r)[0];
  return w ? (objectOf(w) as Node) : node;
}

describe("a node that stops heartbeating", () => {
  const node = testNode("n1", { heartbeat: T0 });
  const lease = testLease("n1", T0);
  const web = testPod("web-1", { nodeName: "n1", ready: true, namespace: "shop" });
  const pinned = testPod("pinned", {
    nodeName: "n1",
    ready: true,
    tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }],
  });
  const quick = testPod("quick", {
    nodeName: "n1",
    ready: true,
    tolerations: [
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 },
    ],
  });
  const pods = [web, pinned, quick];

  it("is left alone within the grace period, with a requeue for when it would expire", () => {
    const r = reconcileNodeLifecycle({ node, lease, now: T0 + 10_000, podsOnNode: pods });
    expect(r.actions).toEqual([]);
    expect(r.requeueAfter).toBe(30_001);
  });

  it("counts the newer of lease renewTime and the Ready heartbeat", () => {
    const r = reconcileNodeLifecycle({ node, lease: testLease("n1", T0 + 30_000), now: T0 + 50_000, podsOnNode: [] });
    expect(r.actions).toEqual([]);
    expect(r.requeueAfter).toBe(20_001);
  });

  it("goes Ready=Unknown after 40 s, with an event and its pods marked not ready", () => {
    const now = T0 + 41_000;
    const r = reconcileNodeLifecycle({ node, lease, now, podsOnNode: pods });
    const [status] = nodeWrites(r);
    expect(status.type).toBe("updateStatus");
    const ready = objectOf(status).status!.conditions!.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
      lastHeartbeatTime: iso(T0),
      lastTransitionTime: iso(now),
    });
    expect(objectOf(status).status!.conditions!.map((c) => [c.type, c.status])).toEqual([
      ["Ready", "Unknown"],
      ["MemoryPressure", "Unknown"],
      ["DiskPressure", "Unknown"],
      ["PIDPressure", "Unknown"],
    ]);
    expect(events(r)).toEqual([
      expect.objectContaining({ reason: "NodeNotReady", message: "Node n1 status is now: NodeNotReady", component: "node-controller" }),
    ]);
    const pw = podWrites(r);
    expect(pw.map((a) => a.type)).toEqual(["updateStatus", "updateStatus", "updateStatus"]);
    for (const a of pw) {
      expect(objectOf(a).status!.conditions!.find((c) => c.type === "Ready")).toMatchObject({
        status: "False",
        lastTransitionTime: iso(now),
      });
    }
    // The taints follow on the next run: one write per node per run.
    expect(r.requeueAfter).toBe(1);
  });

  it("then taints it unreachable (NoSchedule and NoExecute) and times evictions by tolerationSeconds", () => {
    const first = reconcileNodeLifecycle({ node, lease, now: T0 + 41_000, podsOnNode: pods });
    const unknown = apply(node, first);
    const notReadyPods = pods.map((p) => ({
      ...p,
      status: { ...p.status, conditions: [{ type: "Ready", status: "False" }] },
    }));
    const now = T0 + 42_000;
    const r = reconcileNodeLifecycle({ node: unknown, lease, now, podsOnNode: notReadyPods });
    const [spec] = nodeWrites(r);
    expect(spec.type).toBe("update");
    expect(objectOf(spec).spec!.taints).toEqual([
      { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: iso(now) },
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: iso(now) },
    ]);
    expect(podWrites(r)).toEqual([]);
    // "quick" tolerates 60 s, the others get 300 s from the admission default (or forever).
    expect(r.requeueAfter).toBe(60_000);
  });

  it("deletes pods whose toleration ran out, and keeps requeueing for the rest", () => {
    const taintedAt = T0 + 42_000;
    const tainted: Node = {
      ...node,
      spec: {
        taints: [
          { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: iso(taintedAt) },
          { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: iso(taintedAt) },
        ],
      },
      status: { ...node.status, conditions: [{ type: "Ready", status: "Unknown", lastHeartbeatTime: iso(T0) }] },
    };
    const at = (ms: number) => reconcileNodeLifecycle({ node: tainted, lease, now: taintedAt + ms, podsOnNode: pods });

    const sixty = at(60_000);
    const deletes = sixty.actions.filter((a) => a.type === "delete");
    expect(deletes).toEqual([{ type: "delete", resource: "pods", namespace: "default", name: "quick", uid: "pod-uid-quick" }]);
    const disrupted = objectOf(podWrites(sixty).find((a) => a.type === "updateStatus" && objectOf(a).metadata.name === "quick")!);
    expect(disrupted.status!.conditions).toContainEqual(
      expect.objectContaining({ type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager" }),
    );
    expect(events(sixty)).toContainEqual(
      expect.objectContaining({ reason: "TaintManagerEviction", message: "Marking for deletion Pod default/quick" }),
    );
    expect(sixty.requeueAfter).toBe(240_000);

    const fiveMinutes = at(300_000);
    expect(fiveMinutes.actions.filter((a) => a.type === "delete").map((a) => (a as { name: string }).name)).toEqual([
      "web-1",
      "quick",
    ]);
    expect(fiveMinutes.actions).toContainEqual(expect.objectContaining({ type: "delete", name: "web-1", namespace: "shop" }));
    // "pinned" tolerates unreachable forever.
    expect(fiveMinutes.requeueAfter).toBeUndefined();
  });

  it("drops the taints once the heartbeat is fresh again, leaving Ready to the agent", () => {
    const down: Node = {
      ...node,
      spec: {
        taints: [
          { key: "dedicated", value: "infra", effect: "NoSchedule" },
          { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: iso(T0 + 42_000) },
          { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: iso(T0 + 42_000) },
        ],
      },
      status: { ...node.status, conditions: [{ type: "Ready", status: "Unknown", lastHeartbeatTime: iso(T0) }] },
    };
    const back = T0 + 200_000;
    const r = reconcileNodeLifecycle({ node: down, lease: testLease("n1", back), now: back + 1_000, podsOnNode: pods });
    expect(nodeWrites(r)).toHaveLength(1);
    expect(objectOf(nodeWrites(r)[0]).spec!.taints).toEqual([{ key: "dedicated", value: "infra", effect: "NoSchedule" }]);
    expect(podWrites(r)).toEqual([]);
    expect(r.actions.some((a) => a.type === "delete")).toBe(false);
  });
});

describe("taints from conditions and cordoning", () => {
  const now = T0 + 5_000;

  it("taints a cordoned node unschedulable and untaints it when uncordoned", () => {
    const cordoned = testNode("n1", { unschedulable: true, heartbeat: T0 });
    const r = reconcileNodeLifecycle({ node: cordoned, now, podsOnNode: [] });
    expect(objectOf(nodeWrites(r)[0]).spec!.taints).toEqual([
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: iso(now) },
    ]);
    const uncordoned = testNode("n1", {
      heartbeat: T0,
      taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: iso(T0) }],
    });
    const r2 = reconcileNodeLifecycle({ node: uncordoned, now, podsOnNode: [] });
    expect(objectOf(nodeWrites(r2)[0]).spec!.taints).toEqual([]);
  });

  it("taints a node its agent reports NotReady with not-ready NoSchedule and NoExecute", () => {
    const notReady = testNode("n1", { ready: "False", heartbeat: T0 });
    const r = reconcileNodeLifecycle({ node: notReady, now, podsOnNode: [] });
    expect(objectOf(nodeWrites(r)[0]).spec!.taints!.map((t) => `${t.key}:${t.effect}`)).toEqual([
      "node.kubernetes.io/not-ready:NoSchedule",
      "node.kubernetes.io/not-ready:NoExecute",
    ]);
  });

  it("writes nothing when the taints are already right", () => {
    const n = testNode("n1", {
      heartbeat: T0,
      unschedulable: true,
      taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: iso(T0 - 1) }],
    });
    expect(reconcileNodeLifecycle({ node: n, now, podsOnNode: [] }).actions).toEqual([]);
  });

  it("evicts at once pods that do not tolerate a user NoExecute taint", () => {
    const n = testNode("n1", { heartbeat: T0, taints: [{ key: "maintenance", effect: "NoExecute", timeAdded: iso(T0) }] });
    const pod = testPod("web", { nodeName: "n1", ready: true });
    const r = reconcileNodeLifecycle({ node: n, now, podsOnNode: [pod, testPod("gone", { nodeName: "n1", deleting: true })] });
    expect(r.actions.filter((a) => a.type === "delete")).toEqual([
      { type: "delete", resource: "pods", namespace: "default", name: "web", uid: "pod-uid-web" },
    ]);
  });
});

it("gives a node that never reported the startup grace period, then marks it NeverUpdated", () => {
  const created = T0;
  const fresh = testNode("n1", { ready: null, created });
  expect(reconcileNodeLifecycle({ node: fresh, now: created + 50_000, podsOnNode: [] }).requeueAfter).toBe(10_001);
  const r = reconcileNodeLifecycle({ node: fresh, now: created + 61_000, podsOnNode: [] });
  const conditions = objectOf(nodeWrites(r)[0]).status!.conditions!;
  expect(conditions).toHaveLength(4);
  expect(conditions[0]).toMatchObject({
    type: "Ready",
    status: "Unknown",
    reason: "NodeStatusNeverUpdated",
    message: "Kubelet never posted node status.",
  });
  // Ready was never True, so there is no NodeNotReady transition to report.
  expect(events(r)).toEqual([]);
});
