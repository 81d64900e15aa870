/**
 * Deployment status and the Progressing/Available conditions, after upstream
 * pkg/controller/deployment/progress.go and sync.go calculateStatus. These are
 * exactly the fields `kubectl rollout status` reads.
 */
import type { ReplicaSet } from "../schema/apps.js";
import type { DeploymentSync } from "./deployment-sync.js";
import {
  getCondition,
  maxUnavailable,
  newCondition,
  removeCondition,
  setCondition,
  sumSpecReplicas,
  sumStatus,
  type DeploymentStatus,
} from "./deployment-util.js";
import { parseTime } from "./time.js";

export const NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
export const TIMED_OUT = "ProgressDeadlineExceeded";
export const RS_UPDATED = "ReplicaSetUpdated";

const omitZero = (status: DeploymentStatus): DeploymentStatus => {
  const out: DeploymentStatus = {};
  for (const [k, v] of Object.entries(status)) {
    // collisionCount is a pointer upstream: 0 differs from absent (it feeds the pod-template-hash).
    if (v === undefined || (v === 0 && k !== "collisionCount") || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
};

/** calculateStatus: counts from the ReplicaSets' status, plus the Available condition. */
export function calculateStatus(sync: DeploymentSync, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const { d, p, now } = sync;
  const available = sumStatus(allRSs, "availableReplicas");
  const total = sumSpecReplicas(allRSs);
  const status: DeploymentStatus = {
    ...d.status,
    observedGeneration: d.metadata.generation,
    replicas: sumStatus(allRSs, "replicas"),
    updatedReplicas: sumStatus([newRS], "replicas"),
    readyReplicas: sumStatus(allRSs, "readyReplicas"),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (available >= p.replicas - maxUnavailable(p)) {
    setCondition(status, newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now));
  } else {
    setCondition(status, newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));
  }
  return omitZero(status);
}

/** DeploymentComplete: every desired replica updated and available, and the spec observed. */
export function deploymentComplete(sync: DeploymentSync, status: DeploymentStatus): boolean {
  const want = sync.p.replicas;
  return (
    (status.updatedReplicas ?? 0) === want &&
    (status.replicas ?? 0) === want &&
    (status.availableReplicas ?? 0) === want &&
    (status.observedGeneration ?? 0) >= (sync.d.metadata.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated/ready/available replicas, or fewer old ones, than last recorded. */
function deploymentProgressing(old: DeploymentStatus, next: DeploymentStatus): boolean {
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: the Progressing condition was last updated more than the deadline ago. */
function deploymentTimedOut(sync: DeploymentSync, status: DeploymentStatus): boolean {
  const deadline = sync.p.progressDeadlineSeconds;
  const cond = getCondition(status, "Progressing");
  if (deadline === undefined || !cond || cond.reason === NEW_RS_AVAILABLE) return false;
  if (cond.reason === TIMED_OUT) return true;
  const from = parseTime(cond.lastUpdateTime);
  return from !== undefined && from + deadline * 1000 < sync.now;
}

/** syncRolloutStatus: status plus the Progressing condition's progress / deadline bookkeeping. */
export function syncRolloutStatus(sync: DeploymentSync, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
  const { d, p, now } = sync;
  const next = calculateStatus(sync, allRSs, newRS);
  const name = d.metadata.name;
  if (p.progressDeadlineSeconds === undefined) removeCondition(next, "Progressing");
  const current = getCondition(d.status, "Progressing");
  const isComplete = (next.replicas ?? 0) === (next.updatedReplicas ?? 0) && current?.reason === NEW_RS_AVAILABLE;
  if (p.progressDeadlineSeconds !== undefined && !isComplete) {
    if (deploymentComplete(sync, next)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(next, newCondition("Progressing", "True", NEW_RS_AVAILABLE, msg, now));
    } else if (deploymentProgressing(d.status ?? {}, next)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const cond = newCondition("Progressing", "True", RS_UPDATED, msg, now);
      // Progress refreshes lastUpdateTime even with an unchanged reason; that is what the deadline measures from.
      if (current?.status === "True") cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(next, "Progressing");
      setCondition(next, cond);
    } else if (deploymentTimedOut(sync, next)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(next, newCondition("Progressing", "False", TIMED_OUT, msg, now));
    }
  }
  removeCondition(next, "ReplicaFailure");
  d.status = omitZero(next);
}

/** syncDeploymentStatus: status only, no progress estimation (scaling and paused syncs). */
export function syncDeploymentStatus(sync: DeploymentSync, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
  sync.d.status = calculateStatus(sync, allRSs, newRS);
}

/**
 * requeueStuckDeployment: when to look again so a rollout that makes no
 * progress is marked ProgressDeadlineExceeded on time. undefined: no need.
 */
export function progressRequeue(sync: DeploymentSync): number | undefined {
  const deadline = sync.p.progressDeadlineSeconds;
  const status = sync.d.status ?? {};
  const cond = getCondition(status, "Progressing");
  if (deadline === undefined || !cond || cond.reason === TIMED_OUT || cond.reason === NEW_RS_AVAILABLE) return undefined;
  if (deploymentComplete(sync, status) || sync.p.paused) return undefined;
  const from = parseTime(cond.lastUpdateTime);
  if (from === undefined) return undefined;
  return Math.max(0, from + deadline * 1000 - sync.now) + 1000;
}
