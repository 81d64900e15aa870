/**
 * ResourceStore: the Durable Object that owns one namespace's objects (named
 * "ns:<namespace>"), or the cluster-scoped ones (named "cluster"). It is the
 * only writer of what it holds, so writes are serialized and never lost.
 * This class is a thin shell: storage lives in ObjectTable, watches in
 * WatchHub, object rules in src/registry, patching in src/patch.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { KubeError, alreadyExists, conflict, notFound } from "../errors.js";
import type { DeleteOptions, KubeObject } from "../schema/meta.js";
import { groupVersion, qualifiedResource, resourceByName, type ResourceType } from "../schema/registry.js";
import { prepareForCreate, prepareForUpdate, type Subresource } from "../registry/lifecycle.js";
import { validateSchema } from "../api/openapi/validate.js";
import { applyPatch, recordUpdate, type PatchType } from "../patch/index.js";
import { ObjectTable, type ChangeType } from "./object-table.js";
import { WatchHub, type WatchEvent } from "./watch-hub.js";
import {
  buildFilter,
  decodeContinue,
  encodeContinue,
  exactName,
  parseResourceVersion,
  type ListQuery,
} from "./list-query.js";
import { capture, type Result } from "./result.js";
import { namespaceLifecycle, type NamespacePhase } from "./namespace-lifecycle.js";
import { clusterStore, namespaceStore, nodeChannel } from "./stubs.js";
import { buildNodeShare } from "./node-share.js";
import { WorkQueue } from "./work-queue.js";
import { CapacityLedger, type Reservation, type ReservationResult } from "./capacity-ledger.js";
import { scheduleRound, type ClusterScheduling, type SchedulingSnapshot } from "./scheduling.js";
import { reconcileKey, type NamespaceView } from "./controller-manager.js";
import { buildEvent, eventName, type EventAction } from "./events.js";
import { NodeCache, type NodeChange } from "./node-cache.js";
import { keysForChange, SCHEDULER_KEY, SERVICE_ACCOUNTS_KEY } from "../controllers/triggers.js";
import { reconcileNodeLifecycle } from "../controllers/node-lifecycle.js";
import type { Action, ReconcileResult } from "../controllers/types.js";
import type { Namespace, Node, Service } from "../schema/core.js";

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

export interface WriteCall {
  /** The namespace this store serves; undefined for the cluster store. */
  namespace?: string;
  dryRun?: boolean;
  subresource?: Subresource;
  /** Who writes (`fieldManager`), recorded in managedFields. */
  fieldManager?: string;
}

export interface PatchCall extends WriteCall {
  patchType: PatchType;
  force?: boolean;
}

/** A write that changes nothing (managedFields timestamps aside) is not stored, as the apiserver skips no-op updates. */
function unchanged(before: KubeObject, after: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: o.metadata.managedFields?.map((f) => ({ ...f, time: undefined })),
    },
  });
  return JSON.stringify(strip(before)) === JSON.stringify(strip(after));
}

const stampTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Records who wrote what (managedFields), so a later server-side apply sees owners. */
function recordWriter(rt: ResourceType, before: KubeObject | undefined, after: KubeObject, call: WriteCall, now: Date): KubeObject {
  if (!call.fieldManager) return after;
  return recordUpdate(before ?? { metadata: {} }, after, call.fieldManager, stampTime(now), {
    kind: rt.kind,
    subresource: call.subresource,
  });
}

const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

function typeOf(resource: string): ResourceType {
  const rt = resourceByName(resource);
  if (!rt) throw new KubeError(404, "NotFound", `the server could not find the requested resource (${resource})`);
  return rt;
}

