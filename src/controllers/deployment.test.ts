import { describe, expect, it } from "vitest";
import { reconcileDeployment, syncDeployment } from "./deployment.js";
import { syncReplicaSet } from "./replicaset.js";
import { computePodTemplateHash } from "./pod-template-hash.js";
import { FakeNamespace, T0, makeDeployment, makeReplicaSet, podTemplate, sequentialSuffix, settle, type ControllerPass } from "./testing/workloads.js";
import type { Deployment, ReplicaSet } from "../schema/apps.js";
import type { Pod } from "../schema/core.js";
import type { Action } from "./types.js";

const suffix = sequentialSuffix();
const deployments: ControllerPass = (ns) => ns.list("deployments").flatMap((d) => syncDeployment(ns.snapshot(), d.metadata.name!).actions);
const replicaSets: ControllerPass = (ns) => ns.list("replicasets").flatMap((rs) => syncReplicaSet(ns.snapshot(), rs.metadata.name!, suffix).actions);
const passes = [deployments, replicaSets];

const rsList = (ns: FakeNamespace) => ns.list<ReplicaSet>("replicasets").sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const deploy = (ns: FakeNamespace, name = "web") => ns.get<Deployment>("deployments", name)!;
const livePods = (ns: FakeNamespace) => ns.list<Pod>("pods").filter((p) => !p.metadata.deletionTimestamp);
const readyPods = (ns: FakeNamespace) => livePods(ns).filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));

/** Replace the Deployment's spec the way an API PUT/PATCH would (generation bump). */
function edit(ns: FakeNamespace, name: string, change: (d: Deployment) => void) {
  const d = structuredClone(deploy(ns, name));
  change(d);
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
  ns.put("deployments", d);
}

function freshNamespace(d: Deployment): FakeNamespace {
  const ns = new FakeNamespace();
  ns.put("deployments", d);
  return ns;
}

describe("reconcileDeployment: first sync", () => {
  it("creates the ReplicaSet <name>-<hash> with the hash label, revision 1 and replica annotations", () => {
    const d = makeDeployment("web", { replicas: 3 }, { annotations: { "kubernetes.io/change-cause": "first" } });
    const { actions } = reconcileDeployment(d, [], [], T0);
    const hash = computePodTemplateHash(d.spec.template);
    const create = actions.find((a) => a.type === "create") as Extract<Action, { type: "create" }>;
    const rs = create.object as ReplicaSet;
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.labels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs.spec.template!.metadata!.labels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs.spec.replicas).toBe(3);
    expect(rs.metadata.annotations).toEqual({
      "kubernetes.io/change-cause": "first",
      "deployment.kubernetes.io/revision": "1",
      "deployment.kubernetes.io/desired-replicas": "3",
      "deployment.kubernetes.io/max-replicas": "4",
    });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "uid-web", controller: true, blockOwnerDeletion: true }]);
    const event = actions.find((a) => a.type === "event") as Extract<Action, { type: "event" }>;
    expect(event).toMatchObject({ reason: "ScalingReplicaSet", message: `Scaled up replica set web-${hash} from 0 to 3`, component: "deployment-controller" });
    // The revision annotation is a metadata write; the status write after it carries no precondition.
    const update = actions.find((a) => a.type === "update" && a.resource === "deployments") as Extract<Action, { type: "update" }>;
    expect(update.object.metadata.annotations).toEqual({ "deployment.kubernetes.io/revision": "1", "kubernetes.io/change-cause": "first" });
    expect(update.object.metadata.resourceVersion).toBe("1");
    const status = actions.find((a) => a.type === "updateStatus") as Extract<Action, { type: "updateStatus" }>;
    expect(status.object.metadata.resourceVersion).toBeUndefined();
    expect(status.object.status.observedGeneration).toBe(1);
    expect(status.object.status.conditions.map((c: { reason: string }) => c.reason)).toEqual(["NewReplicaSetCreated", "MinimumReplicasUnavailable"]);
  });

  it("bumps collisionCount instead of creating over a foreign ReplicaSet with the same name", () => {
    const d = makeDeployment("web");
    const squatter = makeReplicaSet(`web-${computePodTemplateHash(d.spec.template)}`, { selector: { matchLabels: { app: "x" } }, template: podTemplate({ app: "x" }) });
    const { actions } = reconcileDeployment(d, [squatter], [], T0);
    expect(actions.filter((a) => a.type === "create")).toHaveLength(0);
    const status = actions.find((a) => a.type === "updateStatus") as Extract<Action, { type: "updateStatus" }>;
    expect(status.object.status.collisionCount).toBe(1);
    const next = reconcileDeployment({ ...d, status: status.object.status }, [squatter], [], T0);
    const created = next.actions.find((a) => a.type === "create") as Extract<Action, { type: "create" }>;
    expect(created.object.metadata.name).toBe(`web-${computePodTemplateHash(d.spec.template, 1)}`);
  });
});

