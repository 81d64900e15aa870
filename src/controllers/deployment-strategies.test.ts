import { describe, expect, it } from "vitest";
import { reconcileDeployment, syncDeployment } from "./deployment.js";
import { syncReplicaSet } from "./replicaset.js";
import { computePodTemplateHash } from "./pod-template-hash.js";
import { FakeNamespace, T0, makeDeployment, makePod, makeReplicaSet, podTemplate, round, sequentialSuffix, settle, type ControllerPass } from "./testing/workloads.js";
import type { Deployment, ReplicaSet } from "../schema/apps.js";
import type { Action } from "./types.js";
import { formatTime } from "./time.js";

const suffix = sequentialSuffix();
const deployments: ControllerPass = (ns) => ns.list("deployments").flatMap((d) => syncDeployment(ns.snapshot(), d.metadata.name!).actions);
const replicaSets: ControllerPass = (ns) => ns.list("replicasets").flatMap((rs) => syncReplicaSet(ns.snapshot(), rs.metadata.name!, suffix).actions);
const passes = [deployments, replicaSets];
const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
const deploy = (ns: FakeNamespace) => ns.get<Deployment>("deployments", "web")!;
const progressing = (d: Deployment) => d.status?.conditions?.find((c) => c.type === "Progressing");

function edit(ns: FakeNamespace, change: (d: Deployment) => void) {
  const d = structuredClone(deploy(ns));
  change(d);
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
  ns.put("deployments", d);
}

