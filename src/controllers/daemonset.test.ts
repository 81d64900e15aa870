import { describe, expect, it } from "vitest";
import type { DaemonSet } from "../schema/apps.js";
import type { Pod } from "../schema/core.js";
import { maxUnavailableFor, reconcileDaemonSet, rollingUpdateDeletes } from "./daemonset.js";
import { daemonSetHash, newDaemonPod, podsByNode } from "./daemonset-pods.js";
import { T0, iso, ownedBy, testNode } from "./testing/nodes.js";
import type { Action, ReconcileResult } from "./types.js";

function daemonSet(over: Partial<DaemonSet["spec"]> = {}, generation = 1): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "kube-system", uid: "ds-uid", generation, resourceVersion: "10" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: {
        metadata: { labels: { app: "agent" } },
        spec: { containers: [{ name: "agent", image: "agent:1" }], nodeSelector: { role: "worker" } },
      },
      ...over,
    },
  };
}

/** A daemon pod as the controller made it, bound and optionally ready since `readySince`. */
function daemonPod(ds: DaemonSet, node: string, opts: { ready?: boolean; readySince?: number; hash?: string; name?: string; created?: number; phase?: "Running" | "Failed" } = {}): Pod {
  const pod = newDaemonPod(ds, opts.hash ?? daemonSetHash(ds), node, opts.name ?? `agent-${node}`);
  pod.metadata.uid = `uid-${pod.metadata.name}`;
  pod.metadata.creationTimestamp = iso(opts.created ?? T0 - 600_000);
  pod.spec.nodeName = node;
  pod.status = {
    phase: opts.phase ?? "Running",
    conditions: [
      { type: "Ready", status: opts.ready === false ? "False" : "True", lastTransitionTime: iso(opts.readySince ?? T0 - 300_000) },
    ],
  };
  return pod;
}

const workers = (...names: string[]) => names.map((n) => testNode(n, { labels: { role: "worker" } }));
const ofType = <T extends Action["type"]>(r: ReconcileResult, type: T) =>
  r.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const created = (r: ReconcileResult) => ofType(r, "create").map((a) => a.object as Pod);
const deleted = (r: ReconcileResult) => ofType(r, "delete").map((a) => a.name);
const statusOf = (r: ReconcileResult) => (ofType(r, "updateStatus")[0]?.object as DaemonSet | undefined)?.status;

