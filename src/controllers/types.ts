/**
 * The contract between pure reconcile functions and the Durable Object that
 * runs them. A controller reads a snapshot and returns actions; the object
 * applies them in storage (with resourceVersion preconditions) and requeues.
 * Controllers never touch storage, the network or the clock themselves.
 */
import type { KubeObject } from "../schema/meta.js";

/** Plural resource name as in the URL: "pods", "replicasets", ... */
export type ResourceName = string;

export type Action =
  /** Create a new object (metadata.name or generateName set by the controller). */
  | { type: "create"; resource: ResourceName; object: KubeObject }
  /**
   * Replace an object's spec/metadata. `object.metadata.resourceVersion` is the
   * precondition: a stale one fails and the key is requeued (level-triggered retry).
   */
  | { type: "update"; resource: ResourceName; object: KubeObject }
  /** Replace an object's status (the /status subresource), same precondition rule. */
  | { type: "updateStatus"; resource: ResourceName; object: KubeObject }
  /** Delete an object; `uid` guards against deleting a same-named successor. */
  | {
      type: "delete";
      resource: ResourceName;
      /** Set when the object lives in another namespace than the one reconciled (node lifecycle evictions). */
      namespace?: string;
      name: string;
      uid?: string;
      propagationPolicy?: "Background" | "Foreground" | "Orphan";
      gracePeriodSeconds?: number;
    }
  /** Record a core/v1 Event about `involvedObject`. */
  | {
      type: "event";
      involvedObject: { kind: string; apiVersion: string; name: string; namespace?: string; uid?: string };
      eventType: "Normal" | "Warning";
      reason: string;
      message: string;
      component: string;
    };

export interface ReconcileResult {
  actions: Action[];
  /** Milliseconds until this key should be looked at again even if nothing changes. */
  requeueAfter?: number;
}

/** Everything a controller may read: the namespace's objects by resource, and the time. */
export interface Snapshot {
  namespace: string;
  now: number;
  /** Objects of this namespace by plural resource name. */
  objects: (resource: ResourceName) => KubeObject[];
}
