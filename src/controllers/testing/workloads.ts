/**
 * Fixtures for controller tests: object builders and an in-memory namespace
 * that applies Actions the way the Namespace Durable Object is meant to
 * (uids, resourceVersion preconditions, generation bumps, graceful pod
 * deletion, finalizers), so rollouts can be driven to completion in a loop.
 */
import type { Deployment, ReplicaSet } from "../../schema/apps.js";
import type { CronJob, Job } from "../../schema/batch.js";
import type { Pod, PodTemplateSpec } from "../../schema/core.js";
import type { KubeObject } from "../../schema/meta.js";
import type { Action, Snapshot } from "../types.js";
import { formatTime } from "../time.js";

export const T0 = Date.parse("2026-01-01T00:00:00Z");

export function podTemplate(labels: Record<string, string>, image = "nginx:1.27"): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: "web", image }] } };
}

export function makeDeployment(name: string, spec: Partial<Deployment["spec"]> = {}, meta: Partial<Deployment["metadata"]> = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: 1, resourceVersion: "1", creationTimestamp: formatTime(T0), ...meta },
    spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...spec },
  };
}

export function makeReplicaSet(name: string, spec: Partial<ReplicaSet["spec"]> = {}, meta: Partial<ReplicaSet["metadata"]> = {}): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: 1, resourceVersion: "1", creationTimestamp: formatTime(T0), ...meta },
    spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }), ...spec },
  };
}

export interface PodOptions {
  labels?: Record<string, string>;
  owner?: KubeObject & { kind?: string };
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  nodeName?: string;
  /** Ready since this time (ms). */
  readySince?: number;
  created?: number;
  deleting?: boolean;
  restarts?: number;
  finishedAt?: number;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      resourceVersion: "1",
      creationTimestamp: formatTime(o.created ?? T0),
      labels: o.labels ?? {},
    },
    spec: { containers: [{ name: "c", image: "busybox" }], nodeName: o.nodeName },
    status: { phase: o.phase ?? "Running" },
  };
  if (o.owner) {
    pod.metadata.ownerReferences = [
      { apiVersion: o.owner.apiVersion ?? "apps/v1", kind: o.owner.kind ?? "ReplicaSet", name: o.owner.metadata.name!, uid: o.owner.metadata.uid!, controller: true, blockOwnerDeletion: true },
    ];
  }
  if (o.readySince !== undefined) {
    pod.status!.conditions = [{ type: "Ready", status: "True", lastTransitionTime: formatTime(o.readySince) }];
  }
  if (o.deleting) pod.metadata.deletionTimestamp = formatTime(T0);
  const terminated = o.finishedAt !== undefined ? { terminated: { exitCode: o.phase === "Failed" ? 1 : 0, finishedAt: formatTime(o.finishedAt) } } : undefined;
  if (o.restarts !== undefined || terminated) {
    pod.status!.containerStatuses = [{ name: "c", ready: false, restartCount: o.restarts ?? 0, image: "busybox", imageID: "", state: terminated }];
  }
  return pod;
}

export function makeJob(name: string, spec: Partial<Job["spec"]> = {}, meta: Partial<Job["metadata"]> = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: 1, resourceVersion: "1", creationTimestamp: formatTime(T0), ...meta },
    spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }], restartPolicy: "Never" } }, ...spec },
  };
}

export function makeCronJob(name: string, spec: Partial<CronJob["spec"]> = {}, meta: Partial<CronJob["metadata"]> = {}): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: 1, resourceVersion: "1", creationTimestamp: formatTime(T0), ...meta },
    spec: { schedule: "*/5 * * * *", jobTemplate: { spec: makeJob("x").spec }, ...spec },
  };
}

type EventAction = Extract<Action, { type: "event" }>;

/** A deterministic stand-in for the random 5-character name suffix. */
export function sequentialSuffix(): () => string {
  let n = 0;
  return () => (n++).toString(36).padStart(5, "x");
}

/**
 * One namespace in memory. `apply` follows the storage rules the controllers
 * rely on; anything a controller must not do (stale resourceVersion, update
 * of a missing object) throws, so tests catch it.
 */
export class FakeNamespace {
  readonly store = new Map<string, Map<string, KubeObject>>();
  readonly events: EventAction[] = [];
  private counter = 100;

  constructor(public now = T0) {}

  list<T extends KubeObject = KubeObject>(resource: string): T[] {
    return [...(this.store.get(resource)?.values() ?? [])] as T[];
  }

  get<T extends KubeObject = KubeObject>(resource: string, name: string): T | undefined {
    return this.store.get(resource)?.get(name) as T | undefined;
  }

  /** Put an object as is (test setup), filling uid and resourceVersion when missing. */
  put(resource: string, obj: KubeObject): void {
    const copy = structuredClone(obj);
    copy.metadata.uid ??= `uid-${copy.metadata.name}`;
    copy.metadata.resourceVersion = String(++this.counter);
    if (!this.store.has(resource)) this.store.set(resource, new Map());
    this.store.get(resource)!.set(copy.metadata.name!, copy);
  }

  snapshot(): Snapshot {
    return { namespace: "default", now: this.now, objects: (r) => structuredClone(this.list(r)) };
  }

  apply(actions: Action[]): void {
    for (const a of actions) this.applyOne(a);
  }