export class ResourceStore extends DurableObject<Env> {
  private readonly table: ObjectTable;
  private readonly hub = new WatchHub();
  private readonly queue: WorkQueue;
  private readonly nodeCache: NodeCache;
  private ledgerInstance?: CapacityLedger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.table = new ObjectTable(ctx.storage.sql);
    this.queue = new WorkQueue(ctx.storage.sql);
    this.nodeCache = new NodeCache(ctx.storage.sql);
  }

  /** Capacity reservations: only the cluster store keeps them. */
  private get ledger(): CapacityLedger {
    return (this.ledgerInstance ??= new CapacityLedger(this.ctx.storage.sql));
  }

  // ---- reads -------------------------------------------------------------

  async get(resource: string, name: string, call: WriteCall = {}): Promise<Result<KubeObject>> {
    return capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      const o = this.table.get(resource, name);
      if (!o) throw notFound(qualifiedResource(rt), name);
      return o;
    });
  }

  async list(resource: string, q: ListQuery = {}): Promise<Result<ObjectList>> {
    return capture(() => {
      this.bootstrapIfCluster(resource);
      typeOf(resource);
      return this.listNow(resource, q);
    });
  }

  private listNow(resource: string, q: ListQuery): ObjectList {
    const filter = buildFilter(q);
    const resourceVersion = String(this.table.currentRv);
    const only = exactName(q);
    if (only !== undefined) {
      const o = this.table.get(resource, only);
      return { items: o && filter(o) ? [o] : [], resourceVersion };
    }
    const after = q.continue ? decodeContinue(q.continue).after : "";
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    const items: KubeObject[] = [];
    let cursor = after;
    // Page through storage until `limit` matching items are found, so selective queries stay bounded in memory.
    for (;;) {
      const batch = this.table.list(resource, cursor, 1000);
      for (const o of batch) {
        cursor = o.metadata.name!;
        if (!filter(o)) continue;
        items.push(o);
        if (limit && items.length === limit) {
          const more = this.table.list(resource, cursor, 1).length > 0;
          return { items, resourceVersion, continue: more ? encodeContinue({ after: cursor }) : undefined };
        }
      }
      if (batch.length < 1000) break;
    }
    return { items, resourceVersion };
  }

  async watch(resource: string, q: ListQuery = {}): Promise<Result<ReadableStream<Uint8Array>>> {
    return capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      const filter = buildFilter(q);
      const from = parseResourceVersion(q.resourceVersion);
      let initial: WatchEvent[];
      if (from === undefined) {
        initial = this.listNow(resource, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }).items.map(
          (object) => ({ type: "ADDED" as const, object }),
        );
      } else {
        if (from < this.table.oldestResumableRv)
          throw new KubeError(410, "Expired", `too old resource version: ${from} (${this.table.oldestResumableRv})`);
        initial = this.table
          .changesSince(from, resource)
          .filter((c) => filter(c.object))
          .map((c) => ({ type: c.type, object: c.object }));
      }
      const timeoutSeconds = q.timeoutSeconds && q.timeoutSeconds > 0 ? q.timeoutSeconds : 1800;
      return this.hub.open({
        resource,
        filter,
        initial,
        timeoutMs: timeoutSeconds * 1000,
        bookmarkEveryMs: q.allowWatchBookmarks ? 60_000 : undefined,
        bookmark: () => ({
          type: "BOOKMARK",
          object: { kind: rt.kind, apiVersion: groupVersion(rt), metadata: { resourceVersion: String(this.table.currentRv) } },
        }),
      });
    });
  }

  // ---- writes ------------------------------------------------------------

  async create(resource: string, input: KubeObject, call: WriteCall = {}): Promise<Result<KubeObject>> {
    this.serve(call.namespace);
    return this.settled(capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      this.lifecycle.assertWritable(call.namespace, resource);
      const now = new Date();
      const o = recordWriter(rt, undefined, prepareForCreate(rt, input, { now, namespace: call.namespace, validateSchema }), call, now);
      if (this.table.get(resource, o.metadata.name!)) throw alreadyExists(qualifiedResource(rt), o.metadata.name!);
      if (call.dryRun) return o;
      return this.commit(resource, undefined, o);
    }, 201));
  }

  async update(resource: string, name: string, input: KubeObject, call: WriteCall = {}): Promise<Result<KubeObject>> {
    this.serve(call.namespace);
    return this.settled(capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      const existing = this.table.get(resource, name);
      if (!existing) throw notFound(qualifiedResource(rt), name);
      const now = new Date();
      const next = recordWriter(rt, existing, prepareForUpdate(rt, existing, input, call.subresource, { now, validateSchema }), call, now);
      if (call.dryRun) return next;
      if (unchanged(existing, next)) return existing;
      return this.commit(resource, existing, next);
    }));
  }

  async patch(resource: string, name: string, patch: unknown, call: PatchCall): Promise<Result<KubeObject>> {
    this.serve(call.namespace);
    let created = false;
    const r = await capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      const existing = this.table.get(resource, name);
      const now = new Date();
      if (!existing) {
        // Server-side apply creates what does not exist yet.
        if (call.patchType !== "apply" || call.subresource) throw notFound(qualifiedResource(rt), name);
        this.lifecycle.assertWritable(call.namespace, resource);
        const applied = applyPatch("apply", undefined, patch, {
          kind: rt.kind,
          manager: call.fieldManager,
          force: call.force,
          now,
          resetFields: ["status"],
        });
        applied.metadata = { ...(applied.metadata ?? {}), name };
        const o = prepareForCreate(rt, applied, { now, namespace: call.namespace, validateSchema });
        created = true;
        return call.dryRun ? o : this.commit(resource, undefined, o);
      }
      const patched = applyPatch(call.patchType, existing, patch, {
        kind: rt.kind,
        manager: call.fieldManager,
        force: call.force,
        now,
        subresource: call.subresource,
        resetFields: call.subresource === "status" ? undefined : ["status"],
      });
      const next = prepareForUpdate(rt, existing, patched, call.subresource, { now, validateSchema });
      if (call.dryRun) return next;
      if (unchanged(existing, next)) return existing;
      return this.commit(resource, existing, next);
    });
    if (r.ok && created) r.code = 201;
    return this.settled(r);
  }

  async delete(resource: string, name: string, opts: DeleteOptions = {}, call: WriteCall = {}): Promise<Result<KubeObject>> {
    this.serve(call.namespace);
    let pending = false;
    const r = await capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      const existing = this.table.get(resource, name);
      if (!existing) throw notFound(qualifiedResource(rt), name);
      const o = this.deleteObject(rt, existing, opts, call.dryRun ?? false);
      pending = !call.dryRun && this.table.get(resource, name) !== undefined;
      return o;
    });
    // 202 Accepted: the object is still there, waiting for finalizers or its node.
    if (r.ok) r.code = pending ? 202 : 200;
    return this.settled(r);
  }

  async deleteCollection(resource: string, q: ListQuery, opts: DeleteOptions = {}, call: WriteCall = {}): Promise<Result<ObjectList>> {
    this.serve(call.namespace);
    return this.settled(capture(() => {
      this.bootstrapIfCluster(resource);
      const rt = typeOf(resource);
      const { items } = this.listNow(resource, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
      const deleted = items.map((o) => this.deleteObject(rt, o, opts, call.dryRun ?? false));
      return { items: deleted, resourceVersion: String(this.table.currentRv) };
    }));
  }

  private deleteObject(rt: ResourceType, existing: KubeObject, opts: DeleteOptions, dryRun: boolean): KubeObject {
    const name = existing.metadata.name!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid)
      throw conflict(qualifiedResource(rt), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion)
      throw conflict(qualifiedResource(rt), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);

    const next: KubeObject = structuredClone(existing);
    const m = next.metadata;
    const finalizers = new Set(m.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : undefined);
    if (!m.deletionTimestamp) {
      if (policy === "Foreground") finalizers.add("foregroundDeletion");
      if (policy === "Orphan") finalizers.add("orphan");
    }
    const grace = gracePeriod(rt, existing, opts);
    if (rt.resource === "namespaces" && (existing.spec?.finalizers ?? []).length > 0) {
      // Namespaces wait in Terminating until their content is gone (spec.finalizers: ["kubernetes"]).
      next.status = { ...(next.status ?? {}), phase: "Terminating" };
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
        m.deletionGracePeriodSeconds = 0;
      }
      if (dryRun) return next;
      return this.commit(rt.resource, existing, next, { keep: true });
    }
    if (finalizers.size === 0 && grace === 0) {
      if (dryRun) return existing;
      return this.commit(rt.resource, existing, null);
    }
    const now = Date.now();
    if (!m.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
      m.deletionTimestamp = new Date(now + grace * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
      m.deletionGracePeriodSeconds = grace;
    }
    m.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!m.finalizers) delete m.finalizers;
    if (dryRun) return next;
    return this.commit(rt.resource, existing, next);
  }

  /**
   * Stores `next` (or removes the object when null) and tells watchers.
   * An object being deleted disappears once its finalizers are gone and its
   * grace period is over, as the apiserver does.
   */
  private commit(
    resource: string,
    before: KubeObject | undefined,
    next: KubeObject | null,
    opts: { keep?: boolean } = {},
  ): KubeObject {
    const m = next?.metadata;
    const held = opts.keep || (resource === "namespaces" && (next?.spec?.finalizers ?? []).length > 0);
    if (next && !held && m?.deletionTimestamp && !m.finalizers?.length && (m.deletionGracePeriodSeconds ?? 0) === 0)
      next = null;
    let stored: KubeObject;
    let type: ChangeType;
    if (next === null) {
      stored = this.table.remove(resource, structuredClone(before!));
      type = "DELETED";
    } else {
      type = before ? "MODIFIED" : "ADDED";
      stored = this.table.put(resource, next, type);
    }
    this.hub.notify(resource, type, before, stored);
    this.afterWrite(resource, before, type === "DELETED" ? null : stored);
    return stored;
  }

  // ---- namespace lifecycle ----------------------------------------------

  private get lifecycle() {
    return namespaceLifecycle(this.table, BUILTIN_NAMESPACES);
  }

  /** Called by the cluster store when a Namespace is created or deleted. */
  async setNamespacePhase(namespace: string, phase: NamespacePhase | null, nodes?: KubeObject[]): Promise<void> {
    this.lifecycle.setPhase(namespace, phase);
    if (nodes) await this.updateNodeCache(namespace, nodes.map((node) => ({ name: node.metadata.name!, node })));
    if (phase === "Terminating") await this.ctx.storage.setAlarm(Date.now());
  }

  private pendingPhases = new Map<string, NamespacePhase | null>();

  private async settled<T>(r: Promise<Result<T>> | Result<T>): Promise<Result<T>> {
    const result = await r;
    await this.flush();
    return result;
  }

  /** Effects of the writes just made that reach other objects: namespace phases, node channels. */
  private async flush(): Promise<void> {
    if (this.pendingPhases.size) await this.syncNamespacePhases();
    if (this.dirtyNodes.size) await this.pushNodeShares();
    if (this.pendingReleases.size) {
      const uids = [...this.pendingReleases];
      this.pendingReleases.clear();
      await clusterStore(this.env).release(uids);
    }
    if (this.pendingHeartbeats.size) {
      const beats = [...this.pendingHeartbeats].map(([node, time]) => ({ node, time }));
      this.pendingHeartbeats.clear();
      await clusterStore(this.env).heartbeat(beats);
    }
    if (this.pendingNodeChanges.size) await this.broadcastNodeChanges();
    await this.armAlarm();
  }

  private pendingReleases = new Set<string>();
  private pendingHeartbeats = new Map<string, number>();
  private pendingNodeChanges = new Map<string, KubeObject | null>();

  /** Sets the one alarm to the earliest due key (alarms are at-least-once; runs are idempotent). */
  private async armAlarm(): Promise<void> {
    const due = this.queue.nextDue();
    if (due === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || due < current) await this.ctx.storage.setAlarm(Math.max(due, Date.now()));
  }

  // ---- the controller manager ---------------------------------------------

  private memo = new Map<string, KubeObject[]>();

  private cached(resource: string): KubeObject[] {
    let list = this.memo.get(resource);
    if (!list) {
      list = this.table.list(resource);
      this.memo.set(resource, list);
    }
    return list;
  }

  private view(now: number): NamespaceView {
    const namespace = this.table.meta("namespace") ?? "";
    return {
      namespace,
      now,
      objects: (r) => this.cached(r),
      get: (r, n) => this.table.get(r, n),
      nodes: () => this.nodeCache.all(),
      namespaceObject: () => undefined as Namespace | undefined,
    };
  }

  /** Wall-clock budget of one alarm run; the rest of the queue waits for the next one. */
  private static readonly RUN_BUDGET_MS = 500;

  private async runQueue(): Promise<void> {
    const started = Date.now();
    const keys = this.queue.takeDue(started, 200);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (Date.now() - started > ResourceStore.RUN_BUDGET_MS) {
        for (const k of keys.slice(i)) this.queue.enqueue(k, Date.now());
        break;
      }
      const now = Date.now();
      try {
        const result = await this.reconcile(key, now);
        const conflicts = await this.applyActions(result.actions);
        if (conflicts) this.queue.enqueue(key, now + 100);
        else if (result.requeueAfter !== undefined) this.queue.enqueue(key, now + Math.max(1, result.requeueAfter));
      } catch (e) {
        console.error(`reconcile ${key} failed:`, e instanceof Error ? e.stack : e);
        this.queue.enqueue(key, now + 5000);
      }
    }
  }

  private async reconcile(key: string, now: number): Promise<ReconcileResult> {
    if (key === SCHEDULER_KEY) return this.runScheduler(now);
    if (key.startsWith("node:")) return this.runNodeLifecycle(key.slice(5), now);
    return reconcileKey(key, this.view(now));
  }

  /**
   * Applies a controller's actions through the same write path as the API.
   * Returns how many failed on a stale version, so the key is retried.
   */
  private async applyActions(actions: Action[]): Promise<number> {
    let conflicts = 0;
    const now = new Date();
    const remoteEvents: EventAction[] = [];
    for (const a of actions) {
      try {
        if (a.type === "event") {
          if (this.table.meta("namespace")) this.recordEvent(a, now);
          else remoteEvents.push(a);
          continue;
        }
        const rt = typeOf(a.resource);
        const ns = this.table.meta("namespace");
        if (a.type === "create") {
          this.lifecycle.assertWritable(rt.namespaced ? ns : undefined, a.resource);
          const o = prepareForCreate(rt, a.object, { now, namespace: rt.namespaced ? ns : undefined });
          if (this.table.get(a.resource, o.metadata.name!)) continue;
          this.commit(a.resource, undefined, o);
        } else if (a.type === "update" || a.type === "updateStatus") {
          const existing = this.table.get(a.resource, a.object.metadata.name!);
          if (!existing) continue;
          const want = a.object.metadata.resourceVersion;
          if (want && want !== existing.metadata.resourceVersion) {
            conflicts++;
            continue;
          }
          const next = prepareForUpdate(rt, existing, a.object, a.type === "updateStatus" ? "status" : undefined, { now });
          if (!unchanged(existing, next)) this.commit(a.resource, existing, next);
        } else if (a.type === "delete") {
          const existing = this.table.get(a.resource, a.name);
          if (!existing || (a.uid && existing.metadata.uid !== a.uid)) continue;
          this.deleteObject(rt, existing, { propagationPolicy: a.propagationPolicy, gracePeriodSeconds: a.gracePeriodSeconds }, false);
        }
      } catch (e) {
        if (!(e instanceof KubeError)) throw e;
        if (e.code === 409) conflicts++;
        else console.warn(`controller action ${a.type} ${"resource" in a ? a.resource : ""} refused: ${e.message}`);
      }
    }
    if (remoteEvents.length) await namespaceStore(this.env, "default").recordEvents(remoteEvents);
    return conflicts;
  }

  private recordEvent(e: EventAction, now: Date, host?: string): void {
    const ns = this.table.meta("namespace")!;
    const existing = this.table.get("events", eventName(e));
    const event = buildEvent(e, ns, stampTime(now), existing, host);
    if (existing) this.commit("events", existing, { ...event, metadata: existing.metadata });
    else this.commit("events", undefined, prepareForCreate(typeOf("events"), event, { now, namespace: ns }));
  }

  /** Events from the cluster store (about Nodes) are filed in "default", as upstream does. */
  async recordEvents(events: EventAction[]): Promise<void> {
    this.serve("default");
    const now = new Date();
    for (const e of events) this.recordEvent(e, now);
    await this.flush();
  }

  private async runScheduler(now: number): Promise<ReconcileResult> {
    const cluster = clusterStore(this.env) as unknown as ClusterScheduling;
    const round = await scheduleRound(this.table.list("pods"), cluster, Math.random);
    const actions: Action[] = [];
    const at = stampTime(new Date(now));
    for (const { pod, node } of round.bound) {
      const existing = this.table.get("pods", pod.metadata.name!);
      if (!existing || existing.metadata.uid !== pod.metadata.uid || existing.spec?.nodeName) continue;
      const next = structuredClone(existing);
      next.spec.nodeName = node;
      next.status = { ...(next.status ?? {}), conditions: upsertCondition(next.status?.conditions, { type: "PodScheduled", status: "True", lastTransitionTime: at }) };
      this.commit("pods", existing, next);
      actions.push(schedulerEvent(existing, "Normal", "Scheduled", `Successfully assigned ${existing.metadata.namespace}/${existing.metadata.name} to ${node}`));
    }
    for (const { pod, message } of round.unschedulable) {
      const existing = this.table.get("pods", pod.metadata.name!);
      if (!existing || existing.spec?.nodeName) continue;
      const current = existing.status?.conditions?.find((c: { type: string }) => c.type === "PodScheduled");
      if (current?.status === "False" && current.message === message) continue;
      const next = structuredClone(existing);
      next.status = {
        ...(next.status ?? {}),
        conditions: upsertCondition(next.status?.conditions, { type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: at }),
      };
      this.commit("pods", existing, next);
      actions.push(schedulerEvent(existing, "Warning", "FailedScheduling", message));
    }
    const retry = round.raced ? 100 : round.unschedulable.length ? 10_000 : undefined;
    // More pending pods than one round takes: come back at once.
    const more = round.bound.length + round.unschedulable.length + round.raced >= 1000 ? 1 : undefined;
    return { actions, requeueAfter: more ?? retry };
  }

  // ---- the cluster store's side of scheduling and node health -------------

  async schedulingSnapshot(): Promise<SchedulingSnapshot> {
    return { nodes: this.table.list("nodes") as Node[], reserved: this.ledger.all() };
  }

  async reserve(requests: Reservation[]): Promise<ReservationResult[]> {
    return this.ledger.reserve(requests, (name) => this.table.get("nodes", name) as Node | undefined);
  }

  async release(uids: string[]): Promise<void> {
    this.ledger.release(uids);
  }

  async heartbeat(beats: { node: string; time: number }[]): Promise<void> {
    for (const b of beats) {
      this.nodeCache.setHeartbeat(b.node, b.time);
      const node = this.table.get("nodes", b.node);
      const ready = node?.status?.conditions?.find((c: { type: string }) => c.type === "Ready")?.status;
      // A node coming back: let the lifecycle controller clear its taints now.
      if (node && ready !== "True") this.queue.enqueue(`node:${b.node}`, Date.now());
    }
    await this.armAlarm();
  }

  private runNodeLifecycle(name: string, now: number): ReconcileResult {
    const node = this.table.get("nodes", name) as Node | undefined;
    if (!node) return { actions: [] };
    const beat = this.nodeCache.heartbeat(name);
    const lease = beat === undefined ? undefined : { metadata: {}, spec: { renewTime: new Date(beat).toISOString() } };
    const r = reconcileNodeLifecycle({ node, lease, now, podsOnNode: [] });
    return { actions: r.actions, requeueAfter: r.requeueAfter ?? 10_000 };
  }

  /** Every namespace store keeps a copy of the Nodes (scheduler, DaemonSets, evictions read them). */
  private async broadcastNodeChanges(): Promise<void> {
    const changes: NodeChange[] = [...this.pendingNodeChanges].map(([name, node]) => ({ name, node }));
    this.pendingNodeChanges.clear();
    for (const c of changes) if (!c.node) this.ledger.releaseNode(c.name);
    const namespaces = this.table.list("namespaces").map((n) => n.metadata.name!);
    await Promise.all(namespaces.map((ns) => namespaceStore(this.env, ns).updateNodeCache(ns, changes)));
  }

  /** Node changes from the cluster store: wake whatever depends on nodes. */
  async updateNodeCache(namespace: string, changes: NodeChange[]): Promise<void> {
    this.serve(namespace);
    const now = Date.now();
    this.nodeCache.apply(changes);
    this.queue.enqueue(SCHEDULER_KEY, now);
    for (const ds of this.table.list("daemonsets")) this.queue.enqueue(`daemonset:${ds.metadata.name}`, now);
    for (const c of changes) this.queue.enqueue(`nodepods:${c.name}`, now);
    await this.armAlarm();
  }

  private async pushNodeShares(): Promise<void> {
    const ns = this.table.meta("namespace");
    const nodes = [...this.dirtyNodes];
    this.dirtyNodes.clear();
    if (!ns) return;
    const rv = this.table.currentRv;
    await Promise.all(
      nodes.map((node) => {
        const share = buildNodeShare(this.table.podsOnNode(node), (r, n) => this.table.get(r, n));
        return nodeChannel(this.env, node).setShare(node, ns, rv, share);
      }),
    );
  }

  /** Remembers which namespace this store serves (alarms and node shares need it). */
  private serve(namespace: string | undefined): void {
    if (namespace && this.table.meta("namespace") !== namespace) this.table.setMeta("namespace", namespace);
  }

  /**
   * Status reports from a node's agent, batched. Only pods bound to that node
   * are touched; a pod that is gone or was replaced (other uid) is reported
   * back so the agent drops it.
   */
  async updatePodStatuses(
    node: string,
    namespace: string,
    items: { name: string; uid?: string; status: unknown }[],
  ): Promise<{ name: string; code: number; message?: string }[]> {
    this.serve(namespace);
    const rt = typeOf("pods");
    const results = items.map((item) => {
      const pod = this.table.get("pods", item.name);
      if (!pod) return { name: item.name, code: 404 };
      if (item.uid && pod.metadata.uid !== item.uid) return { name: item.name, code: 409, message: "uid mismatch" };
      if (pod.spec?.nodeName !== node) return { name: item.name, code: 403, message: `pod is not bound to node ${node}` };
      try {
        const next = prepareForUpdate(rt, pod, { ...pod, status: item.status } as KubeObject, "status", { now: new Date(), validateSchema });
        if (JSON.stringify(next.status) !== JSON.stringify(pod.status)) this.commit("pods", pod, next);
        return { name: item.name, code: 200 };
      } catch (e) {
        if (e instanceof KubeError) return { name: item.name, code: e.code, message: e.message };
        throw e;
      }
    });
    await this.flush();
    return results;
  }

  private dirtyNodes = new Set<string>();

  private afterWrite(resource: string, before: KubeObject | undefined, after: KubeObject | null): void {
    this.memo.clear();
    const ns = this.table.meta("namespace");
    const now = Date.now();
    if (ns && resourceByName(resource)?.namespaced) {
      const keys = keysForChange(resource, before, after, {
        services: () => this.cached("services") as Service[],
        adopters: () => [
          ...this.cached("replicasets").map((o) => `replicaset:${o.metadata.name}`),
          ...this.cached("daemonsets").map((o) => `daemonset:${o.metadata.name}`),
          ...this.cached("jobs").map((o) => `job:${o.metadata.name}`),
        ],
      });
      for (const k of keys) this.queue.enqueue(k, now);
      if (!this.table.meta("serviceaccounts")) {
        this.table.setMeta("serviceaccounts", "1");
        this.queue.enqueue(SERVICE_ACCOUNTS_KEY, now);
      }
    }
    if (resource === "pods" && before?.metadata.uid) {
      const phase = after?.status?.phase;
      if (after === null || phase === "Succeeded" || phase === "Failed") this.pendingReleases.add(before.metadata.uid);
    }
    if (resource === "leases" && ns === "kube-node-lease" && after?.spec?.renewTime) {
      const t = Date.parse(after.spec.renewTime);
      if (!Number.isNaN(t)) this.pendingHeartbeats.set(after.spec.holderIdentity || after.metadata.name!, t);
    }
    if (resource === "nodes") {
      const name = (after ?? before)!.metadata.name!;
      this.pendingNodeChanges.set(name, after);
      this.queue.enqueue(`node:${name}`, now);
    }
    if (resource === "pods") {
      for (const n of [before?.spec?.nodeName, after?.spec?.nodeName]) if (n) this.dirtyNodes.add(n);
    } else if (resource === "configmaps" || resource === "secrets") {
      // A changed ConfigMap or Secret reaches the nodes whose pods read it.
      for (const n of this.table.nodesWithPods()) this.dirtyNodes.add(n);
    }
    if (resource !== "namespaces") return;
    const name = (after ?? before)!.metadata.name!;
    this.pendingPhases.set(name, after === null ? null : after.metadata.deletionTimestamp ? "Terminating" : "Active");
  }

  /** Tells namespace stores about Namespace changes made by the call that just finished. */
  private async syncNamespacePhases(): Promise<void> {
    const pending = [...this.pendingPhases];
    this.pendingPhases.clear();
    const nodes = this.table.list("nodes");
    await Promise.all(
      pending.map(([ns, phase]) => namespaceStore(this.env, ns).setNamespacePhase(ns, phase, phase === "Active" ? nodes : undefined)),
    );
  }

  /** Called by a namespace store once everything in it is gone: the Namespace itself can go. */
  async finalizeNamespace(namespace: string): Promise<void> {
    const ns = this.table.get("namespaces", namespace);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    const next = structuredClone(ns);
    next.spec = { ...(next.spec ?? {}), finalizers: [] };
    this.commit("namespaces", ns, next);
    await this.syncNamespacePhases();
  }

  /** Namespace deletion: remove everything inside, then let the cluster store finish. */
  async alarm(): Promise<void> {
    const ns = this.table.meta("namespace");
    if (!ns || this.lifecycle.phaseOf(ns) !== "Terminating") {
      await this.runQueue();
      await this.flush();
      return;
    }
    for (const resource of this.table.resources()) {
      const rt = resourceByName(resource);
      if (!rt) continue;
      for (const o of this.table.list(resource)) if (!o.metadata.deletionTimestamp) this.deleteObject(rt, o, {}, false);
    }
    await this.flush();
    if (this.table.count() > 0) {
      await this.ctx.storage.setAlarm(Date.now() + 1000);
      return;
    }
    await clusterStore(this.env).finalizeNamespace(ns);
  }

  private bootstrapped = false;

  /** The cluster store creates the built-in namespaces the first time it is used. */
  private bootstrapIfCluster(resource: string): void {
    if (this.bootstrapped) return;
    this.bootstrapped = true;
    const rt = resourceByName(resource);
    if (!rt || rt.namespaced || this.table.meta("bootstrapped")) return;
    const now = new Date();
    const nsType = typeOf("namespaces");
    for (const name of BUILTIN_NAMESPACES) {
      if (this.table.get("namespaces", name)) continue;
      this.commit("namespaces", undefined, prepareForCreate(nsType, { metadata: { name } }, { now }));
    }
    this.table.setMeta("bootstrapped", "1");
  }
}

