import { describe, expect, it } from "vitest";
import { collectGarbage, findOrphans, reconcileOwnerDeletion } from "./garbage-collector.js";
import { FakeNamespace, T0, makeDeployment, makePod, makeReplicaSet, settle, type ControllerPass } from "./testing/workloads.js";
import type { KubeObject } from "../schema/meta.js";
import type { Action } from "./types.js";
import { formatTime } from "./time.js";

const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const ownedBy = (owner: KubeObject, kind: string, apiVersion = "apps/v1", block = true) => ({
  apiVersion,
  kind,
  name: owner.metadata.name!,
  uid: owner.metadata.uid!,
  controller: true,
  blockOwnerDeletion: block,
});
const gc: ControllerPass = (ns) =>
  collectGarbage(Object.fromEntries([...ns.store.keys()].map((r) => [r, ns.list(r)]))).actions;

/** deploy → rs → 2 pods, as the controllers would leave them. */
function chain(ns: FakeNamespace) {
  const d = makeDeployment("web");
  const rs = makeReplicaSet("web-abc", {}, { ownerReferences: [ownedBy(d, "Deployment")] });
  ns.put("deployments", d);
  ns.put("replicasets", rs);
  for (const n of ["web-abc-1", "web-abc-2"]) ns.put("pods", makePod(n, { owner: rs, labels: { app: "web" } }));
  return { d, rs };
}

const names = (ns: FakeNamespace) => [...ns.store.entries()].flatMap(([r, m]) => [...m.keys()].map((n) => `${r}/${n}`)).sort();

