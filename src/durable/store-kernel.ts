/**
 * The inside of a ResourceStore, apart from its RPC surface: the tables,
 * the write path every change goes through (`commit`), deletion rules, and
 * what each write sets in motion (controller keys, effects on other objects).
 * Kept out of the Durable Object class so the class stays a thin shell.
 */
import type { Env } from "../env.js";
import { KubeError, conflict } from "../errors.js";
import type { DeleteOptions, KubeObject } from "../schema/meta.js";
import type { Service } from "../schema/core.js";
import { qualifiedResource, resourceByName, type ResourceType } from "../schema/registry.js";
import { prepareForCreate } from "../registry/lifecycle.js";
import { recordUpdate } from "../patch/index.js";
import { keysForChange, SERVICE_ACCOUNTS_KEY } from "../controllers/triggers.js";
import { INGRESS_CLASS_NAME, defaultIngressClass } from "../controllers/ingress-class.js";
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from "../auth/bootstrap-policy.js";
import { ObjectTable, type ChangeType } from "./object-table.js";
import { WatchHub } from "./watch-hub.js";
import { WorkQueue } from "./work-queue.js";
import { NodeCache, nodeViewChanged } from "./node-cache.js";
import { CapacityLedger } from "./capacity-ledger.js";
import { namespaceLifecycle } from "./namespace-lifecycle.js";
import { Effects } from "./effects.js";
import { buildFilter, decodeContinue, encodeContinue, exactName, type ListQuery } from "./list-query.js";

export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

export function typeOf(resource: string): ResourceType {
  const rt = resourceByName(resource);
  if (!rt) throw new KubeError(404, "NotFound", `the server could not find the requested resource (${resource})`);
  return rt;
}