describe("placement", () => {
  it("creates one pinned pod per eligible node, skipping non-matching and tainted nodes", () => {
    const ds = daemonSet();
    const nodes = [
      ...workers("w1"),
      testNode("w2", { labels: { role: "worker" }, taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] }),
      testNode("m1", { labels: { role: "control-plane" } }),
    ];
    const r = reconcileDaemonSet(ds, { nodes, pods: [], now: T0 });
    const [pod] = created(r);
    expect(created(r)).toHaveLength(1);
    expect(pod.metadata.name).toMatch(/^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.metadata.ownerReferences).toEqual([ownedBy("DaemonSet", "agent", "ds-uid")]);
    expect(pod.metadata.labels).toEqual({ app: "agent", "controller-revision-hash": daemonSetHash(ds), "pod-template-generation": "1" });
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["w1"] }] }],
    });
    expect(pod.spec.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule",
      "node.kubernetes.io/unschedulable:NoSchedule",
    ]);
    expect(ofType(r, "event")).toEqual([expect.objectContaining({ reason: "SuccessfulCreate", message: `Created pod: ${pod.metadata.name}` })]);
    expect(statusOf(r)).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0, observedGeneration: 1, numberUnavailable: 1 });
  });

  it("counts an unbound pod pinned to a node as that node's pod", () => {
    const ds = daemonSet();
    const pending = newDaemonPod(ds, daemonSetHash(ds), "w1", "agent-pend1");
    expect([...podsByNode([pending]).keys()]).toEqual(["w1"]);
    expect(created(reconcileDaemonSet(ds, { nodes: workers("w1"), pods: [pending], now: T0 }))).toEqual([]);
  });

  it("adds a pod when a node joins and removes it when the node leaves or stops matching", () => {
    const ds = daemonSet();
    const pods = [daemonPod(ds, "w1"), daemonPod(ds, "gone"), daemonPod(ds, "w3")];
    const nodes = [...workers("w1", "w2"), testNode("w3", { labels: { role: "control-plane" } })];
    const r = reconcileDaemonSet(ds, { nodes, pods, now: T0 });
    expect(created(r).map((p) => p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0].matchFields?.[0].values)).toEqual([["w2"]]);
    expect(deleted(r).sort()).toEqual(["agent-gone", "agent-w3"]);
    expect(ofType(r, "event").filter((e) => e.reason === "SuccessfulDelete").map((e) => e.message).sort()).toEqual([
      "Deleted pod: agent-gone",
      "Deleted pod: agent-w3",
    ]);
  });

  it("keeps a running pod on a node that gained a NoSchedule taint, evicts under an untolerated NoExecute one", () => {
    const ds = daemonSet();
    const soft = testNode("w1", { labels: { role: "worker" }, taints: [{ key: "maint", effect: "NoSchedule" }] });
    const hard = testNode("w2", { labels: { role: "worker" }, taints: [{ key: "maint", effect: "NoExecute" }] });
    const r = reconcileDaemonSet(ds, { nodes: [soft, hard], pods: [daemonPod(ds, "w1"), daemonPod(ds, "w2")], now: T0 });
    expect(deleted(r)).toEqual(["agent-w2"]);
    expect(statusOf(r)).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 2 });
  });

  it("runs on cordoned nodes and stays on unreachable ones, as the daemon tolerations allow", () => {
    const ds = daemonSet();
    const cordoned = testNode("w1", {
      labels: { role: "worker" },
      unschedulable: true,
      taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }],
    });
    const unreachable = testNode("w2", {
      labels: { role: "worker" },
      taints: [
        { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
        { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      ],
    });
    const r = reconcileDaemonSet(ds, { nodes: [cordoned, unreachable], pods: [daemonPod(ds, "w2")], now: T0 });
    expect(created(r)).toHaveLength(1);
    expect(deleted(r)).toEqual([]);
  });

  it("deletes duplicates (keeping the oldest) and failed pods with a warning", () => {
    const ds = daemonSet();
    const pods = [
      daemonPod(ds, "w1", { name: "agent-new", created: T0 - 1_000 }),
      daemonPod(ds, "w1", { name: "agent-old", created: T0 - 9_000 }),
      daemonPod(ds, "w2", { name: "agent-dead", phase: "Failed" }),
    ];
    const r = reconcileDaemonSet(ds, { nodes: workers("w1", "w2"), pods, now: T0 });
    expect(deleted(r)).toEqual(["agent-dead", "agent-new"]);
    expect(ofType(r, "event")).toContainEqual(
      expect.objectContaining({ eventType: "Warning", reason: "FailedDaemonPod", message: "Found failed daemon pod kube-system/agent-dead on node w2, will try to kill it" }),
    );
  });

  it("adopts a matching orphan instead of creating a second pod", () => {
    const ds = daemonSet();
    const orphan = daemonPod(ds, "w1");
    orphan.metadata.ownerReferences = undefined;
    const r = reconcileDaemonSet(ds, { nodes: workers("w1"), pods: [orphan], now: T0 });
    expect(ofType(r, "update").map((a) => a.object.metadata.ownerReferences)).toEqual([[ownedBy("DaemonSet", "agent", "ds-uid")]]);
    expect(created(r)).toEqual([]);
  });
});