  private stored(resource: string, obj: KubeObject): KubeObject {
    const cur = this.get(resource, obj.metadata.name!);
    if (!cur) throw new Error(`${resource}/${obj.metadata.name} not found`);
    // No resourceVersion: an unconditional write.
    if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new Error(`conflict on ${resource}/${obj.metadata.name}: ${obj.metadata.resourceVersion} != ${cur.metadata.resourceVersion}`);
    }
    return cur;
  }

  private applyOne(a: Action): void {
    switch (a.type) {
      case "create": {
        const obj = structuredClone(a.object);
        obj.metadata.name ??= `${obj.metadata.generateName}${(this.counter + 1).toString(36)}`;
        if (this.get(a.resource, obj.metadata.name)) throw new Error(`${a.resource}/${obj.metadata.name} already exists`);
        obj.metadata.uid = `uid-${obj.metadata.name}-${++this.counter}`;
        obj.metadata.generation = 1;
        obj.metadata.creationTimestamp = formatTime(this.now);
        this.put(a.resource, obj);
        return;
      }
      case "update": {
        const cur = this.stored(a.resource, a.object);
        const next = { ...structuredClone(a.object), status: cur.status };
        const specChanged = JSON.stringify(cur.spec) !== JSON.stringify(next.spec);
        next.metadata.generation = (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0);
        this.put(a.resource, next);
        this.finishIfReleased(a.resource, next);
        return;
      }
      case "updateStatus": {
        // A status write changes status only, as the project's store does.
        const cur = this.stored(a.resource, a.object);
        this.put(a.resource, { ...cur, status: structuredClone(a.object.status) });
        return;
      }
      case "delete": {
        const cur = this.get(a.resource, a.name);
        if (!cur || (a.uid && cur.metadata.uid !== a.uid)) return;
        if (cur.metadata.deletionTimestamp) return;
        const graceful = a.resource === "pods" && a.gracePeriodSeconds !== 0;
        const finalizers = [...(cur.metadata.finalizers ?? [])];
        if (a.propagationPolicy === "Foreground") finalizers.push("foregroundDeletion");
        if (a.propagationPolicy === "Orphan") finalizers.push("orphan");
        if (!graceful && finalizers.length === 0) {
          this.store.get(a.resource)!.delete(a.name);
          return;
        }
        this.put(a.resource, { ...cur, metadata: { ...cur.metadata, deletionTimestamp: formatTime(this.now), finalizers } });
        return;
      }
      case "event":
        this.events.push(a);
        return;
    }
  }

  /** An object being deleted goes away once its last finalizer is removed (pods also need the kubelet). */
  private finishIfReleased(resource: string, obj: KubeObject): void {
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).length && resource !== "pods") {
      this.store.get(resource)!.delete(obj.metadata.name!);
    }
  }

  // ---- what the scheduler and kubelets would do -------------------------------------

  /** Bind, run and mark ready every pending pod that is not being deleted. Returns how many. */
  runPods(filter: (pod: Pod) => boolean = () => true): number {
    let n = 0;
    for (const pod of this.list<Pod>("pods")) {
      if (pod.metadata.deletionTimestamp || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed" || !filter(pod)) continue;
      if (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
      this.put("pods", {
        ...pod,
        spec: { ...pod.spec, nodeName: pod.spec.nodeName ?? "node-1" },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: formatTime(this.now) }] },
      });
      n++;
    }
    return n;
  }

  /** End a pod's run with the given phase. */
  finishPod(name: string, phase: "Succeeded" | "Failed"): void {
    const pod = this.get<Pod>("pods", name)!;
    const finishedAt = formatTime(this.now);
    this.put("pods", {
      ...pod,
      status: {
        phase,
        containerStatuses: [{ name: "c", ready: false, restartCount: 0, image: "busybox", imageID: "", state: { terminated: { exitCode: phase === "Failed" ? 1 : 0, finishedAt } } }],
      },
    });
  }

  /** Kubelets confirm graceful deletions: pods being deleted without finalizers disappear. Returns how many. */
  reapTerminatedPods(): number {
    let n = 0;
    for (const pod of this.list<Pod>("pods")) {
      if (pod.metadata.deletionTimestamp && !(pod.metadata.finalizers ?? []).length) {
        this.store.get("pods")!.delete(pod.metadata.name!);
        n++;
      }
    }
    return n;
  }
}

/** Runs every key of one kind of controller against a fresh snapshot; returns its actions. */
export type ControllerPass = (ns: FakeNamespace) => Action[];

/**
 * One round: each controller pass in turn (each applied before the next
 * reads), then the kubelet side: terminated pods reaped, new pods run when
 * `ready` allows. Returns the number of changes made (events excluded).
 */
export function round(ns: FakeNamespace, passes: ControllerPass[], ready: boolean | ((pod: Pod) => boolean) = true): number {
  let writes = 0;
  for (const pass of passes) {
    const actions = pass(ns);
    writes += actions.filter((a) => a.type !== "event").length;
    ns.apply(actions);
  }
  writes += ns.reapTerminatedPods();
  if (ready) writes += ns.runPods(typeof ready === "function" ? ready : undefined);
  return writes;
}

/** Rounds until nothing is written (or `max` rounds), calling `check` after each. */
export function settle(ns: FakeNamespace, passes: ControllerPass[], opts: { max?: number; ready?: boolean | ((pod: Pod) => boolean); check?: () => void; tick?: number } = {}): number {
  const max = opts.max ?? 100;
  for (let i = 1; i <= max; i++) {
    const writes = round(ns, passes, opts.ready ?? true);
    opts.check?.();
    ns.now += opts.tick ?? 1000;
    if (writes === 0) return i;
  }
  throw new Error(`did not settle in ${max} rounds`);
}