/** A ReplicaSet the Deployment made for `template`, with its hash label and annotations. */
function ownedRS(d: Deployment, image: string, replicas: number, annotations: Record<string, string>, created = T0): ReplicaSet {
  const template = podTemplate({ app: "web" }, image);
  const hash = computePodTemplateHash(template);
  template.metadata!.labels!["pod-template-hash"] = hash;
  return makeReplicaSet(
    `web-${hash}`,
    { replicas, selector: { matchLabels: { app: "web", "pod-template-hash": hash } }, template },
    {
      labels: { app: "web", "pod-template-hash": hash },
      annotations,
      creationTimestamp: formatTime(created),
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
  );
}

describe("Recreate", () => {
  it("scales the old ReplicaSet to zero before creating the new one", () => {
    const ns = new FakeNamespace();
    ns.put("deployments", makeDeployment("web", { replicas: 3, strategy: { type: "Recreate" } }));
    settle(ns, passes);
    edit(ns, (d) => (d.spec.template.spec.containers[0].image = "nginx:1.28"));
    const first = syncDeployment(ns.snapshot(), "web").actions;
    expect(of(first, "create")).toHaveLength(0);
    expect((of(first, "update")[0].object as ReplicaSet).spec.replicas).toBe(0);
    settle(ns, passes);
    const sizes = ns.list<ReplicaSet>("replicasets").map((rs) => rs.spec.replicas).sort();
    expect(sizes).toEqual([0, 3]);
    expect(deploy(ns).status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it("waits while an old pod is still terminating", () => {
    const d = makeDeployment("web", { replicas: 2, strategy: { type: "Recreate" }, template: podTemplate({ app: "web" }, "v2") });
    const old = ownedRS(d, "v1", 0, { "deployment.kubernetes.io/revision": "1" });
    old.status = { replicas: 0 };
    const terminating = makePod("old-pod", { labels: old.metadata.labels!, owner: old, deleting: true });
    const waiting = reconcileDeployment(d, [old], [terminating], T0);
    expect(of(waiting.actions, "create")).toHaveLength(0);
    const go = reconcileDeployment(d, [old], [], T0);
    expect((of(go.actions, "create")[0].object as ReplicaSet).spec.replicas).toBe(2);
  });
});

describe("pause and scaling", () => {
  it("does not roll out while paused, still scales, and rolls out after resume", () => {
    const ns = new FakeNamespace();
    ns.put("deployments", makeDeployment("web", { replicas: 2 }));
    settle(ns, passes);
    edit(ns, (d) => {
      d.spec.paused = true;
      d.spec.template.spec.containers[0].image = "nginx:1.28";
    });
    settle(ns, passes);
    expect(ns.list("replicasets")).toHaveLength(1);
    expect(progressing(deploy(ns))).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" });
    edit(ns, (d) => (d.spec.replicas = 4));
    settle(ns, passes);
    expect(ns.list<ReplicaSet>("replicasets")[0].spec.replicas).toBe(4);
    edit(ns, (d) => delete d.spec.paused);
    settle(ns, passes);
    expect(ns.list<ReplicaSet>("replicasets").map((rs) => rs.spec.replicas).sort()).toEqual([0, 4]);
    expect(progressing(deploy(ns))?.reason).toBe("NewReplicaSetAvailable");
  });

  it("spreads a replicas change mid-rollout over the ReplicaSets in proportion", () => {
    const d = makeDeployment("web", { replicas: 20, template: podTemplate({ app: "web" }, "v2") }, { generation: 2 });
    d.status = { replicas: 13, observedGeneration: 1 };
    const marks = { "deployment.kubernetes.io/desired-replicas": "10", "deployment.kubernetes.io/max-replicas": "13" };
    const old = ownedRS(d, "v1", 8, { ...marks, "deployment.kubernetes.io/revision": "1" }, T0);
    const next = ownedRS(d, "v2", 5, { ...marks, "deployment.kubernetes.io/revision": "2" }, T0 + 1000);
    const { actions } = reconcileDeployment(d, [old, next], [], T0 + 5000);
    const rsUpdates = of(actions, "update").filter((u) => u.resource === "replicasets");
    const sizes = Object.fromEntries(rsUpdates.map((u) => [u.object.metadata.name, (u.object as ReplicaSet).spec.replicas]));
    expect(sizes).toEqual({ [old.metadata.name!]: 15, [next.metadata.name!]: 10 });
    expect(of(actions, "event").map((e) => e.message)).toEqual([
      `Scaled up replica set ${old.metadata.name} from 8 to 15`,
      `Scaled up replica set ${next.metadata.name} from 5 to 10`,
    ]);
    const annotations = rsUpdates.map((u) => u.object.metadata.annotations!["deployment.kubernetes.io/max-replicas"]);
    expect(annotations).toEqual(["25", "25"]);
  });
});

describe("progress deadline", () => {
  it("reports ProgressDeadlineExceeded once no progress was made for progressDeadlineSeconds", () => {
    const ns = new FakeNamespace();
    ns.put("deployments", makeDeployment("web", { replicas: 2, progressDeadlineSeconds: 60 }));
    settle(ns, passes, { ready: false });
    const pending = syncDeployment(ns.snapshot(), "web");
    const updatedAt = Date.parse(progressing(deploy(ns))!.lastUpdateTime!);
    expect(pending.requeueAfter).toBe(updatedAt + 60_000 - ns.now + 1000);
    ns.now = updatedAt + 60_001;
    round(ns, passes, false);
    expect(progressing(deploy(ns))).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: expect.stringMatching(/^ReplicaSet "web-\w+" has timed out progressing\.$/),
    });
    expect(syncDeployment(ns.snapshot(), "web").requeueAfter).toBeUndefined();
  });
});

describe("ownership", () => {
  it("adopts a matching orphan ReplicaSet and releases one that stopped matching", () => {
    const d = makeDeployment("web", { replicas: 1 });
    const orphan = ownedRS(d, "nginx:1.27", 1, {});
    orphan.metadata.ownerReferences = undefined;
    const strayed = makeReplicaSet("strayed", { selector: { matchLabels: { app: "other" } } }, {
      labels: { app: "other" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "uid-web", controller: true }],
    });
    const { actions } = reconcileDeployment(d, [orphan, strayed], [], T0);
    const updates = Object.fromEntries(of(actions, "update").map((u) => [u.object.metadata.name, u.object]));
    expect(updates[orphan.metadata.name!].metadata.ownerReferences![0].uid).toBe("uid-web");
    expect(updates.strayed.metadata.ownerReferences).toBeUndefined();
    expect(of(actions, "create")).toHaveLength(0);
  });

  it("only reports status while the Deployment is being deleted", () => {
    const d = makeDeployment("web", {}, { deletionTimestamp: formatTime(T0) });
    const { actions } = reconcileDeployment(d, [], [], T0);
    expect(actions.map((a) => a.type)).toEqual(["updateStatus"]);
  });
});