function upsertCondition(list: any[] | undefined, c: Record<string, unknown>): any[] {
  const out = (list ?? []).filter((x) => x.type !== c.type);
  const old = (list ?? []).find((x) => x.type === c.type);
  if (old && old.status === c.status) c.lastTransitionTime = old.lastTransitionTime ?? c.lastTransitionTime;
  return [...out, { lastProbeTime: null, ...c }];
}

function schedulerEvent(pod: KubeObject, eventType: "Normal" | "Warning", reason: string, message: string): Action {
  return {
    type: "event",
    involvedObject: { kind: "Pod", apiVersion: "v1", name: pod.metadata.name!, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
    eventType,
    reason,
    message,
    component: "default-scheduler",
  };
}

/** Kubernetes' graceful-deletion rule: only pods running on a node wait for it. */
function gracePeriod(rt: ResourceType, o: KubeObject, opts: DeleteOptions): number {
  if (rt.resource !== "pods") return 0;
  if (opts.gracePeriodSeconds === 0) return 0;
  if (!o.spec?.nodeName) return 0;
  const phase = o.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return 0;
  const g = opts.gracePeriodSeconds ?? o.spec?.terminationGracePeriodSeconds ?? 30;
  // A grace of 0 from the spec still means "wait for the node", as upstream uses 1.
  return g > 0 ? g : 1;
}
