/**
 * ResourceStore: the Durable Object that owns one namespace's objects (named
 * "ns:<namespace>"), or the cluster-scoped ones (named "cluster"). It is the
 * only writer of what it holds, so writes are serialized and never lost.
 *
 * This class is the RPC surface only. The write path and its consequences
 * live in StoreKernel, controllers in controller-runtime, cross-object
 * effects in effects-flush.
 */
import { schedulerMetrics } from "../metrics/scheduler.js";
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { KubeError, alreadyExists, notFound } from "../errors.js";
import type { DeleteOptions, KubeObject } from "../schema/meta.js";
import type { Node } from "../schema/core.js";
import { groupVersion, qualifiedResource } from "../schema/registry.js";
import { prepareForCreate, prepareForUpdate, type Subresource } from "../registry/lifecycle.js";
import { validateSchema } from "../api/openapi/validate.js";
import { applyPatch, type PatchType } from "../patch/index.js";
import { SCHEDULER_KEY } from "../controllers/triggers.js";
import type { WatchEvent } from "./watch-hub.js";
import { buildFilter, parseResourceVersion, type ListQuery } from "./list-query.js";
import { capture, type Result } from "./result.js";
import type { NamespacePhase } from "./namespace-lifecycle.js";
import type { Reservation, ReservationResult } from "./capacity-ledger.js";
import type { SchedulingSnapshot } from "./scheduling.js";
import type { NodeChange } from "./node-cache.js";
import type { EventAction } from "./events.js";
import { StoreKernel, recordWriter, typeOf, unchanged, type ObjectList } from "./store-kernel.js";
import { recordEvent, runQueue } from "./controller-runtime.js";
import { armAlarm, flushEffects } from "./effects-flush.js";
import { terminateNamespace } from "./namespace-termination.js";
import { clusterStore } from "./stubs.js";

export type { ObjectList };

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

export interface PodStatusReport {
  name: string;
  uid?: string;
  status: unknown;
}