export const stampTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A write that changes nothing (managedFields timestamps aside) is not stored, as the apiserver skips no-op updates. */
export function unchanged(before: KubeObject, after: KubeObject): boolean {
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

/** Records who wrote what (managedFields), so a later server-side apply sees owners. */
export function recordWriter(
  rt: ResourceType,
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string | undefined,
  subresource: string | undefined,
  now: Date,
): KubeObject {
  if (!manager) return after;
  return recordUpdate(before ?? { metadata: {} }, after, manager, stampTime(now), { kind: rt.kind, subresource });
}

export class StoreKernel {
  readonly table: ObjectTable;
  readonly hub = new WatchHub();
  readonly queue: WorkQueue;
  readonly nodeCache: NodeCache;
  readonly effects = new Effects();
  private ledgerInstance?: CapacityLedger;
  private memo = new Map<string, KubeObject[]>();
  private bootstrapped = false;

  constructor(
    private readonly sql: SqlStorage,
    readonly env: Env,
  ) {
    this.table = new ObjectTable(sql);
    this.queue = new WorkQueue(sql);
    this.nodeCache = new NodeCache(sql);
  }

  /** Capacity reservations: only the cluster store keeps them. */
  get ledger(): CapacityLedger {
    return (this.ledgerInstance ??= new CapacityLedger(this.sql));
  }

  get lifecycle() {
    return namespaceLifecycle(this.table, BUILTIN_NAMESPACES);
  }

  /** The namespace this store serves; undefined for the cluster store. */
  get namespace(): string | undefined {
    return this.table.meta("namespace");
  }

  /** Remembers which namespace this store serves (alarms and node shares need it). */
  serve(namespace: string | undefined): void {
    if (namespace && this.table.meta("namespace") !== namespace) this.table.setMeta("namespace", namespace);
  }

  /** All objects of a resource, read once per change (controllers read the same lists many times). */
  cached(resource: string): KubeObject[] {
    let list = this.memo.get(resource);
    if (!list) {
      list = this.table.list(resource);
      this.memo.set(resource, list);
    }
    return list;
  }

  listNow(resource: string, q: ListQuery): ObjectList {
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

  /**
   * Stores `next` (or removes the object when null) and tells watchers.
   * An object being deleted disappears once its finalizers are gone and its
   * grace period is over, as the apiserver does.
   */
  commit(resource: string, before: KubeObject | undefined, next: KubeObject | null, opts: { keep?: boolean } = {}): KubeObject {
    const m = next?.metadata;
    const held = opts.keep || (resource === "namespaces" && (next?.spec?.finalizers ?? []).length > 0);
    if (next && !held && m?.deletionTimestamp && !m.finalizers?.length && (m.deletionGracePeriodSeconds ?? 0) === 0) next = null;
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

  /**
   * The apiserver's delete: preconditions, propagation policy as finalizers,
   * graceful deletion of pods bound to a node, namespaces held while their
   * content goes.
   */
  deleteObject(rt: ResourceType, existing: KubeObject, opts: DeleteOptions, dryRun: boolean): KubeObject {
    const name = existing.metadata.name!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid)
      throw conflict(qualifiedResource(rt), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion)
      throw conflict(
        qualifiedResource(rt),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );

    const next: KubeObject = structuredClone(existing);
    const m = next.metadata;
    const finalizers = new Set(m.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : undefined);
    if (!m.deletionTimestamp) {
      if (policy === "Foreground") finalizers.add("foregroundDeletion");
      if (policy === "Orphan") finalizers.add("orphan");
    }
    if (rt.resource === "namespaces" && (existing.spec?.finalizers ?? []).length > 0) {
      // Namespaces wait in Terminating until their content is gone (spec.finalizers: ["kubernetes"]).
      next.status = { ...(next.status ?? {}), phase: "Terminating" };
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = stampTime(new Date());
        m.deletionGracePeriodSeconds = 0;
      }
      return dryRun ? next : this.commit(rt.resource, existing, next, { keep: true });
    }
    const grace = gracePeriod(rt, existing, opts);
    if (finalizers.size === 0 && grace === 0) return dryRun ? existing : this.commit(rt.resource, existing, null);
    if (!m.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
      m.deletionTimestamp = stampTime(new Date(Date.now() + grace * 1000));
      m.deletionGracePeriodSeconds = grace;
    }
    if (finalizers.size) m.finalizers = [...finalizers];
    else delete m.finalizers;
    return dryRun ? next : this.commit(rt.resource, existing, next);
  }

  /** The cluster store creates the built-in namespaces the first time it is used. */
  bootstrapIfCluster(resource: string): void {
    if (this.bootstrapped) return;
    this.bootstrapped = true;
    const rt = resourceByName(resource);
    if (!rt || rt.namespaced) return;
    this.bootstrapIngressClass();
    this.bootstrapRbacPolicy();
    if (this.table.meta("bootstrapped")) return;
    const now = new Date();
    const nsType = typeOf("namespaces");
    for (const name of BUILTIN_NAMESPACES) {
      if (this.table.get("namespaces", name)) continue;
      this.commit("namespaces", undefined, prepareForCreate(nsType, { metadata: { name } }, { now }));
    }
    this.table.setMeta("bootstrapped", "1");
  }

  /**
   * The built-in ClusterRoles and ClusterRoleBindings, checked every time the
   * object starts, so a deleted default comes back (upstream reconciles them at apiserver start).
   */
  private bootstrapRbacPolicy(): void {
    const now = new Date();
    for (const [resource, objects] of [
      ["clusterroles", bootstrapClusterRoles()],
      ["clusterrolebindings", bootstrapClusterRoleBindings()],
    ] as const) {
      const rt = typeOf(resource);
      for (const o of objects) if (!this.table.get(resource, o.metadata.name!)) this.commit(resource, undefined, prepareForCreate(rt, o, { now }));
    }
  }

  /** kubeflare's default IngressClass, once (a cluster bootstrapped before it existed gets it too). */
  private bootstrapIngressClass(): void {
    if (this.table.meta("ingressclass")) return;
    const rt = typeOf("ingressclasses");
    if (!this.table.get("ingressclasses", INGRESS_CLASS_NAME))
      this.commit("ingressclasses", undefined, prepareForCreate(rt, defaultIngressClass(), { now: new Date() }));
    this.table.setMeta("ingressclass", "1");
  }

  /** What a write sets in motion: controller keys here, effects on other objects after the call. */
  private afterWrite(resource: string, before: KubeObject | undefined, after: KubeObject | null): void {
    this.memo.clear();
    const ns = this.namespace;
    const now = Date.now();
    const name = (after ?? before)!.metadata.name!;
    if (ns && resourceByName(resource)?.namespaced) {
      const keys = keysForChange(resource, before, after, {
        services: () => this.cached("services") as Service[],
        adopters: () => [
          ...this.cached("replicasets").map((o) => `replicaset:${o.metadata.name}`),
          ...this.cached("daemonsets").map((o) => `daemonset:${o.metadata.name}`),
          ...this.cached("jobs").map((o) => `job:${o.metadata.name}`),
        ],
        ingresses: () => this.cached("ingresses").map((o) => o.metadata.name!),
      });
      for (const k of keys) this.queue.enqueue(k, now);
      if (!this.table.meta("serviceaccounts")) {
        this.table.setMeta("serviceaccounts", "1");
        this.queue.enqueue(SERVICE_ACCOUNTS_KEY, now);
      }
    }
    const fx = this.effects;
    switch (resource) {
      case "pods": {
        for (const n of [before?.spec?.nodeName, after?.spec?.nodeName]) if (n) fx.dirtyNodes.add(n);
        const phase = after?.status?.phase;
        if (before?.metadata.uid && (after === null || phase === "Succeeded" || phase === "Failed")) fx.releases.add(before.metadata.uid);
        break;
      }
      case "services":
        if (after === null && before?.metadata.uid) fx.serviceReleases.add(before.metadata.uid);
        break;
      case "configmaps":
      case "secrets":
        // A changed ConfigMap or Secret reaches the nodes whose pods read it.
        for (const n of this.table.nodesWithPods()) fx.dirtyNodes.add(n);
        break;
      case "leases":
        if (ns === "kube-node-lease" && after?.spec?.renewTime) {
          const t = Date.parse(after.spec.renewTime);
          if (!Number.isNaN(t)) fx.heartbeats.set(after.spec.holderIdentity || name, t);
        }
        break;
      case "nodes":
        fx.nodeChanges.set(name, after);
        // Heartbeat times alone change nothing the node lifecycle acts on.
        if (nodeViewChanged(before, after)) this.queue.enqueue(`node:${name}`, now);
        break;
      case "namespaces":
        fx.phases.set(name, after === null ? null : after.metadata.deletionTimestamp ? "Terminating" : "Active");
        break;
    }
  }
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
