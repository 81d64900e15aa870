/**
 * Deployment arithmetic and bookkeeping after upstream
 * pkg/controller/deployment/util/deployment_util.go: defaults, maxSurge /
 * maxUnavailable fenceposts, revision and replica annotations, conditions.
 */
import type { Deployment, ReplicaSet } from "../schema/apps.js";
import type { Condition } from "../schema/meta.js";
import { formatTime, parseTime } from "./time.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
const ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to";
/** Upstream caps the revision-history annotation at this many characters. */
const MAX_REV_HISTORY_CHARS = 2000;
const MAX_INT32 = 2147483647;

/** The spec fields the controller reads, with the API's defaults applied. */
export interface DeploymentParams {
  replicas: number;
  strategy: "RollingUpdate" | "Recreate";
  maxSurge: number | string;
  maxUnavailable: number | string;
  minReadySeconds: number;
  /** undefined: no limit (upstream's MaxInt32). */
  revisionHistoryLimit: number | undefined;
  /** undefined: no deadline (upstream's MaxInt32). */
  progressDeadlineSeconds: number | undefined;
  paused: boolean;
}

export function deploymentParams(d: Deployment): DeploymentParams {
  const s = d.spec;
  const strategy = s.strategy?.type ?? "RollingUpdate";
  const limit = s.revisionHistoryLimit ?? 10;
  const deadline = s.progressDeadlineSeconds ?? 600;
  return {
    replicas: s.replicas ?? 1,
    strategy,
    maxSurge: s.strategy?.rollingUpdate?.maxSurge ?? "25%",
    maxUnavailable: s.strategy?.rollingUpdate?.maxUnavailable ?? "25%",
    minReadySeconds: s.minReadySeconds ?? 0,
    revisionHistoryLimit: limit === MAX_INT32 ? undefined : limit,
    progressDeadlineSeconds: deadline === MAX_INT32 ? undefined : deadline,
    paused: s.paused === true,
  };
}

/**
 * intstr.GetScaledValueFromIntOrPercent: "25%" of `total`, rounded up or
 * down; an integer as is. Anything else resolves to 0 (validation rejects it).
 */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return /^\d+$/.test(value) ? Number(value) : 0;
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * ResolveFenceposts: surge rounds up, unavailable rounds down, and when both
 * resolve to zero unavailable becomes 1 so the rollout can always move.
 */
export function resolveFenceposts(maxSurge: number | string, maxUnavailable: number | string, desired: number) {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(p: DeploymentParams): number {
  if (p.strategy !== "RollingUpdate") return 0;
  return resolveFenceposts(p.maxSurge, p.maxUnavailable, p.replicas).surge;
}

export function maxUnavailable(p: DeploymentParams): number {
  if (p.strategy !== "RollingUpdate" || p.replicas === 0) return 0;
  const { unavailable } = resolveFenceposts(p.maxSurge, p.maxUnavailable, p.replicas);
  return Math.min(unavailable, p.replicas);
}

// ---- ReplicaSet accessors and counts -------------------------------------------------

export const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 1;
export const sumSpecReplicas = (rss: (ReplicaSet | undefined)[]) =>
  rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
export const sumStatus = (rss: (ReplicaSet | undefined)[], key: "replicas" | "readyReplicas" | "availableReplicas") =>
  rss.reduce((n, rs) => n + (rs?.status?.[key] ?? 0), 0);
export const filterActive = (rss: (ReplicaSet | undefined)[]) =>
  rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);

const created = (rs: ReplicaSet) => parseTime(rs.metadata.creationTimestamp) ?? 0;

/** ReplicaSetsByCreationTimestamp: oldest first, name breaks ties. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  if (created(a) !== created(b)) return created(a) - created(b);
  return (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

/** ReplicaSetsBySizeOlder (up=false) / BySizeNewer (up=true): larger first, ties by age. */
export const bySize = (newerFirst: boolean) => (a: ReplicaSet, b: ReplicaSet) => {
  if (specReplicas(a) !== specReplicas(b)) return specReplicas(b) - specReplicas(a);
  return newerFirst ? byCreation(b, a) : byCreation(a, b);
};

export function revisionOf(obj: { metadata: { annotations?: Record<string, string> | null } }): number {
  const n = Number(obj.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export const maxRevision = (rss: ReplicaSet[]) => rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

/** ReplicaSetsByRevision: lowest revision first, creation time breaks ties. */
export const byRevision = (a: ReplicaSet, b: ReplicaSet) => revisionOf(a) - revisionOf(b) || byCreation(a, b);

const intAnnotation = (rs: ReplicaSet, key: string): number | undefined => {
  const raw = rs.metadata.annotations?.[key];
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
};
export const desiredReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

/** SetReplicasAnnotations; returns whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = { ...(rs.metadata.annotations ?? {}) };
  const changed = annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || annotations[MAX_REPLICAS_ANNOTATION] !== String(max);
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  annotations[MAX_REPLICAS_ANNOTATION] = String(max);
  rs.metadata.annotations = annotations;
  return changed;
}

const skipCopy = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations (change-cause
 * among them), raise the revision to `newRevision` (remembering the old one
 * in revision-history, as on an undo), and on creation the replica annotations.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  p: DeploymentParams,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
): boolean {
  const annotations = { ...(rs.metadata.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopy.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRaw = annotations[REVISION_ANNOTATION];
  const oldRevision = oldRaw === undefined ? 0 : Number(oldRaw);
  if (oldRaw !== undefined && !/^\d+$/.test(oldRaw)) {
    rs.metadata.annotations = annotations;
    return changed;
  }
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION];
      const revisions = history ? history.split(",") : [];
      revisions.push(oldRaw);
      while (revisions.join(",").length > MAX_REV_HISTORY_CHARS && revisions.length > 1) revisions.shift();
      annotations[REVISION_HISTORY_ANNOTATION] = revisions.join(",");
    }
  }
  rs.metadata.annotations = annotations;
  if (!exists && setReplicasAnnotations(rs, p.replicas, p.replicas + maxSurge(p))) changed = true;
  return changed;
}

// ---- conditions ---------------------------------------------------------------------

export type DeploymentStatus = NonNullable<Deployment["status"]>;

export const getCondition = (status: DeploymentStatus | undefined, type: string): Condition | undefined =>
  status?.conditions?.find((c) => c.type === type);

export function newCondition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const t = formatTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: no-op on same status and reason; keeps lastTransitionTime on same status. */
export function setCondition(status: DeploymentStatus, condition: Condition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}