describe("rolling update", () => {
  const nodes = workers("w1", "w2", "w3", "w4", "w5");
  const old = daemonSet();
  const oldHash = daemonSetHash(old);
  const next = (rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string }) =>
    daemonSet({
      template: { ...old.spec.template, spec: { ...old.spec.template.spec, containers: [{ name: "agent", image: "agent:2" }] } },
      ...(rollingUpdate ? { updateStrategy: { type: "RollingUpdate", rollingUpdate } } : {}),
    }, 2);

  it("resolves maxUnavailable: default 1, percentages rounded up, never 0 with 0 surge", () => {
    expect(maxUnavailableFor(next(), 5)).toBe(1);
    expect(maxUnavailableFor(next({ maxUnavailable: 2 }), 5)).toBe(2);
    expect(maxUnavailableFor(next({ maxUnavailable: "30%" }), 5)).toBe(2);
    expect(maxUnavailableFor(next({ maxUnavailable: 0 }), 5)).toBe(1);
  });

  it("deletes up to maxUnavailable old pods, in node order", () => {
    const ds = next({ maxUnavailable: 2 });
    const pods = nodes.map((n) => daemonPod(old, n.metadata.name!, { hash: oldHash }));
    const r = reconcileDaemonSet(ds, { nodes, pods, now: T0 });
    expect(deleted(r)).toEqual(["agent-w1", "agent-w2"]);
    expect(created(r)).toEqual([]);
    expect(statusOf(r)).toMatchObject({ desiredNumberScheduled: 5, numberAvailable: 5, observedGeneration: 2 });
    expect(statusOf(r)).not.toHaveProperty("updatedNumberScheduled");
  });

  it("counts nodes being replaced and unavailable new pods against the budget", () => {
    const ds = next({ maxUnavailable: 2 });
    const hash = daemonSetHash(ds);
    const pods = [
      // w1: old pod gone, nothing yet (manage will create) → unavailable.
      daemonPod(ds, "w2", { hash, ready: false }),
      ...["w3", "w4", "w5"].map((n) => daemonPod(old, n, { hash: oldHash })),
    ];
    const byNode = podsByNode(pods);
    expect(rollingUpdateDeletes(ds, hash, byNode, ["w1", "w2", "w3", "w4", "w5"], T0)).toEqual([]);
    // Once the w2 pod is available, one more old pod may go.
    const ready = [daemonPod(ds, "w2", { hash }), ...pods.slice(1)];
    expect(rollingUpdateDeletes(ds, hash, podsByNode(ready), ["w1", "w2", "w3", "w4", "w5"], T0).map((p) => p.metadata.name)).toEqual(["agent-w3"]);
  });

  it("always replaces old pods that are unavailable anyway", () => {
    const ds = next({ maxUnavailable: 1 });
    const pods = [
      daemonPod(old, "w1", { hash: oldHash, ready: false }),
      daemonPod(old, "w2", { hash: oldHash, ready: false }),
      ...["w3", "w4", "w5"].map((n) => daemonPod(old, n, { hash: oldHash })),
    ];
    const r = reconcileDaemonSet(ds, { nodes, pods, now: T0 });
    expect(deleted(r)).toEqual(["agent-w1", "agent-w2"]);
  });

  it("waits for minReadySeconds before counting a new pod available", () => {
    const ds = next({ maxUnavailable: 1 });
    ds.spec.minReadySeconds = 30;
    const hash = daemonSetHash(ds);
    const pods = [daemonPod(ds, "w1", { hash, readySince: T0 - 10_000 }), ...["w2", "w3", "w4", "w5"].map((n) => daemonPod(old, n, { hash: oldHash }))];
    const r = reconcileDaemonSet(ds, { nodes, pods, now: T0 });
    expect(deleted(r)).toEqual([]);
    expect(r.requeueAfter).toBe(20_001);
    expect(statusOf(r)).toMatchObject({ numberReady: 5, numberAvailable: 4, numberUnavailable: 1, updatedNumberScheduled: 1 });
  });

  it("leaves old pods alone with OnDelete, and creates new-revision pods where they were deleted", () => {
    const ds = daemonSet({ ...next().spec, updateStrategy: { type: "OnDelete" } }, 2);
    const pods = ["w2", "w3", "w4", "w5"].map((n) => daemonPod(old, n, { hash: oldHash }));
    const r = reconcileDaemonSet(ds, { nodes, pods, now: T0 });
    expect(deleted(r)).toEqual([]);
    expect(created(r).map((p) => p.metadata.labels?.["controller-revision-hash"])).toEqual([daemonSetHash(ds)]);
  });
});

describe("status", () => {
  it("does not write an unchanged status", () => {
    const ds = daemonSet();
    const pods = [daemonPod(ds, "w1")];
    const first = reconcileDaemonSet(ds, { nodes: workers("w1"), pods, now: T0 });
    const status = statusOf(first)!;
    expect(status).toEqual({
      currentNumberScheduled: 1,
      numberMisscheduled: 0,
      desiredNumberScheduled: 1,
      numberReady: 1,
      observedGeneration: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
    });
    const again = reconcileDaemonSet({ ...ds, status }, { nodes: workers("w1"), pods, now: T0 });
    expect(again.actions).toEqual([]);
  });
});
