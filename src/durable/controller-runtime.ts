/**
 * Running controllers inside a store's alarm: take due keys from the work
 * queue (bounded per run), reconcile each with its pure function, apply the
 * actions through the store's own write path, and requeue: on conflict soon,
 * otherwise when the controller asked to look again.
 */
import { KubeError } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import type { Node } from "../schema/core.js";
import type { Action, ReconcileResult } from "../controllers/types.js";
import { GC_KEY, SCHEDULER_KEY } from "../controllers/triggers.js";
import { collectGarbage } from "../controllers/garbage-collector.js";
import { NODE_SWEEP_KEY, reconcileNodeHealth, sweepNodeLifecycle, type NodeHealth } from "../controllers/node-lifecycle-sweep.js";
import { prepareForCreate, prepareForUpdate } from "../registry/lifecycle.js";
import { reconcileKey, type NamespaceView } from "./controller-manager.js";
import { buildEvent, eventName, type EventAction } from "./events.js";
import { scheduleRound, type ClusterScheduling } from "./scheduling.js";
import { clusterStore, namespaceStore } from "./stubs.js";
import { stampTime, typeOf, unchanged, type StoreKernel } from "./store-kernel.js";

/** Wall-clock budget of one alarm run; the rest of the queue waits for the next one. */
const RUN_BUDGET_MS = 500;
const KEYS_PER_RUN = 200;

export async function runQueue(k: StoreKernel): Promise<void> {
  const started = Date.now();
  const keys = k.queue.takeDue(started, KEYS_PER_RUN);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (Date.now() - started > RUN_BUDGET_MS) {
      for (const rest of keys.slice(i)) k.queue.enqueue(rest, Date.now());
      break;
    }
    const now = Date.now();
    try {
      const result = await reconcile(k, key, now);
      const conflicts = await applyActions(k, result.actions);
      if (conflicts) k.queue.enqueue(key, now + 100);
      else if (result.requeueAfter !== undefined) k.queue.enqueue(key, now + Math.max(1, result.requeueAfter));
    } catch (e) {
      console.error(`reconcile ${key} failed:`, e instanceof Error ? e.stack : e);
      k.queue.enqueue(key, now + 5000);
    }
  }
  if (k.env.LOG_ALARM_RUNS === "1" && keys.length) console.log(`alarm run: ${Date.now() - started} ms, ${keys.length} keys, ${k.namespace ?? "cluster"}`);
}

function view(k: StoreKernel, now: number): NamespaceView {
  return {
    namespace: k.namespace ?? "",
    now,
    objects: (r) => k.cached(r),
    get: (r, n) => k.table.get(r, n),
    nodes: () => k.nodeCache.all(),
    namespaceObject: () => undefined,
  };
}

async function reconcile(k: StoreKernel, key: string, now: number): Promise<ReconcileResult> {
  if (key === SCHEDULER_KEY) return runScheduler(k, now);
  if (key === GC_KEY) return collectGarbage(Object.fromEntries(k.table.resources().map((r) => [r, k.cached(r)])));
  if (key === NODE_SWEEP_KEY) return runNodeSweep(k, now);
  if (key.startsWith("node:")) return runNodeLifecycle(k, key.slice(5), now);
  return reconcileKey(key, view(k, now));
}

/**
 * Applies a controller's actions through the same write path as the API.
 * Returns how many failed on a stale version, so the key is retried.
 */
export async function applyActions(k: StoreKernel, actions: Action[]): Promise<number> {
  let conflicts = 0;
  const now = new Date();
  const ns = k.namespace;
  const remoteEvents: EventAction[] = [];
  for (const a of actions) {
    try {
      if (a.type === "event") {
        if (ns) recordEvent(k, a, now);
        else remoteEvents.push(a);
        continue;
      }
      const rt = typeOf(a.resource);
      if (a.type === "create") {
        k.lifecycle.assertWritable(rt.namespaced ? ns : undefined, a.resource);
        const o = prepareForCreate(rt, a.object, { now, namespace: rt.namespaced ? ns : undefined });
        if (!k.table.get(a.resource, o.metadata.name!)) k.commit(a.resource, undefined, o);
      } else if (a.type === "update" || a.type === "updateStatus") {
        const existing = k.table.get(a.resource, a.object.metadata.name!);
        if (!existing) continue;
        const want = a.object.metadata.resourceVersion;
        if (want && want !== existing.metadata.resourceVersion) {
          conflicts++;
          continue;
        }
        const next = prepareForUpdate(rt, existing, a.object, a.type === "updateStatus" ? "status" : undefined, { now });
        if (!unchanged(existing, next)) k.commit(a.resource, existing, next);
      } else if (a.type === "delete") {
        const existing = k.table.get(a.resource, a.name);
        if (!existing || (a.uid && existing.metadata.uid !== a.uid)) continue;
        k.deleteObject(rt, existing, { propagationPolicy: a.propagationPolicy, gracePeriodSeconds: a.gracePeriodSeconds }, false);
      }
    } catch (e) {
      if (!(e instanceof KubeError)) throw e;
      if (e.code === 409) conflicts++;
      // 403: the namespace is being deleted and takes nothing new.
      else if (e.code !== 403) console.warn(`controller action ${a.type} ${"resource" in a ? a.resource : ""} refused: ${e.message}`);
    }
  }
  // Events about cluster-scoped objects (Nodes) are filed in "default", as upstream does.
  if (remoteEvents.length) await namespaceStore(k.env, "default").recordEvents(remoteEvents);
  return conflicts;
}

