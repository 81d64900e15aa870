import { describe, expect, it } from "vitest";
import { reconcileReplicaSet, syncReplicaSet } from "./replicaset.js";
import { podsToDelete } from "./pod-deletion-order.js";
import { FakeNamespace, T0, makePod, makeReplicaSet, sequentialSuffix } from "./testing/workloads.js";
import type { Action } from "./types.js";
import type { Pod } from "../schema/core.js";

const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

describe("reconcileReplicaSet", () => {
  const rs = makeReplicaSet("web", { replicas: 3 });

  it("creates missing pods from the template with a controller ownerReference and events", () => {
    const { actions } = reconcileReplicaSet(rs, [], T0, sequentialSuffix());
    const creates = of(actions, "create");
    expect(creates).toHaveLength(3);
    const pod = creates[0].object as Pod;
    expect(pod.metadata.name).toBe("web-xxxx0");
    expect(pod.metadata.generateName).toBe("web-");
    expect(pod.metadata.labels).toEqual({ app: "web" });
    expect(pod.metadata.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "uid-web", controller: true, blockOwnerDeletion: true },
    ]);
    expect(of(actions, "event").map((e) => `${e.reason}: ${e.message}`)).toEqual([
      "SuccessfulCreate: Created pod: web-xxxx0",
      "SuccessfulCreate: Created pod: web-xxxx1",
      "SuccessfulCreate: Created pod: web-xxxx2",
    ]);
    expect(of(actions, "event")[0].component).toBe("replicaset-controller");
  });

  it("adopts matching orphans and releases owned pods that stopped matching", () => {
    const orphan = makePod("orphan", { labels: { app: "web" } });
    const strayed = makePod("strayed", { labels: { app: "other" }, owner: rs });
    const owned = makePod("owned", { labels: { app: "web" }, owner: rs });
    const foreign = makePod("foreign", { labels: { app: "web" }, owner: makeReplicaSet("other") });
    const { actions } = reconcileReplicaSet(rs, [orphan, strayed, owned, foreign], T0, sequentialSuffix());
    const updates = of(actions, "update").map((u) => u.object as Pod);
    expect(updates.find((p) => p.metadata.name === "orphan")!.metadata.ownerReferences?.[0].uid).toBe("uid-web");
    expect(updates.find((p) => p.metadata.name === "strayed")!.metadata.ownerReferences).toBeUndefined();
    expect(updates.map((p) => p.metadata.name).sort()).toEqual(["orphan", "strayed"]);
    // orphan + owned count: one more pod needed.
    expect(of(actions, "create")).toHaveLength(1);
  });

  it("does not count pods that are finished or being deleted", () => {
    const pods = [
      makePod("a", { labels: { app: "web" }, owner: rs, phase: "Succeeded" }),
      makePod("b", { labels: { app: "web" }, owner: rs, deleting: true }),
      makePod("c", { labels: { app: "web" }, owner: rs }),
    ];
    const { actions } = reconcileReplicaSet(rs, pods, T0, sequentialSuffix());
    expect(of(actions, "create")).toHaveLength(2);
    expect((of(actions, "updateStatus")[0].object.status as { replicas: number }).replicas).toBe(1);
  });

  it("scales down unscheduled, then pending, then not-ready, then the newest pods", () => {
    const o = { labels: { app: "web" }, owner: rs };
    const pods = [
      makePod("old-ready", { ...o, nodeName: "n1", readySince: T0 - 3600_000, created: T0 - 7200_000 }),
      makePod("new-ready", { ...o, nodeName: "n2", readySince: T0 - 3600_000, created: T0 - 60_000 }),
      makePod("not-ready", { ...o, nodeName: "n3" }),
      makePod("pending", { ...o, nodeName: "n4", phase: "Pending" }),
      makePod("unscheduled", { ...o, phase: "Pending" }),
    ];
    const order = podsToDelete(pods, 4, T0).map((p) => p.metadata.name);
    expect(order).toEqual(["unscheduled", "pending", "not-ready", "new-ready"]);
    const { actions } = reconcileReplicaSet(makeReplicaSet("web", { replicas: 2 }), pods, T0, sequentialSuffix());
    expect(of(actions, "delete").map((d) => d.name)).toEqual(["unscheduled", "pending", "not-ready"]);
    expect(of(actions, "event").map((e) => e.message)).toContain("Deleted pod: pending");
  });

  it("prefers pods doubled up on a node and with lower deletion cost", () => {
    const o = { labels: { app: "web" }, owner: rs, readySince: T0 - 1000 };
    const pods = [makePod("alone", { ...o, nodeName: "n1" }), makePod("pair-1", { ...o, nodeName: "n2" }), makePod("pair-2", { ...o, nodeName: "n2" })];
    expect(podsToDelete(pods, 1, T0)[0].metadata.name).toMatch(/^pair-/);
    const cheap = makePod("cheap", { ...o, nodeName: "n3" });
    cheap.metadata.annotations = { "controller.kubernetes.io/pod-deletion-cost": "-10" };
    expect(podsToDelete([...pods, cheap], 1, T0)[0].metadata.name).toBe("cheap");
  });

  it("reports status and requeues until minReadySeconds has passed", () => {
    const slow = makeReplicaSet("web", { replicas: 2, minReadySeconds: 30 }, { generation: 4 });
    const o = { labels: { app: "web" }, owner: slow, nodeName: "n1" };
    const pods = [makePod("a", { ...o, readySince: T0 - 60_000 }), makePod("b", { ...o, readySince: T0 - 10_000 })];
    const { actions, requeueAfter } = reconcileReplicaSet(slow, pods, T0, sequentialSuffix());
    expect(of(actions, "updateStatus")[0].object.status).toEqual({
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 4,
    });
    expect(requeueAfter).toBe(20_001);
  });

  it("writes nothing when the status is already current", () => {
    const pods = [1, 2, 3].map((i) => makePod(`p${i}`, { labels: { app: "web" }, owner: rs, readySince: T0 }));
    const first = reconcileReplicaSet(rs, pods, T0 + 1000, sequentialSuffix());
    const settled = { ...rs, status: of(first.actions, "updateStatus")[0].object.status };
    expect(reconcileReplicaSet(settled, pods, T0 + 1000, sequentialSuffix()).actions).toEqual([]);
  });

  it("creates nothing while the ReplicaSet is being deleted", () => {
    const deleting = makeReplicaSet("web", {}, { deletionTimestamp: "2026-01-01T00:00:00Z" });
    expect(of(reconcileReplicaSet(deleting, [], T0, sequentialSuffix()).actions, "create")).toHaveLength(0);
  });

  it("converges through the snapshot entry point", () => {
    const ns = new FakeNamespace();
    ns.put("replicasets", rs);
    const suffix = sequentialSuffix();
    for (let i = 0; i < 3; i++) {
      ns.apply(syncReplicaSet(ns.snapshot(), "web", suffix).actions);
      ns.runPods();
    }
    expect(ns.list("pods")).toHaveLength(3);
    expect(ns.get<typeof rs>("replicasets", "web")!.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
  });
});
