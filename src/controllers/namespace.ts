/**
 * Namespace deletion (upstream pkg/controller/namespace/deletion): while a
 * Namespace is Terminating, delete everything in it (pods gracefully, the
 * rest with Background propagation), report what remains in the Namespace's
 * conditions, and say when it is empty. The caller then removes the
 * `kubernetes` finalizer and with it the Namespace.
 */
import type { Namespace } from "../schema/core.js";
import type { Condition, KubeObject } from "../schema/meta.js";
import type { Action, ReconcileResult } from "./types.js";
import type { ObjectsByResource } from "./garbage-collector.js";
import { resourceByName } from "../schema/registry.js";
import { formatTime, parseTime } from "./time.js";

export const NAMESPACE_FINALIZER = "kubernetes";

/** Condition types in upstream's order, each with the reason and message it carries when all is well. */
const okConditions: [type: string, reason: string, message: string][] = [
  ["NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"],
  ["NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"],
  ["NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"],
  ["NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"],
  ["NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"],
];

/** Wait this long when nothing says how long terminating content will take. */
const DEFAULT_RECHECK_MS = 1000;

export interface NamespaceContentResult extends ReconcileResult {
  /** True when the namespace holds no object at all: it may be finalized. */
  done: boolean;
  /** The deletion conditions as they stand after this pass's deletes. */
  conditions: Condition[];
}

const groupOf = (resource: string) => resourceByName(resource)?.group ?? "";

/**
 * Delete every object not already being deleted. Objects left afterwards
 * (terminating pods, objects with finalizers) are reported the way upstream
 * words it: `Some resources are remaining: pods. has 2 resource instances`.
 */
export function reconcileNamespaceContent(objects: ObjectsByResource, now: number): NamespaceContentResult {
  const actions: Action[] = [];
  const remaining = new Map<string, number>();
  const finalizers = new Map<string, number>();
  let estimate = 0;
  let total = 0;
  for (const [resource, list] of Object.entries(objects)) {
    for (const obj of list) {
      total++;
      const deleting = obj.metadata.deletionTimestamp != null;
      if (!deleting) actions.push(deleteAction(resource, obj));
      // What outlives this pass: anything already terminating, pods (graceful), anything with finalizers.
      const stays = deleting || resource === "pods" || (obj.metadata.finalizers ?? []).length > 0;
      if (!stays) continue;
      const key = `${resource}.${groupOf(resource)}`;
      remaining.set(key, (remaining.get(key) ?? 0) + 1);
      for (const f of obj.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      if (resource === "pods") estimate = Math.max(estimate, gracefulTerminationEstimate(obj, now));
    }
  }
  const conditions = deletionConditions(remaining, finalizers, now);
  if (total === 0) return { actions, done: true, conditions };
  return { actions, done: false, conditions, requeueAfter: Math.max(estimate, DEFAULT_RECHECK_MS) };
}

function deleteAction(resource: string, obj: KubeObject): Action {
  const base = { type: "delete" as const, resource, name: obj.metadata.name!, uid: obj.metadata.uid };
  // Pods get their own grace period; everything else cascades in the background, as upstream's deleteCollection does.
  return resource === "pods" ? base : { ...base, propagationPolicy: "Background" };
}

/** How long until a terminating pod's grace period is over (ms). */
function gracefulTerminationEstimate(pod: KubeObject, now: number): number {
  const deletion = parseTime(pod.metadata.deletionTimestamp);
  if (deletion !== undefined) return Math.max(0, deletion - now);
  const grace = (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30;
  return grace * 1000;
}

function deletionConditions(remaining: Map<string, number>, finalizers: Map<string, number>, now: number): Condition[] {
  const t = formatTime(now);
  return okConditions.map(([type, reason, message]) => {
    if (type === "NamespaceContentRemaining" && remaining.size) {
      const parts = [...remaining].map(([r, n]) => `${r} has ${n} resource instances`).sort();
      return { type, status: "True", lastTransitionTime: t, reason: "SomeResourcesRemain", message: `Some resources are remaining: ${parts.join(", ")}` };
    }
    if (type === "NamespaceFinalizersRemaining" && finalizers.size) {
      const parts = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
      return {
        type,
        status: "True",
        lastTransitionTime: t,
        reason: "SomeFinalizersRemain",
        message: `Some content in the namespace has finalizers remaining: ${parts.join(", ")}`,
      };
    }
    return { type, status: "False", lastTransitionTime: t, reason, message };
  });
}

/** Keep a condition's lastTransitionTime while its status stays the same. */
function mergeConditions(old: Condition[], next: Condition[]): Condition[] {
  return next.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
  });
}

/**
 * The Namespace side: nothing to do unless it is being deleted; otherwise
 * delete its content, keep `status.phase: Terminating` and the conditions up
 * to date (one status write when they change), and report `done`.
 */
export function reconcileNamespaceDeletion(ns: Namespace, objects: ObjectsByResource, now: number): NamespaceContentResult {
  if (ns.metadata.deletionTimestamp == null) return { actions: [], done: false, conditions: ns.status?.conditions ?? [] };
  const result = reconcileNamespaceContent(objects, now);
  const conditions = mergeConditions(ns.status?.conditions ?? [], result.conditions);
  const status = { ...(ns.status ?? {}), phase: "Terminating" as const, conditions };
  const actions = [...result.actions];
  if (JSON.stringify(status) !== JSON.stringify(ns.status ?? {})) {
    actions.push({ type: "updateStatus", resource: "namespaces", object: { ...ns, status } });
  }
  return { ...result, actions, conditions };
}
