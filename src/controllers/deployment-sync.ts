/**
 * The working state of one Deployment sync. Upstream's sync functions call
 * the API as they go and keep using the returned objects; here they mutate
 * copies, and the pass ends by turning what changed into Actions: at most one
 * write per object, so no action carries a resourceVersion another one made stale.
 */
import type { Deployment, ReplicaSet } from "../schema/apps.js";
import type { Pod } from "../schema/core.js";
import type { Action } from "./types.js";
import { eventAction, type EventType, type TypeMeta } from "./events.js";
import { deploymentParams, specReplicas, setReplicasAnnotations, maxSurge, type DeploymentParams } from "./deployment-util.js";

export const deploymentType: TypeMeta = { apiVersion: "apps/v1", kind: "Deployment" };
export const DEPLOYMENT_COMPONENT = "deployment-controller";

export class DeploymentSync {
  readonly original: Deployment;
  /** Working copy: status and annotations are changed in place during the pass. */
  readonly d: Deployment;
  readonly p: DeploymentParams;
  /** ReplicaSets this Deployment controls (working copies), created ones included. */
  readonly owned: ReplicaSet[];
  /** Every ReplicaSet in the namespace, to spot name collisions. */
  readonly namespaceReplicaSets: ReplicaSet[];
  readonly pods: Pod[];
  readonly now: number;
  /** Set when a hash collision was found: only the status (collisionCount) is written. */
  collided = false;
  private readonly dirty = new Set<ReplicaSet>();
  private readonly created = new Set<ReplicaSet>();
  private readonly deleted: ReplicaSet[] = [];
  private readonly events: Action[] = [];

  constructor(d: Deployment, owned: ReplicaSet[], namespaceReplicaSets: ReplicaSet[], pods: Pod[], now: number) {
    this.original = d;
    this.d = structuredClone(d);
    this.d.status = this.d.status ?? {};
    this.p = deploymentParams(d);
    this.owned = owned.map((rs) => structuredClone(rs));
    this.namespaceReplicaSets = namespaceReplicaSets;
    this.pods = pods;
    this.now = now;
  }

  markDirty(rs: ReplicaSet): void {
    if (!this.created.has(rs)) this.dirty.add(rs);
  }

  create(rs: ReplicaSet): void {
    this.owned.push(rs);
    this.created.add(rs);
  }

  isCreated(rs: ReplicaSet): boolean {
    return this.created.has(rs);
  }

  delete(rs: ReplicaSet): void {
    this.deleted.push(rs);
  }

  event(eventType: EventType, reason: string, message: string): void {
    this.events.push(eventAction(this.original, deploymentType, eventType, reason, message, DEPLOYMENT_COMPONENT));
  }

  /**
   * scaleReplicaSet: set the size and the desired/max-replicas annotations;
   * an event only when the size changed. Returns whether it did.
   */
  scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): boolean {
    const oldScale = specReplicas(rs);
    const sizeChanged = oldScale !== newScale;
    rs.spec.replicas = newScale;
    const annotationsChanged = setReplicasAnnotations(rs, this.p.replicas, this.p.replicas + maxSurge(this.p));
    if (!sizeChanged && !annotationsChanged) return false;
    this.markDirty(rs);
    if (sizeChanged) {
      this.event("Normal", "ScalingReplicaSet", `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return sizeChanged;
  }

  /** scaleReplicaSetAndRecordEvent: nothing to do when the size is already right. */
  scaleAndRecord(rs: ReplicaSet, newScale: number): boolean {
    const current = specReplicas(rs);
    if (current === newScale) return false;
    return this.scaleReplicaSet(rs, newScale, current < newScale ? "up" : "down");
  }

  /** ReplicaSet writes, then deletes, then events; the Deployment's own write is added by the caller. */
  replicaSetActions(): Action[] {
    const actions: Action[] = [];
    for (const rs of this.owned) {
      if (this.created.has(rs)) actions.push({ type: "create", resource: "replicasets", object: rs });
      else if (this.dirty.has(rs)) actions.push({ type: "update", resource: "replicasets", object: rs });
    }
    for (const rs of this.deleted) {
      actions.push({ type: "delete", resource: "replicasets", name: rs.metadata.name!, uid: rs.metadata.uid });
    }
    return actions;
  }

  eventActions(): Action[] {
    return this.events;
  }
}