describe("collectGarbage", () => {
  it("Background: deletes dependents level by level once their owner is gone", () => {
    const ns = new FakeNamespace();
    chain(ns);
    ns.apply([{ type: "delete", resource: "deployments", name: "web", propagationPolicy: "Background" }]);
    const first = gc(ns);
    expect(first).toEqual([{ type: "delete", resource: "replicasets", name: "web-abc", uid: "uid-web-abc", propagationPolicy: "Background" }]);
    settle(ns, [gc], { ready: false });
    expect(names(ns)).toEqual([]);
  });

  it("Foreground: the owner keeps its finalizer until blocking dependents are gone", () => {
    const ns = new FakeNamespace();
    chain(ns);
    ns.apply([{ type: "delete", resource: "deployments", name: "web", propagationPolicy: "Foreground" }]);
    expect(ns.get("deployments", "web")!.metadata.finalizers).toEqual(["foregroundDeletion"]);
    // The ReplicaSet has dependents of its own, so the foreground cascades.
    expect(gc(ns)).toEqual([{ type: "delete", resource: "replicasets", name: "web-abc", uid: "uid-web-abc", propagationPolicy: "Foreground" }]);
    ns.apply(gc(ns));
    expect(of(gc(ns), "delete").map((d) => d.name).sort()).toEqual(["web-abc-1", "web-abc-2"]);
    ns.apply(gc(ns));
    // Pods terminating: nothing may be released yet.
    expect(gc(ns)).toEqual([]);
    expect(names(ns)).toContain("deployments/web");
    settle(ns, [gc], { ready: false });
    expect(names(ns)).toEqual([]);
  });

  it("Foreground does not wait for dependents that do not block", () => {
    const owner = makeReplicaSet("rs", {}, { deletionTimestamp: formatTime(T0), finalizers: ["foregroundDeletion"] });
    const pod = makePod("p", { owner });
    pod.metadata.ownerReferences![0].blockOwnerDeletion = false;
    const { actions } = collectGarbage({ replicasets: [owner], pods: [pod] });
    expect(actions.map((a) => a.type === "update" ? `update ${a.object.metadata.name} finalizers=${a.object.metadata.finalizers}` : `${a.type} ${"name" in a ? a.name : ""}`)).toEqual([
      "update rs finalizers=undefined",
      "delete p",
    ]);
  });

  it("Orphan: strips the ownerReference from dependents, then drops the finalizer", () => {
    const ns = new FakeNamespace();
    const { rs } = chain(ns);
    ns.apply([{ type: "delete", resource: "replicasets", name: rs.metadata.name!, propagationPolicy: "Orphan" }]);
    const first = gc(ns);
    expect(first.map((a) => a.type === "update" && `${a.resource}/${a.object.metadata.name}`)).toEqual(["pods/web-abc-1", "pods/web-abc-2"]);
    expect(of(first, "update").every((u) => u.object.metadata.ownerReferences === undefined)).toBe(true);
    ns.apply(first);
    const second = gc(ns);
    expect(second).toHaveLength(1);
    expect(of(second, "update")[0].object.metadata.finalizers).toBeUndefined();
    ns.apply(second);
    expect(names(ns)).toEqual(["deployments/web", "pods/web-abc-1", "pods/web-abc-2"]);
  });

  it("keeps an object that still has a live owner, forgetting only the gone one", () => {
    const alive = makeReplicaSet("alive");
    const pod = makePod("p", { owner: alive });
    pod.metadata.ownerReferences!.push({ ...ownedBy(makeReplicaSet("gone"), "ReplicaSet"), controller: false });
    const { actions } = collectGarbage({ replicasets: [alive], pods: [pod] });
    expect(actions).toHaveLength(1);
    expect(of(actions, "update")[0].object.metadata.ownerReferences!.map((r) => r.name)).toEqual(["alive"]);
  });

  it("treats a same-named owner with another uid as gone", () => {
    const successor = makeReplicaSet("rs", {}, { uid: "uid-new" });
    const pod = makePod("p", { owner: makeReplicaSet("rs", {}, { uid: "uid-old" }) });
    expect(of(collectGarbage({ replicasets: [successor], pods: [pod] }).actions, "delete").map((d) => d.name)).toEqual(["p"]);
  });

  it("assumes cluster-scoped owners alive unless told which exist", () => {
    const pod = makePod("p");
    pod.metadata.ownerReferences = [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-n1" }];
    expect(collectGarbage({ pods: [pod] }).actions).toEqual([]);
    expect(collectGarbage({ pods: [pod] }, { clusterUids: new Set() }).actions.map((a) => a.type)).toEqual(["delete"]);
    expect(collectGarbage({ pods: [pod] }, { clusterUids: new Set(["uid-n1"]) }).actions).toEqual([]);
  });

  it("honours the dependent's own orphan finalizer when deleting it", () => {
    const pod = makePod("p", { owner: makeReplicaSet("gone") });
    pod.metadata.finalizers = ["orphan"];
    expect(of(collectGarbage({ pods: [pod] }).actions, "delete")[0].propagationPolicy).toBe("Orphan");
  });
});

describe("reconcileOwnerDeletion and findOrphans", () => {
  it("releases dependents of an orphaning owner", () => {
    const owner = makeReplicaSet("rs", {}, { deletionTimestamp: formatTime(T0), finalizers: ["orphan"] });
    const pod = makePod("p", { owner });
    const { actions } = reconcileOwnerDeletion({ resource: "replicasets", object: owner }, [{ resource: "pods", object: pod }]);
    expect(actions).toEqual([{ type: "update", resource: "pods", object: { ...pod, metadata: { ...pod.metadata, ownerReferences: undefined } } }]);
    const done = reconcileOwnerDeletion({ resource: "replicasets", object: owner }, []);
    expect(of(done.actions, "update")[0].object.metadata.finalizers).toBeUndefined();
  });

  it("finds objects none of whose owners is live", () => {
    const a = makePod("a", { owner: makeReplicaSet("x") });
    const b = makePod("b", { owner: makeReplicaSet("y") });
    const c = makePod("c");
    const actions = findOrphans([a, b, c].map((object) => ({ resource: "pods", object })), new Set(["uid-y"]));
    expect(actions).toEqual([{ type: "delete", resource: "pods", name: "a", uid: "uid-a", propagationPolicy: "Background" }]);
  });
});
