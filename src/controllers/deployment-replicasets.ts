/**
 * Finding (or creating) a Deployment's new ReplicaSet and keeping revisions
 * in step, after upstream sync.go getAllReplicaSetsAndSyncRevision /
 * getNewReplicaSet and cleanupDeployment.
 */
import type { ReplicaSet } from "../schema/apps.js";
import type { LabelSelector } from "../schema/meta.js";
import { newControllerRef, isControlledBy } from "./controller-ref.js";
import { deploymentType, type DeploymentSync } from "./deployment-sync.js";
import {
  REVISION_ANNOTATION,
  byCreation,
  byRevision,
  getCondition,
  maxRevision,
  maxSurge,
  newCondition,
  setCondition,
  setNewReplicaSetAnnotations,
  specReplicas,
  sumSpecReplicas,
} from "./deployment-util.js";
import { POD_TEMPLATE_HASH_LABEL, computePodTemplateHash, equalIgnoreHash } from "./pod-template-hash.js";

export interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** FindNewReplicaSet: the oldest owned ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(sync: DeploymentSync): ReplicaSet | undefined {
  return [...sync.owned].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, sync.d.spec.template));
}

/** NewRSNewReplicas: how big the new ReplicaSet may be right now. */
export function newRSNewReplicas(sync: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const { p } = sync;
  if (p.strategy === "Recreate") return p.replicas;
  const maxTotal = p.replicas + maxSurge(p);
  const current = sumSpecReplicas(allRSs);
  if (current >= maxTotal) return specReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, p.replicas - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}

function selectorWithHash(selector: LabelSelector, hash: string): LabelSelector {
  return { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
}

/** SetDeploymentRevision on the working copy. */
function setDeploymentRevision(sync: DeploymentSync, revision: string | undefined): void {
  if (revision === undefined) return;
  const annotations = sync.d.metadata.annotations ?? {};
  if (annotations[REVISION_ANNOTATION] === revision) return;
  sync.d.metadata.annotations = { ...annotations, [REVISION_ANNOTATION]: revision };
}

function syncExistingNewRS(sync: DeploymentSync, rs: ReplicaSet, newRevision: number): void {
  const changed = setNewReplicaSetAnnotations(sync.d, sync.p, rs, newRevision, true);
  const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== sync.p.minReadySeconds;
  if (changed || minReadyChanged) {
    rs.spec.minReadySeconds = sync.p.minReadySeconds;
    sync.markDirty(rs);
  }
  setDeploymentRevision(sync, rs.metadata.annotations?.[REVISION_ANNOTATION]);
  if (sync.p.progressDeadlineSeconds !== undefined && !getCondition(sync.d.status, "Progressing")) {
    setCondition(sync.d.status!, newCondition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rs.metadata.name}"`, sync.now));
  }
}

function createNewRS(sync: DeploymentSync, oldRSs: ReplicaSet[], newRevision: number): ReplicaSet | undefined {
  const { d } = sync;
  const hash = computePodTemplateHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const name = `${d.metadata.name}-${hash}`;
  const clash = sync.namespaceReplicaSets.find((rs) => rs.metadata.name === name);
  if (clash) {
    // Ours and equal would have been found as the new ReplicaSet; anything else is a hash collision.
    if (isControlledBy(clash, d) && equalIgnoreHash(clash.spec.template, d.spec.template)) return clash;
    d.status!.collisionCount = (d.status!.collisionCount ?? 0) + 1;
    sync.collided = true;
    return undefined;
  }
  const rs: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: d.metadata.namespace,
      ownerReferences: [newControllerRef(d, deploymentType)],
      labels: { ...template.metadata.labels },
    },
    spec: {
      replicas: 0,
      minReadySeconds: sync.p.minReadySeconds,
      selector: selectorWithHash(d.spec.selector, hash),
      template,
    },
  };
  rs.spec.replicas = newRSNewReplicas(sync, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, sync.p, rs, newRevision, false);
  sync.create(rs);
  if (rs.spec.replicas! > 0) {
    sync.event("Normal", "ScalingReplicaSet", `Scaled up replica set ${name} from 0 to ${rs.spec.replicas}`);
  }
  setDeploymentRevision(sync, String(newRevision));
  if (sync.p.progressDeadlineSeconds !== undefined) {
    setCondition(sync.d.status!, newCondition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${name}"`, sync.now));
  }
  return rs;
}

/**
 * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked
 * and missing) with its revision raised to max(old)+1, and the old ones.
 */
export function getAllReplicaSetsAndSyncRevision(sync: DeploymentSync, createIfNotExisted: boolean): ReplicaSets {
  const existing = findNewReplicaSet(sync);
  const oldRSs = sync.owned.filter((rs) => rs !== existing);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    syncExistingNewRS(sync, existing, newRevision);
    return { newRS: existing, oldRSs };
  }
  if (!createIfNotExisted) return { newRS: undefined, oldRSs };
  return { newRS: createNewRS(sync, oldRSs, newRevision), oldRSs };
}

/**
 * cleanupDeployment: delete the oldest old ReplicaSets beyond
 * revisionHistoryLimit, but only ones that are fully scaled down and settled.
 */
export function cleanupDeployment(sync: DeploymentSync, oldRSs: ReplicaSet[]): void {
  const limit = sync.p.revisionHistoryLimit;
  if (limit === undefined) return;
  const cleanable = oldRSs.filter((rs) => rs.metadata.deletionTimestamp == null && !sync.isCreated(rs));
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  const sorted = [...cleanable].sort(byRevision);
  for (const rs of sorted.slice(0, diff)) {
    const settled = (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0);
    if (settled) sync.delete(rs);
  }
}