export class ResourceStore extends DurableObject<Env> {
  private readonly k: StoreKernel;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.k = new StoreKernel(ctx.storage.sql, env);
  }

  /** Runs a call, then sends what its writes set in motion. */
  private async settled<T>(r: Promise<Result<T>> | Result<T>): Promise<Result<T>> {
    const result = await r;
    await flushEffects(this.k, this.ctx.storage);
    return result;
  }

  private begin(resource: string, namespace?: string) {
    this.k.serve(namespace);
    this.k.bootstrapIfCluster(resource);
    return typeOf(resource);
  }

  // ---- reads -------------------------------------------------------------

  async get(resource: string, name: string): Promise<Result<KubeObject>> {
    return this.settled(
      capture(() => {
        const rt = this.begin(resource);
        const o = this.k.table.get(resource, name);
        if (!o) throw notFound(qualifiedResource(rt), name);
        return o;
      }),
    );
  }

  async list(resource: string, q: ListQuery = {}): Promise<Result<ObjectList>> {
    return this.settled(
      capture(() => {
        this.begin(resource);
        return this.k.listNow(resource, q);
      }),
    );
  }

  async watch(resource: string, q: ListQuery = {}): Promise<Result<ReadableStream<Uint8Array>>> {
    return this.settled(
      capture(() => {
        const rt = this.begin(resource);
        const { table, hub } = this.k;
        const filter = buildFilter(q);
        const from = parseResourceVersion(q.resourceVersion);
        let initial: WatchEvent[];
        if (from === undefined) {
          // No version: the current state as ADDED events first, as upstream does.
          initial = this.k
            .listNow(resource, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector })
            .items.map((object) => ({ type: "ADDED" as const, object }));
        } else {
          if (from < table.oldestResumableRv)
            throw new KubeError(410, "Expired", `too old resource version: ${from} (${table.oldestResumableRv})`);
          initial = table
            .changesSince(from, resource)
            .filter((c) => filter(c.object))
            .map((c) => ({ type: c.type, object: c.object }));
        }
        const timeoutSeconds = q.timeoutSeconds && q.timeoutSeconds > 0 ? q.timeoutSeconds : 1800;
        return hub.open({
          resource,
          filter,
          initial,
          timeoutMs: timeoutSeconds * 1000,
          bookmarkEveryMs: q.allowWatchBookmarks ? 60_000 : undefined,
          bookmark: () => ({
            type: "BOOKMARK",
            object: { kind: rt.kind, apiVersion: groupVersion(rt), metadata: { resourceVersion: String(table.currentRv) } },
          }),
        });
      }),
    );
  }

  // ---- writes ------------------------------------------------------------

  async create(resource: string, input: KubeObject, call: WriteCall = {}): Promise<Result<KubeObject>> {
    return this.settled(
      capture(() => {
        const rt = this.begin(resource, call.namespace);
        this.k.lifecycle.assertWritable(call.namespace, resource);
        const now = new Date();
        const created = prepareForCreate(rt, input, { now, namespace: call.namespace, validateSchema });
        const o = recordWriter(rt, undefined, created, call.fieldManager, call.subresource, now);
        if (this.k.table.get(resource, o.metadata.name!)) throw alreadyExists(qualifiedResource(rt), o.metadata.name!);
        return call.dryRun ? o : this.k.commit(resource, undefined, o);
      }, 201),
    );
  }

  async update(resource: string, name: string, input: KubeObject, call: WriteCall = {}): Promise<Result<KubeObject>> {
    return this.settled(
      capture(() => {
        const rt = this.begin(resource, call.namespace);
        const existing = this.k.table.get(resource, name);
        if (!existing) throw notFound(qualifiedResource(rt), name);
        const now = new Date();
        const updated = prepareForUpdate(rt, existing, input, call.subresource, { now, validateSchema });
        const next = recordWriter(rt, existing, updated, call.fieldManager, call.subresource, now);
        if (call.dryRun) return next;
        return unchanged(existing, next) ? existing : this.k.commit(resource, existing, next);
      }),
    );
  }

  async patch(resource: string, name: string, patch: unknown, call: PatchCall): Promise<Result<KubeObject>> {
    let created = false;
    const r = await capture(() => {
      const rt = this.begin(resource, call.namespace);
      const existing = this.k.table.get(resource, name);
      const now = new Date();
      const options = { kind: rt.kind, manager: call.fieldManager, force: call.force, now, subresource: call.subresource };
      if (!existing) {
        // Server-side apply creates what does not exist yet.
        if (call.patchType !== "apply" || call.subresource) throw notFound(qualifiedResource(rt), name);
        this.k.lifecycle.assertWritable(call.namespace, resource);
        const applied = applyPatch("apply", undefined, patch, { ...options, resetFields: ["status"] });
        applied.metadata = { ...(applied.metadata ?? {}), name };
        const o = prepareForCreate(rt, applied, { now, namespace: call.namespace, validateSchema });
        created = true;
        return call.dryRun ? o : this.k.commit(resource, undefined, o);
      }
      const patched = applyPatch(call.patchType, existing, patch, {
        ...options,
        resetFields: call.subresource === "status" ? undefined : ["status"],
      });
      const next = prepareForUpdate(rt, existing, patched, call.subresource, { now, validateSchema });
      if (call.dryRun) return next;
      return unchanged(existing, next) ? existing : this.k.commit(resource, existing, next);
    });
    if (r.ok && created) r.code = 201;
    return this.settled(r);
  }

  async delete(resource: string, name: string, opts: DeleteOptions = {}, call: WriteCall = {}): Promise<Result<KubeObject>> {
    let pending = false;
    const r = await capture(() => {
      const rt = this.begin(resource, call.namespace);
      const existing = this.k.table.get(resource, name);
      if (!existing) throw notFound(qualifiedResource(rt), name);
      const o = this.k.deleteObject(rt, existing, opts, call.dryRun ?? false);
      pending = !call.dryRun && this.k.table.get(resource, name) !== undefined;
      return o;
    });
    // 202 Accepted: the object is still there, waiting for finalizers or its node.
    if (r.ok) r.code = pending ? 202 : 200;
    return this.settled(r);
  }

  async deleteCollection(resource: string, q: ListQuery, opts: DeleteOptions = {}, call: WriteCall = {}): Promise<Result<ObjectList>> {
    return this.settled(
      capture(() => {
        const rt = this.begin(resource, call.namespace);
        const { items } = this.k.listNow(resource, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
        const deleted = items.map((o) => this.k.deleteObject(rt, o, opts, call.dryRun ?? false));
        return { items: deleted, resourceVersion: String(this.k.table.currentRv) };
      }),
    );
  }

  // ---- agents ------------------------------------------------------------

  /**
   * Status reports from a node's agent, batched. Only pods bound to that node
   * are touched; a pod that is gone or was replaced (other uid) is reported
   * back so the agent drops it.
   */
  async updatePodStatuses(node: string, namespace: string, items: PodStatusReport[]): Promise<{ name: string; code: number; message?: string }[]> {
    const rt = this.begin("pods", namespace);
    const results = items.map((item) => {
      const pod = this.k.table.get("pods", item.name);
      if (!pod) return { name: item.name, code: 404 };
      if (item.uid && pod.metadata.uid !== item.uid) return { name: item.name, code: 409, message: "uid mismatch" };
      if (pod.spec?.nodeName !== node) return { name: item.name, code: 403, message: `pod is not bound to node ${node}` };
      try {
        const next = prepareForUpdate(rt, pod, { ...pod, status: item.status } as KubeObject, "status", { now: new Date(), validateSchema });
        if (!unchanged(pod, next)) this.k.commit("pods", pod, next);
        return { name: item.name, code: 200 };
      } catch (e) {
        if (e instanceof KubeError) return { name: item.name, code: e.code, message: e.message };
        throw e;
      }
    });
    await flushEffects(this.k, this.ctx.storage);
    return results;
  }

  // ---- between stores ----------------------------------------------------

  /** Called by the cluster store when a Namespace is created or deleted; a new one also gets the Nodes. */
  async setNamespacePhase(namespace: string, phase: NamespacePhase | null, nodes?: KubeObject[]): Promise<void> {
    this.k.lifecycle.setPhase(namespace, phase);
    if (nodes) await this.updateNodeCache(namespace, nodes.map((node) => ({ name: node.metadata.name!, node })));
    if (phase === "Terminating") await this.ctx.storage.setAlarm(Date.now());
  }

  /** Called by a namespace store once everything in it is gone: the Namespace itself can go. */
  async finalizeNamespace(namespace: string): Promise<void> {
    const ns = this.k.table.get("namespaces", namespace);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    const next = structuredClone(ns);
    next.spec = { ...(next.spec ?? {}), finalizers: [] };
    this.k.commit("namespaces", ns, next);
    await flushEffects(this.k, this.ctx.storage);
  }

  /** Events from the cluster store (about Nodes) are filed in "default", as upstream does. */
  async recordEvents(events: EventAction[]): Promise<void> {
    this.k.serve("default");
    const now = new Date();
    for (const e of events) recordEvent(this.k, e, now);
    await flushEffects(this.k, this.ctx.storage);
  }

  /** Node changes from the cluster store: wake whatever depends on nodes. */
  async updateNodeCache(namespace: string, changes: NodeChange[]): Promise<void> {
    this.k.serve(namespace);
    const now = Date.now();
    this.k.nodeCache.apply(changes);
    this.k.queue.enqueue(SCHEDULER_KEY, now);
    for (const ds of this.k.table.list("daemonsets")) this.k.queue.enqueue(`daemonset:${ds.metadata.name}`, now);
    for (const c of changes) this.k.queue.enqueue(`nodepods:${c.name}`, now);
    await armAlarm(this.k, this.ctx.storage);
  }

  // The cluster store's side of scheduling: the capacity ledger and node heartbeats.

  async schedulingSnapshot(): Promise<SchedulingSnapshot> {
    return { nodes: this.k.table.list("nodes") as Node[], reserved: this.k.ledger.all() };
  }

  async reserve(requests: Reservation[]): Promise<ReservationResult[]> {
    return this.k.ledger.reserve(requests, (name) => this.k.table.get("nodes", name) as Node | undefined);
  }

  async release(uids: string[]): Promise<void> {
    this.k.ledger.release(uids);
  }

  async heartbeat(beats: { node: string; time: number }[]): Promise<void> {
    for (const b of beats) {
      this.k.nodeCache.setHeartbeat(b.node, b.time);
      const node = this.k.table.get("nodes", b.node);
      const ready = node?.status?.conditions?.find((c: { type: string }) => c.type === "Ready")?.status;
      // A node coming back: let the lifecycle controller clear its taints now.
      if (node && ready !== "True") this.k.queue.enqueue(`node:${b.node}`, Date.now());
    }
    await armAlarm(this.k, this.ctx.storage);
  }

  // ---- the alarm ---------------------------------------------------------

  /** Controllers, or the removal of everything in a namespace being deleted. */
  async alarm(): Promise<void> {
    const ns = this.k.namespace;
    if (ns && this.k.lifecycle.phaseOf(ns) === "Terminating") {
      await runQueue(this.k);
      const remaining = await terminateNamespace(this.k);
      await flushEffects(this.k, this.ctx.storage);
      if (remaining > 0) await this.ctx.storage.setAlarm(Date.now() + 1000);
      else await clusterStore(this.env).finalizeNamespace(ns);
      return;
    }
    await runQueue(this.k);
    await flushEffects(this.k, this.ctx.storage);
    if (schedulerMetrics.size) {
      const metrics = this.env.METRICS.get(this.env.METRICS.idFromName("metrics"));
      this.ctx.waitUntil(metrics.record(schedulerMetrics.drain()).catch(() => {}));
    }
  }
}