describe("rolling update", () => {
  it("rolls out a new template to completion with kubectl rollout status fields", () => {
    const ns = freshNamespace(makeDeployment("web", { replicas: 4 }));
    settle(ns, passes);
    const v1 = rsList(ns)[0];
    expect(deploy(ns).status).toMatchObject({ replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4, observedGeneration: 1 });

    edit(ns, "web", (d) => (d.spec.template.spec.containers[0].image = "nginx:1.28"));
    const p = { surge: 1, unavailable: 1 };
    settle(ns, passes, {
      check: () => {
        expect(livePods(ns).length).toBeLessThanOrEqual(4 + p.surge);
        expect(readyPods(ns).length).toBeGreaterThanOrEqual(4 - p.unavailable);
      },
    });
    const [a, b] = rsList(ns);
    const v2 = a.metadata.uid === v1.metadata.uid ? b : a;
    expect(ns.get<ReplicaSet>("replicasets", v1.metadata.name!)!.spec.replicas).toBe(0);
    expect(v2.spec.replicas).toBe(4);
    expect(v2.metadata.annotations!["deployment.kubernetes.io/revision"]).toBe("2");
    const d = deploy(ns);
    expect(d.metadata.annotations!["deployment.kubernetes.io/revision"]).toBe("2");
    expect(d.status).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect(d.status!.unavailableReplicas).toBeUndefined();
    const conditions = Object.fromEntries(d.status!.conditions!.map((c) => [c.type, `${c.status}/${c.reason}`]));
    expect(conditions).toEqual({ Available: "True/MinimumReplicasAvailable", Progressing: "True/NewReplicaSetAvailable" });
    expect(livePods(ns).every((p) => p.metadata.labels!["pod-template-hash"] === v2.metadata.labels!["pod-template-hash"])).toBe(true);
    const messages = ns.events.filter((e) => e.reason === "ScalingReplicaSet").map((e) => e.message);
    expect(messages).toContain(`Scaled down replica set ${v1.metadata.name} from 4 to 3`);
  });

  it("never drops ready pods below spec.replicas with maxUnavailable=0 (10 replicas)", () => {
    const strategy = { type: "RollingUpdate" as const, rollingUpdate: { maxSurge: "20%", maxUnavailable: 0 } };
    const ns = freshNamespace(makeDeployment("web", { replicas: 10, strategy }));
    settle(ns, passes);
    edit(ns, "web", (d) => (d.spec.template.spec.containers[0].image = "nginx:1.28"));
    let maxLive = 0;
    // New pods become ready only one round after they appear, so the surge is really exercised.
    settle(ns, passes, {
      check: () => {
        expect(readyPods(ns).length).toBeGreaterThanOrEqual(10);
        maxLive = Math.max(maxLive, livePods(ns).length);
      },
    });
    expect(maxLive).toBe(12);
    expect(deploy(ns).status).toMatchObject({ replicas: 10, updatedReplicas: 10, availableReplicas: 10 });
  });

  it("keeps the old pods while new ones cannot become ready", () => {
    const ns = freshNamespace(makeDeployment("web", { replicas: 4 }));
    settle(ns, passes);
    edit(ns, "web", (d) => (d.spec.template.spec.containers[0].image = "broken"));
    settle(ns, passes, { ready: (pod) => pod.spec.containers[0].image !== "broken" });
    // maxSurge 1 new pod, maxUnavailable 1 old pod gone: 3 old ready + 2 new stuck.
    expect(readyPods(ns)).toHaveLength(3);
    expect(deploy(ns).status).toMatchObject({ replicas: 5, updatedReplicas: 2, availableReplicas: 3, unavailableReplicas: 2 });
  });

  it("reuses the old ReplicaSet on rollout undo and gives it the next revision", () => {
    const ns = freshNamespace(makeDeployment("web", { replicas: 2 }));
    settle(ns, passes);
    const v1 = rsList(ns)[0];
    edit(ns, "web", (d) => (d.spec.template.spec.containers[0].image = "nginx:1.28"));
    settle(ns, passes);
    // kubectl rollout undo: the old ReplicaSet's template, hash label dropped, Go zero values added.
    const undoTemplate = structuredClone(v1.spec.template!) as any;
    delete undoTemplate.metadata.labels["pod-template-hash"];
    undoTemplate.metadata.creationTimestamp = null;
    undoTemplate.spec.containers[0].resources = {};
    edit(ns, "web", (d) => (d.spec.template = undoTemplate));
    settle(ns, passes);
    expect(rsList(ns)).toHaveLength(2);
    const reused = ns.get<ReplicaSet>("replicasets", v1.metadata.name!)!;
    expect(reused.spec.replicas).toBe(2);
    expect(reused.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
    expect(deploy(ns).metadata.annotations!["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("treats kubectl rollout restart as a template change", () => {
    const ns = freshNamespace(makeDeployment("web", { replicas: 2 }));
    settle(ns, passes);
    edit(ns, "web", (d) => (d.spec.template.metadata!.annotations = { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:05:00Z" }));
    settle(ns, passes);
    expect(rsList(ns).map((rs) => rs.spec.replicas).sort()).toEqual([0, 2]);
    expect(livePods(ns).every((p) => p.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"])).toBe(true);
  });

  it("deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit", () => {
    const ns = freshNamespace(makeDeployment("web", { replicas: 1, revisionHistoryLimit: 1 }));
    settle(ns, passes);
    for (const image of ["a", "b", "c"]) {
      edit(ns, "web", (d) => (d.spec.template.spec.containers[0].image = image));
      settle(ns, passes);
    }
    const revisions = rsList(ns).map((rs) => rs.metadata.annotations!["deployment.kubernetes.io/revision"]).sort();
    expect(revisions).toEqual(["3", "4"]);
  });
});
