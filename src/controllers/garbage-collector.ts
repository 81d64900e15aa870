/**
 * Garbage collector (upstream pkg/controller/garbagecollector) for one
 * namespace: dependents whose owners are gone are deleted (Background);
 * owners deleted with `foregroundDeletion` keep that finalizer until their
 * blocking dependents are gone; owners deleted with `orphan` first strip
 * their ownerReference from every dependent. Level-triggered: each pass looks
 * at the whole namespace and does the next step.
 */
import type { KubeObject, OwnerReference } from "../schema/meta.js";
import type { Action, ReconcileResult, ResourceName } from "./types.js";
import { findKind } from "../schema/registry.js";

export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

export interface GCObject {
  resource: ResourceName;
  object: KubeObject;
}

export type ObjectsByResource = Record<ResourceName, KubeObject[]>;

export const flattenObjects = (objects: ObjectsByResource): GCObject[] =>
  Object.entries(objects).flatMap(([resource, list]) => list.map((object) => ({ resource, object })));

const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const beingDeleted = (o: KubeObject) => o.metadata.deletionTimestamp != null;
const refersTo = (o: KubeObject, uid: string | undefined) => uid !== undefined && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid);

/** Delete with the policy the object's own finalizers ask for, Background otherwise. */
function deleteAction(d: GCObject, policy?: "Background" | "Foreground" | "Orphan"): Action {
  const o = d.object;
  const chosen = policy ?? (hasFinalizer(o, ORPHAN_FINALIZER) ? "Orphan" : hasFinalizer(o, FOREGROUND_FINALIZER) ? "Foreground" : "Background");
  return { type: "delete", resource: d.resource, name: o.metadata.name!, uid: o.metadata.uid, propagationPolicy: chosen };
}

/**
 * Finalizer work for one owner being deleted, given the objects that
 * reference it. Returns the ownerReference uids to strip from dependents
 * (orphaning) and the finalizers the owner may now drop.
 */
export function ownerDeletionSteps(owner: KubeObject, dependents: KubeObject[]): { release: KubeObject[]; dropFinalizers: string[] } {
  const uid = owner.metadata.uid;
  if (!beingDeleted(owner) || uid === undefined) return { release: [], dropFinalizers: [] };
  const refs = dependents.filter((d) => refersTo(d, uid));
  const dropFinalizers: string[] = [];
  let release: KubeObject[] = [];
  if (hasFinalizer(owner, ORPHAN_FINALIZER)) {
    // The finalizer goes only once no dependent still points here, so a failed release is retried.
    if (refs.length) release = refs;
    else dropFinalizers.push(ORPHAN_FINALIZER);
  }
  if (hasFinalizer(owner, FOREGROUND_FINALIZER)) {
    const blocking = refs.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
    if (blocking.length === 0) dropFinalizers.push(FOREGROUND_FINALIZER);
  }
  return { release, dropFinalizers };
}

/** The Actions for one owner being deleted (see ownerDeletionSteps); dependents are not deleted here. */
export function reconcileOwnerDeletion(owner: GCObject, dependents: GCObject[]): ReconcileResult {
  const { release, dropFinalizers } = ownerDeletionSteps(owner.object, dependents.map((d) => d.object));
  const actions: Action[] = [];
  for (const obj of release) {
    const d = dependents.find((x) => x.object === obj)!;
    actions.push({ type: "update", resource: d.resource, object: withoutRefs(obj, new Set([owner.object.metadata.uid!])) });
  }
  if (dropFinalizers.length) actions.push({ type: "update", resource: owner.resource, object: withoutFinalizers(owner.object, dropFinalizers) });
  return { actions };
}

/**
 * findOrphans: delete every object that has ownerReferences and none of
 * whose owners is in `liveUids` (for callers that know liveness across scopes).
 */
export function findOrphans(objects: GCObject[], liveUids: Set<string>): Action[] {
  return objects
    .filter(({ object: o }) => !beingDeleted(o) && (o.metadata.ownerReferences ?? []).length > 0)
    .filter(({ object: o }) => o.metadata.ownerReferences!.every((r) => !liveUids.has(r.uid)))
    .map((d) => deleteAction(d));
}