export function recordEvent(k: StoreKernel, e: EventAction, now: Date): void {
  const ns = k.namespace!;
  const existing = k.table.get("events", eventName(e));
  const event = buildEvent(e, ns, stampTime(now), existing);
  if (existing) k.commit("events", existing, { ...event, metadata: existing.metadata });
  else k.commit("events", undefined, prepareForCreate(typeOf("events"), event, { now, namespace: ns }));
}

/** Binding sets spec.nodeName and PodScheduled together, as the binding subresource does. */
async function runScheduler(k: StoreKernel, now: number): Promise<ReconcileResult> {
  const cluster = clusterStore(k.env) as unknown as ClusterScheduling;
  const round = await scheduleRound(k.table.list("pods"), cluster, Math.random, { baseline: k.env.SCHEDULER_BASELINE === "1" });
  const actions: Action[] = [];
  const at = stampTime(new Date(now));
  for (const { pod, node } of round.bound) {
    const existing = k.table.get("pods", pod.metadata.name!);
    if (!existing || existing.metadata.uid !== pod.metadata.uid || existing.spec?.nodeName) continue;
    const next = structuredClone(existing);
    next.spec.nodeName = node;
    next.status = { ...(next.status ?? {}), conditions: upsertCondition(next.status?.conditions, { type: "PodScheduled", status: "True", lastTransitionTime: at }) };
    k.commit("pods", existing, next);
    actions.push(podEvent(existing, "Normal", "Scheduled", `Successfully assigned ${existing.metadata.namespace}/${existing.metadata.name} to ${node}`));
  }
  for (const { pod, message } of round.unschedulable) {
    const existing = k.table.get("pods", pod.metadata.name!);
    if (!existing || existing.spec?.nodeName) continue;
    const current = existing.status?.conditions?.find((c: { type: string }) => c.type === "PodScheduled");
    if (current?.status === "False" && current.message === message) continue;
    const next = structuredClone(existing);
    next.status = {
      ...(next.status ?? {}),
      conditions: upsertCondition(next.status?.conditions, { type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: at }),
    };
    k.commit("pods", existing, next);
    actions.push(podEvent(existing, "Warning", "FailedScheduling", message));
  }
  // Progress with more pending: come back at once. A lost race retries soon; unschedulable pods wait for a change (or 10 s).
  const requeueAfter = round.more && round.bound.length ? 1 : round.raced ? 100 : round.unschedulable.length ? 10_000 : undefined;
  return { actions, requeueAfter };
}

function monitorGraceMs(k: StoreKernel): number | undefined {
  const grace = Number(k.env.NODE_MONITOR_GRACE_SECONDS);
  return grace > 0 ? grace * 1000 : undefined;
}

function healthOf(k: StoreKernel, node: Node): NodeHealth {
  const name = node.metadata.name!;
  return { node, live: k.nodeCache.liveness(name)?.live, leaseRenewal: k.nodeCache.heartbeat(name) };
}

/**
 * The cluster store's half of node health for one node whose Node or
 * verdict just changed. Time-based expiry is left to the sweep, which this
 * makes sure is queued.
 */
function runNodeLifecycle(k: StoreKernel, name: string, now: number): ReconcileResult {
  const node = k.table.get("nodes", name) as Node | undefined;
  if (!node) return { actions: [] };
  const grace = monitorGraceMs(k);
  const r = reconcileNodeHealth(healthOf(k, node), now, grace);
  if (r.requeueAfter !== undefined && r.requeueAfter > 1) k.queue.enqueue(NODE_SWEEP_KEY, now + Math.max(r.requeueAfter, (grace ?? 40_000) / 2));
  return { actions: r.actions, requeueAfter: r.requeueAfter === 1 ? 1 : undefined };
}

/** Every node in one pass: the heartbeat-tracked ones may have expired since the last. */
function runNodeSweep(k: StoreKernel, now: number): ReconcileResult {
  const nodes = k.table.list("nodes") as Node[];
  const verdicts = k.nodeCache.allLiveness();
  const renewals = k.nodeCache.allHeartbeats();
  const fleet = nodes.map((node) => ({ node, live: verdicts.get(node.metadata.name!)?.live, leaseRenewal: renewals.get(node.metadata.name!) }));
  const r = sweepNodeLifecycle(fleet, now, monitorGraceMs(k));
  for (const name of r.again) k.queue.enqueue(`node:${name}`, now + 1);
  return { actions: r.actions, requeueAfter: r.requeueAfter };
}

function upsertCondition(list: any[] | undefined, c: Record<string, unknown>): any[] {
  const out = (list ?? []).filter((x) => x.type !== c.type);
  const old = (list ?? []).find((x) => x.type === c.type);
  if (old && old.status === c.status) c.lastTransitionTime = old.lastTransitionTime ?? c.lastTransitionTime;
  return [...out, { lastProbeTime: null, ...c }];
}

function podEvent(pod: KubeObject, eventType: "Normal" | "Warning", reason: string, message: string): Action {
  return {
    type: "event",
    involvedObject: { kind: "Pod", apiVersion: "v1", name: pod.metadata.name!, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
    eventType,
    reason,
    message,
    component: "default-scheduler",
  };
}
