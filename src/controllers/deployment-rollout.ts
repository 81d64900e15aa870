/**
 * The three ways a Deployment sync moves ReplicaSets, after upstream
 * sync.go (scale: proportional scaling), rolling.go and recreate.go.
 */
import type { ReplicaSet } from "../schema/apps.js";
import type { DeploymentSync } from "./deployment-sync.js";
import {
  byCreation,
  bySize,
  desiredReplicasAnnotation,
  filterActive,
  maxReplicasAnnotation,
  maxSurge,
  maxUnavailable,
  specReplicas,
  sumSpecReplicas,
  sumStatus,
} from "./deployment-util.js";
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, newRSNewReplicas } from "./deployment-replicasets.js";
import { deploymentComplete, syncDeploymentStatus, syncRolloutStatus } from "./deployment-progress.js";
import { controllerRefOf } from "./controller-ref.js";

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** IsSaturated: the new ReplicaSet has, wants and makes available exactly spec.replicas. */
function isSaturated(sync: DeploymentSync, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = sync.p.replicas;
  return specReplicas(rs) === want && desiredReplicasAnnotation(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** getReplicaSetFraction: this ReplicaSet's share of the change, from its max-replicas annotation. */
function replicaSetFraction(sync: DeploymentSync, rs: ReplicaSet): number {
  const { p } = sync;
  if (p.replicas === 0) return -specReplicas(rs);
  const deploymentMax = p.replicas + maxSurge(p);
  let before = maxReplicasAnnotation(rs);
  if (before === undefined) before = sync.d.status?.replicas ?? 0;
  if (before === 0) return 0;
  return Math.round((specReplicas(rs) * deploymentMax) / before) - specReplicas(rs);
}

function proportion(sync: DeploymentSync, rs: ReplicaSet, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(sync, rs);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * scale: a replicas change while a rollout is under way is spread over the
 * active ReplicaSets in proportion to their size, leftovers to the largest.
 */
export function scale(sync: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
  const { p } = sync;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) !== p.replicas) sync.scaleAndRecord(activeOrLatest, p.replicas);
    return;
  }
  if (isSaturated(sync, newRS)) {
    for (const old of filterActive(oldRSs)) sync.scaleAndRecord(old, 0);
    return;
  }
  if (p.strategy !== "RollingUpdate") return;
  const all = filterActive([...oldRSs, newRS]);
  const allowedSize = p.replicas > 0 ? p.replicas + maxSurge(p) : 0;
  const toAdd = allowedSize - sumSpecReplicas(all);
  let operation = "";
  if (toAdd > 0) {
    all.sort(bySize(true));
    operation = "up";
  } else if (toAdd < 0) {
    all.sort(bySize(false));
    operation = "down";
  }
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    const share = toAdd !== 0 ? proportion(sync, rs, toAdd, added) : 0;
    sizes.set(rs, specReplicas(rs) + share);
    added += share;
  }
  all.forEach((rs, i) => {
    if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
    sync.scaleReplicaSet(rs, sizes.get(rs)!, operation);
  });
}

/** sync: scaling events and paused Deployments: resize, clean up, report status. */
export function syncScaling(sync: DeploymentSync): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sync, false);
  if (sync.collided) return;
  scale(sync, newRS, oldRSs);
  if (sync.p.paused) cleanupDeployment(sync, oldRSs);
  syncDeploymentStatus(sync, [...oldRSs, newRS], newRS);
}

/** isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
export function isScalingEvent(sync: DeploymentSync): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sync, false);
  return filterActive([...oldRSs, newRS]).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== sync.p.replicas;
  });
}

// ---- RollingUpdate ------------------------------------------------------------------

function reconcileNewReplicaSet(sync: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  const want = sync.p.replicas;
  if (specReplicas(newRS) === want) return false;
  if (specReplicas(newRS) > want) return sync.scaleAndRecord(newRS, want);
  return sync.scaleAndRecord(newRS, newRSNewReplicas(sync, allRSs, newRS));
}

/** cleanupUnhealthyReplicas: shrink old ReplicaSets by their unavailable pods first; they cost no availability. */
function cleanupUnhealthyReplicas(sync: DeploymentSync, oldRSs: ReplicaSet[], maxCleanup: number): number {
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= maxCleanup) break;
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    sync.scaleAndRecord(rs, replicas - count);
    total += count;
  }
  return total;
}

/** scaleDownOldReplicaSetsForRollingUpdate: never below spec.replicas - maxUnavailable available pods. */
function scaleDownOldForRollingUpdate(sync: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): number {
  const minAvailable = sync.p.replicas - maxUnavailable(sync.p);
  const available = sumStatus(allRSs, "availableReplicas");
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), target - total);
    sync.scaleAndRecord(rs, specReplicas(rs) - count);
    total += count;
  }
  return total;
}

function reconcileOldReplicaSets(sync: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  if (sumSpecReplicas(oldRSs) === 0) return false;
  const minAvailable = sync.p.replicas - maxUnavailable(sync.p);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(sync, oldRSs, maxScaledDown);
  const scaled = scaleDownOldForRollingUpdate(sync, [...oldRSs, newRS], oldRSs);
  return cleaned + scaled > 0;
}

export function rolloutRolling(sync: DeploymentSync): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sync, true);
  if (sync.collided || !newRS) return;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(sync, allRSs, newRS)) return syncRolloutStatus(sync, allRSs, newRS);
  if (reconcileOldReplicaSets(sync, allRSs, filterActive(oldRSs), newRS)) return syncRolloutStatus(sync, allRSs, newRS);
  if (deploymentComplete(sync, sync.d.status ?? {})) cleanupDeployment(sync, oldRSs);
  syncRolloutStatus(sync, allRSs, newRS);
}

// ---- Recreate -----------------------------------------------------------------------

/** oldPodsRunning: any old ReplicaSet still reports pods, or any of their pods is not finished. */
function oldPodsRunning(sync: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  if (sumStatus(oldRSs, "replicas") > 0) return true;
  const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid).filter((u) => u !== undefined && u !== newRS?.metadata.uid));
  return sync.pods.some((pod) => {
    const ref = controllerRefOf(pod);
    if (!ref || !oldUids.has(ref.uid)) return false;
    return pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
  });
}

export function rolloutRecreate(sync: DeploymentSync): void {
  // Don't create the new ReplicaSet yet, so nothing scales up before the old pods are gone.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sync, false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) scaledDown = sync.scaleAndRecord(rs, 0) || scaledDown;
  if (scaledDown || oldPodsRunning(sync, newRS, oldRSs)) return syncRolloutStatus(sync, [...oldRSs, newRS], newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sync, true));
    if (sync.collided || !newRS) return;
  }
  sync.scaleAndRecord(newRS, sync.p.replicas);
  if (deploymentComplete(sync, sync.d.status ?? {})) cleanupDeployment(sync, oldRSs);
  syncRolloutStatus(sync, [...oldRSs, newRS], newRS);
}
