import { describe, expect, it } from "vitest";
import { reconcileNamespaceContent, reconcileNamespaceDeletion } from "./namespace.js";
import { FakeNamespace, T0, makeDeployment, makePod, makeReplicaSet } from "./testing/workloads.js";
import type { Namespace } from "../schema/core.js";
import type { Action } from "./types.js";
import { formatTime } from "./time.js";

const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const cond = (conditions: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string | null }[], type: string) => conditions.find((c) => c.type === type)!;

describe("reconcileNamespaceContent", () => {
  it("deletes everything: pods gracefully, the rest in the background", () => {
    const result = reconcileNamespaceContent(
      { deployments: [makeDeployment("web")], replicasets: [makeReplicaSet("web-1")], pods: [makePod("a"), makePod("b")], configmaps: [] },
      T0,
    );
    expect(of(result.actions, "delete")).toEqual([
      { type: "delete", resource: "deployments", name: "web", uid: "uid-web", propagationPolicy: "Background" },
      { type: "delete", resource: "replicasets", name: "web-1", uid: "uid-web-1", propagationPolicy: "Background" },
      { type: "delete", resource: "pods", name: "a", uid: "uid-a" },
      { type: "delete", resource: "pods", name: "b", uid: "uid-b" },
    ]);
    expect(result.done).toBe(false);
    expect(cond(result.conditions, "NamespaceContentRemaining")).toMatchObject({
      status: "True",
      reason: "SomeResourcesRemain",
      message: "Some resources are remaining: pods. has 2 resource instances",
    });
  });

  it("does not delete again what is already terminating, and waits out its grace period", () => {
    const pod = makePod("a", { deleting: true });
    pod.metadata.deletionTimestamp = formatTime(T0 + 20_000);
    const cm = { metadata: { name: "cfg", uid: "u", finalizers: ["example.com/hold"], deletionTimestamp: formatTime(T0) } };
    const result = reconcileNamespaceContent({ pods: [pod], configmaps: [cm] }, T0);
    expect(result.actions).toEqual([]);
    expect(result.requeueAfter).toBe(20_000);
    expect(cond(result.conditions, "NamespaceFinalizersRemaining")).toMatchObject({
      status: "True",
      reason: "SomeFinalizersRemain",
      message: "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
    });
    expect(cond(result.conditions, "NamespaceContentRemaining").message).toBe("Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances");
  });

  it("reports done with all conditions False once the namespace is empty", () => {
    const result = reconcileNamespaceContent({ pods: [], configmaps: [] }, T0);
    expect(result).toMatchObject({ actions: [], done: true });
    expect(result.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      "NamespaceDeletionDiscoveryFailure=False/ResourcesDiscovered",
      "NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions",
      "NamespaceDeletionContentFailure=False/ContentDeleted",
      "NamespaceContentRemaining=False/ContentRemoved",
      "NamespaceFinalizersRemaining=False/ContentHasNoFinalizers",
    ]);
  });
});

describe("reconcileNamespaceDeletion", () => {
  const ns: Namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", uid: "uid-ns", resourceVersion: "5" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };

  it("leaves a live namespace alone", () => {
    expect(reconcileNamespaceDeletion(ns, { pods: [makePod("a")] }, T0).actions).toEqual([]);
  });

  it("empties a terminating namespace pass by pass and then reports done", () => {
    const store = new FakeNamespace();
    store.put("deployments", makeDeployment("web"));
    store.put("pods", makePod("a"));
    store.put("pods", makePod("b"));
    let terminating: Namespace = { ...ns, metadata: { ...ns.metadata, deletionTimestamp: formatTime(T0) } };
    const contents = () => ({ deployments: store.list("deployments"), pods: store.list("pods") });

    const first = reconcileNamespaceDeletion(terminating, contents(), T0);
    expect(of(first.actions, "delete")).toHaveLength(3);
    const status = of(first.actions, "updateStatus")[0].object as Namespace;
    expect(status.status!.phase).toBe("Terminating");
    terminating = status;
    store.apply(first.actions.filter((a) => a.type !== "updateStatus"));

    const second = reconcileNamespaceDeletion(terminating, contents(), T0 + 1000);
    expect(second.done).toBe(false);
    expect(of(second.actions, "delete")).toHaveLength(0);
    store.reapTerminatedPods();

    const last = reconcileNamespaceDeletion(terminating, contents(), T0 + 2000);
    expect(last.done).toBe(true);
    const final = of(last.actions, "updateStatus")[0].object as Namespace;
    expect(cond(final.status!.conditions!, "NamespaceContentRemaining").status).toBe("False");
    // Unchanged statuses keep their transition time.
    expect(cond(final.status!.conditions!, "NamespaceDeletionDiscoveryFailure").lastTransitionTime).toBe(formatTime(T0));
  });
});