function withoutRefs(o: KubeObject, uids: Set<string>): KubeObject {
  const refs = (o.metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  return { ...o, metadata: { ...o.metadata, ownerReferences: refs.length ? refs : undefined } };
}

function withoutFinalizers(o: KubeObject, drop: string[]): KubeObject {
  const finalizers = (o.metadata.finalizers ?? []).filter((f) => !drop.includes(f));
  return { ...o, metadata: { ...o.metadata, finalizers: finalizers.length ? finalizers : undefined } };
}

type OwnerState = "solid" | "dangling" | "waiting";

export interface CollectOptions {
  /**
   * uids of live cluster-scoped objects (Nodes, Namespaces...). Without it a
   * reference to a cluster-scoped or unknown kind is assumed to be alive.
   */
  clusterUids?: Set<string>;
}

function classify(ref: OwnerReference, byUid: Map<string, GCObject>, opts: CollectOptions): OwnerState {
  const owner = byUid.get(ref.uid);
  if (owner) return beingDeleted(owner.object) && hasFinalizer(owner.object, FOREGROUND_FINALIZER) ? "waiting" : "solid";
  const type = findKind(ref.apiVersion, ref.kind);
  if (type && !type.namespaced) return opts.clusterUids && !opts.clusterUids.has(ref.uid) ? "dangling" : "solid";
  // Namespaced owners live in this namespace: absent (or a same-named successor with another uid) means gone.
  return type ? "dangling" : "solid";
}

/**
 * One sweep over a namespace (every resource's objects). Each object gets at
 * most one Action, so no two writes in a pass race on a resourceVersion.
 */
export function collectGarbage(objects: ObjectsByResource | GCObject[], opts: CollectOptions = {}): ReconcileResult {
  const all = Array.isArray(objects) ? objects : flattenObjects(objects);
  const byUid = new Map(all.filter((d) => d.object.metadata.uid).map((d) => [d.object.metadata.uid!, d]));
  const deletes = new Map<GCObject, Action>();
  const stripRefs = new Map<GCObject, Set<string>>();
  const dropFinalizers = new Map<GCObject, string[]>();
  const strip = (d: GCObject, uid: string) => stripRefs.set(d, (stripRefs.get(d) ?? new Set()).add(uid));

  for (const owner of all) {
    if (!beingDeleted(owner.object)) continue;
    const dependents = all.filter((d) => refersTo(d.object, owner.object.metadata.uid));
    const steps = ownerDeletionSteps(owner.object, dependents.map((d) => d.object));
    for (const obj of steps.release) strip(dependents.find((d) => d.object === obj)!, owner.object.metadata.uid!);
    if (steps.dropFinalizers.length) dropFinalizers.set(owner, steps.dropFinalizers);
  }

  for (const dep of all) {
    const refs = dep.object.metadata.ownerReferences ?? [];
    if (refs.length === 0 || beingDeleted(dep.object)) continue;
    const states = refs.map((r) => ({ ref: r, state: classify(r, byUid, opts) }));
    const solid = states.filter((s) => s.state === "solid");
    const gone = states.filter((s) => s.state !== "solid");
    if (gone.length === 0) continue;
    if (solid.length > 0) {
      // Another owner keeps it alive: just forget the ones that are gone or waiting on us.
      for (const s of gone) strip(dep, s.ref.uid);
    } else if (states.some((s) => s.state === "waiting") && all.some((d) => refersTo(d.object, dep.object.metadata.uid))) {
      // Its owner waits in the foreground and it has dependents of its own: cascade the foreground.
      deletes.set(dep, deleteAction(dep, "Foreground"));
    } else {
      deletes.set(dep, deleteAction(dep));
    }
  }

  const actions: Action[] = [];
  for (const d of all) {
    const del = deletes.get(d);
    if (del) {
      actions.push(del);
      continue;
    }
    const refs = stripRefs.get(d);
    const drop = dropFinalizers.get(d);
    if (!refs && !drop) continue;
    let obj = d.object;
    if (refs) obj = withoutRefs(obj, refs);
    if (drop) obj = withoutFinalizers(obj, drop);
    actions.push({ type: "update", resource: d.resource, object: obj });
  }
  return { actions };
}
