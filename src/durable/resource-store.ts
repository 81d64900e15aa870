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
import { Keyring, kekFromEnv } from "../crypto/keyring.js";
import { encryptionReport, rotateDataKeys, type EncryptionReport } from "./secret-rotation.js";
import { AuditTable, type AuditPage, type AuditQuery } from "./audit-table.js";
import type { AuditEvent } from "../api/audit-event.js";
import { allocateServiceFields, allocationRanges, clusterAllocations } from "./service-allocations.js";
import { ServiceAllocationLedger } from "./service-allocation-ledger.js";
import { withDefaultIngressClass } from "./ingress-admission.js";
import { pickDefaultClass } from "../controllers/ingress-class.js";
import type { AllocationRequest, AllocationResult } from "../registry/service-strategy.js";
import { TokenTable } from "./token-table.js";
import type { TokenRecord, TokenType } from "../auth/tokens.js";

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
  private readonly keyring: Keyring;
  private auditTable?: AuditTable;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.k = new StoreKernel(ctx.storage.sql, env);
    // Secrets are sealed at rest (docs/security.md); the keys load once, synchronously.
    this.keyring = new Keyring(ctx.storage.sql, () => kekFromEnv(env));
    this.k.table.protect(this.keyring);
    this.keyring.warm();
  }

  /** Runs a call, then sends what its writes set in motion. */
  private async settled<T>(r: Promise<Result<T>> | Result<T>): Promise<Result<T>> {
    const result = await r;
    this.revokeDeletedNodes();
    await flushEffects(this.k, this.ctx.storage);
    return result;
  }

  /**
   * Service writes wait on the cluster store's allocation ledger; meanwhile
   * nothing else may run here, so the name check, the resourceVersion seen
   * and the allocation all hold when the write commits. Other kinds never
   * wait, and run as before. (An exception escaping blockConcurrencyWhile
   * would reset the object, so failures are carried out as values.)
   */
  private async exclusive<T>(resource: string, fn: () => Promise<T>): Promise<T> {
    if (resource !== "services") return fn();
    const r = await this.ctx.blockConcurrencyWhile(async () => {
      try {
        return { ok: true as const, value: await fn() };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    if (!r.ok) throw r.error;
    return r.value;
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
      capture(() => this.exclusive(resource, async () => {
        const rt = this.begin(resource, call.namespace);
        this.k.lifecycle.assertWritable(call.namespace, resource);
        if (resource === "ingresses") input = await withDefaultIngressClass(input, () => clusterStore(this.env).defaultIngressClassName());
        const now = new Date();
        const created = prepareForCreate(rt, input, { now, namespace: call.namespace, validateSchema });
        let o = recordWriter(rt, undefined, created, call.fieldManager, call.subresource, now);
        if (this.k.table.get(resource, o.metadata.name!)) throw alreadyExists(qualifiedResource(rt), o.metadata.name!);
        if (resource === "services") o = await allocateServiceFields(clusterAllocations(this.env), o, undefined, !!call.dryRun);
        return call.dryRun ? o : this.k.commit(resource, undefined, o);
      }), 201),
    );
  }

  async update(resource: string, name: string, input: KubeObject, call: WriteCall = {}): Promise<Result<KubeObject>> {
    return this.settled(
      capture(() => this.exclusive(resource, async () => {
        const rt = this.begin(resource, call.namespace);
        const existing = this.k.table.get(resource, name);
        if (!existing) throw notFound(qualifiedResource(rt), name);
        const now = new Date();
        const updated = prepareForUpdate(rt, existing, input, call.subresource, { now, validateSchema });
        let next = recordWriter(rt, existing, updated, call.fieldManager, call.subresource, now);
        if (resource === "services" && !call.subresource) next = await allocateServiceFields(clusterAllocations(this.env), next, existing, !!call.dryRun);
        if (call.dryRun) return next;
        return unchanged(existing, next) ? existing : this.k.commit(resource, existing, next);
      })),
    );
  }

  async patch(resource: string, name: string, patch: unknown, call: PatchCall): Promise<Result<KubeObject>> {
    let created = false;
    const r = await capture(() => this.exclusive(resource, async () => {
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
        let o = prepareForCreate(rt, applied, { now, namespace: call.namespace, validateSchema });
        if (resource === "services") o = await allocateServiceFields(clusterAllocations(this.env), o, undefined, !!call.dryRun);
        created = true;
        return call.dryRun ? o : this.k.commit(resource, undefined, o);
      }
      const patched = applyPatch(call.patchType, existing, patch, {
        ...options,
        resetFields: call.subresource === "status" ? undefined : ["status"],
      });
      let next = prepareForUpdate(rt, existing, patched, call.subresource, { now, validateSchema });
      if (resource === "services" && !call.subresource) next = await allocateServiceFields(clusterAllocations(this.env), next, existing, !!call.dryRun);
      if (call.dryRun) return next;
      return unchanged(existing, next) ? existing : this.k.commit(resource, existing, next);
    }));
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
    // Whatever the namespace's Services held goes with it, even a release that never arrived.
    this.serviceLedger.releaseNamespace(namespace);
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
    // LoadBalancer Services and Ingresses publish the Ready nodes' addresses.
    for (const s of this.k.table.list("services")) if (s.spec?.type === "LoadBalancer") this.k.queue.enqueue(`loadbalancer:${s.metadata.name}`, now);
    for (const i of this.k.table.list("ingresses")) this.k.queue.enqueue(`ingress:${i.metadata.name}`, now);
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

  // The cluster store's side of Services: cluster IPs and node ports (service-allocation-ledger.ts).

  private serviceLedgerInstance?: ServiceAllocationLedger;
  private get serviceLedger(): ServiceAllocationLedger {
    return (this.serviceLedgerInstance ??= new ServiceAllocationLedger(this.ctx.storage.sql));
  }

  async assignServiceAllocations(req: AllocationRequest, dryRun: boolean): Promise<AllocationResult> {
    return this.serviceLedger.assign(req, allocationRanges(this.env), dryRun);
  }

  async releaseServiceAllocations(uids: string[]): Promise<void> {
    this.serviceLedger.release(uids);
  }

  /** The class an Ingress created without one gets (DefaultIngressClass admission). */
  async defaultIngressClassName(): Promise<string | undefined> {
    this.k.bootstrapIfCluster("ingressclasses");
    return pickDefaultClass(this.k.table.list("ingressclasses"));
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

  /**
   * A channel shard's liveness transitions (nodes whose agents long-poll):
   * the lifecycle of each named node runs now.
   */
  async nodeLiveness(reports: { node: string; live: boolean; at: number }[]): Promise<void> {
    const now = Date.now();
    for (const r of reports) {
      this.k.nodeCache.setLiveness(r.node, { live: r.live, at: r.at });
      this.k.queue.enqueue(`node:${r.node}`, now);
    }
    await armAlarm(this.k, this.ctx.storage);
  }

  // ---- protections (docs/security.md) -------------------------------------

  /** Key status, or a rotation: re-wrap with the current KEK, optionally a new data key, re-seal in batches. */
  async encryption(op: "status" | "rotate", newKey = false): Promise<Result<EncryptionReport>> {
    return capture(() => (op === "rotate" ? rotateDataKeys(this.k.table, this.keyring, newKey) : encryptionReport(this.k.table, this.keyring)));
  }

  /** The cluster store keeps the audit log. */
  async appendAudit(events: AuditEvent[]): Promise<void> {
    (this.auditTable ??= new AuditTable(this.ctx.storage.sql)).append(events);
  }

  async readAudit(q: AuditQuery): Promise<AuditPage> {
    return (this.auditTable ??= new AuditTable(this.ctx.storage.sql)).read(q);
  }

  // ---- the alarm ---------------------------------------------------------

  /** Controllers, or the removal of everything in a namespace being deleted. */
  async alarm(): Promise<void> {
    const ns = this.k.namespace;
    if (ns && this.k.lifecycle.phaseOf(ns) === "Terminating") {
      await runQueue(this.k);
      this.revokeDeletedNodes();
      const remaining = await terminateNamespace(this.k);
      await flushEffects(this.k, this.ctx.storage);
      if (remaining > 0) await this.ctx.storage.setAlarm(Date.now() + 1000);
      else await clusterStore(this.env).finalizeNamespace(ns);
      return;
    }
    await runQueue(this.k);
    this.revokeDeletedNodes();
    await flushEffects(this.k, this.ctx.storage);
    if (schedulerMetrics.size) {
      const metrics = this.env.METRICS.get(this.env.METRICS.idFromName("metrics"));
      this.ctx.waitUntil(metrics.record(schedulerMetrics.drain()).catch(() => {}));
    }
  }

  // ---- tokens (the cluster store's; src/durable/token-table.ts) ------------

  private tokenTable?: TokenTable;
  private get tokens(): TokenTable {
    return (this.tokenTable ??= new TokenTable(this.ctx.storage.sql));
  }

  /** A deleted Node takes its credentials with it; read before the node changes are sent on (and drained). */
  private revokeDeletedNodes(): void {
    for (const [name, node] of this.k.effects.nodeChanges) if (node === null) this.tokens.revokeNode(name);
  }

  async createToken(record: TokenRecord, hash: string): Promise<Result<TokenRecord>> {
    return capture(() => {
      this.tokens.purgeExpired(Date.now());
      return this.tokens.insert(record, hash);
    }, 201);
  }

  async listTokens(types: TokenType[]): Promise<TokenRecord[]> {
    return this.tokens.list(types, Date.now());
  }

  async getToken(id: string, types: TokenType[]): Promise<Result<TokenRecord>> {
    return capture(() => this.tokens.get(id, types, Date.now()));
  }

  async deleteToken(id: string, types: TokenType[]): Promise<Result<TokenRecord>> {
    return capture(() => this.tokens.remove(id, types));
  }

  /** The live token with this id and hash (compared in constant time), or null. */
  async reviewToken(id: string, hash: string): Promise<TokenRecord | null> {
    return this.tokens.review(id, hash, Date.now()) ?? null;
  }

  async joinNode(joinId: string, joinHash: string, nodeName: string, credential: { id: string; hash: string }): Promise<Result<TokenRecord>> {
    return capture(() => this.tokens.join(joinId, joinHash, nodeName, credential, Date.now()), 201);
  }
}
