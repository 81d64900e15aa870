/**
 * Deployment controller (upstream pkg/controller/deployment): owns
 * ReplicaSets named `<deployment>-<pod-template-hash>` and moves replicas from
 * old to new ones by the strategy, recording revisions and progress on the way.
 */
import type { Deployment, ReplicaSet } from "../schema/apps.js";
import type { Pod } from "../schema/core.js";
import type { Action, ReconcileResult, Snapshot } from "./types.js";
import { claimObjects, selectorMatcher, selectsEverything } from "./controller-ref.js";
import { DeploymentSync, deploymentType } from "./deployment-sync.js";
import { getAllReplicaSetsAndSyncRevision } from "./deployment-replicasets.js";
import { isScalingEvent, rolloutRecreate, rolloutRolling, syncScaling } from "./deployment-rollout.js";
import { progressRequeue, syncDeploymentStatus } from "./deployment-progress.js";
import { getCondition, newCondition, setCondition } from "./deployment-util.js";
import { eventAction } from "./events.js";

export { deploymentType } from "./deployment-sync.js";

/**
 * checkPausedConditions: Progressing=Unknown while paused, so the deadline
 * does not run out during a pause; DeploymentResumed restarts the clock.
 */
function checkPausedConditions(sync: DeploymentSync): void {
  if (sync.p.progressDeadlineSeconds === undefined) return;
  const cond = getCondition(sync.d.status, "Progressing");
  if (cond?.reason === "ProgressDeadlineExceeded") return;
  const pausedCondExists = cond?.reason === "DeploymentPaused";
  if (sync.p.paused && !pausedCondExists) {
    setCondition(sync.d.status!, newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", sync.now));
  } else if (!sync.p.paused && pausedCondExists) {
    setCondition(sync.d.status!, newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", sync.now));
  }
}

const json = (v: unknown) => JSON.stringify(v ?? {});

/**
 * The Deployment's own writes. Upstream changes the revision annotation
 * through UpdateStatus (its status strategy keeps annotation changes); a
 * status write here changes status only, so the annotations go first as a
 * metadata update and the status follows without a resourceVersion
 * precondition (the first write made the snapshot's version stale, and only
 * this controller writes Deployment status).
 */
function deploymentWrites(sync: DeploymentSync): Action[] {
  const { original, d } = sync;
  const statusChanged = json(original.status) !== json(d.status);
  const annotationsChanged = json(original.metadata.annotations) !== json(d.metadata.annotations);
  const writes: Action[] = [];
  if (annotationsChanged) {
    writes.push({ type: "update", resource: "deployments", object: { ...original, metadata: { ...original.metadata, annotations: d.metadata.annotations } } });
  }
  if (statusChanged) {
    const metadata = { ...original.metadata };
    if (annotationsChanged) delete metadata.resourceVersion;
    writes.push({ type: "updateStatus", resource: "deployments", object: { ...original, metadata, status: d.status } });
  }
  return writes;
}

/**
 * One sync of one Deployment. `replicaSets` and `pods` are every object of
 * those kinds in the namespace: claiming happens here.
 */
export function reconcileDeployment(d: Deployment, replicaSets: ReplicaSet[], pods: Pod[], now: number): ReconcileResult {
  if (selectsEverything(d.spec.selector)) {
    // Upstream refuses an empty selector: it would select every pod in the namespace.
    if ((d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)) return { actions: [] };
    return {
      actions: [
        eventAction(d, deploymentType, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.", "deployment-controller"),
        { type: "updateStatus", resource: "deployments", object: { ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata.generation } } },
      ],
    };
  }
  const matcher = selectorMatcher(d.spec.selector);
  if (!matcher) return { actions: [] };
  const claim = claimObjects(d, deploymentType, matcher, replicaSets);
  const sync = new DeploymentSync(d, claim.owned, replicaSets, pods, now);
  // Adoption and release writes: released ones are not ours any more; adopted ones are in `owned`.
  const released = claim.updates.filter((rs) => !claim.owned.includes(rs));
  for (const rs of sync.owned) {
    if (claim.updates.some((u) => u.metadata.uid === rs.metadata.uid)) sync.markDirty(rs);
  }

  if (d.metadata.deletionTimestamp != null) {
    const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sync, false);
    syncDeploymentStatus(sync, [...oldRSs, newRS], newRS);
  } else {
    checkPausedConditions(sync);
    if (sync.p.paused || isScalingEvent(sync)) syncScaling(sync);
    else if (sync.p.strategy === "Recreate") rolloutRecreate(sync);
    else rolloutRolling(sync);
  }

  const actions: Action[] = released.map((rs) => ({ type: "update", resource: "replicasets", object: rs }) as Action);
  if (!sync.collided) actions.push(...sync.replicaSetActions());
  actions.push(...deploymentWrites(sync));
  actions.push(...sync.eventActions());
  const requeue = progressRequeue(sync);
  return requeue === undefined ? { actions } : { actions, requeueAfter: requeue };
}

/** Snapshot entry point for the key `deployments/<name>`. */
export function syncDeployment(snapshot: Snapshot, name: string): ReconcileResult {
  const d = snapshot.objects("deployments").find((o) => o.metadata.name === name) as Deployment | undefined;
  if (!d) return { actions: [] };
  return reconcileDeployment(d, snapshot.objects("replicasets") as ReplicaSet[], snapshot.objects("pods") as Pod[], snapshot.now);
}
