/**
 * Job controller (upstream pkg/controller/job, NonIndexed completion mode)
 * and the TTL-after-finished controller. Pods run to completion; failures are
 * retried with exponential backoff up to backoffLimit; the Job ends with
 * SuccessCriteriaMet→Complete or FailureTarget→Failed once no pod is terminating.
 */
import type { Job } from "../schema/batch.js";
import type { Pod } from "../schema/core.js";
import type { LabelSelector } from "../schema/meta.js";
import type { Action, ReconcileResult, Snapshot } from "./types.js";
import { claimObjects, selectorMatcher } from "./controller-ref.js";
import { eventAction, type TypeMeta } from "./events.js";
import { isPodActive, isPodReady, isPodTerminating, restartCount } from "./pod-state.js";
import { podsToDelete } from "./pod-deletion-order.js";
import { generatedName, podFromTemplate } from "./replicaset.js";
import { remainingBackoff } from "./job-backoff.js";
import { ensureCondition, findCondition, isJobFinished, jobCondition, jobFinishTime, type JobStatus } from "./job-conditions.js";
import { formatTime, parseTime } from "./time.js";

export const jobType: TypeMeta = { apiVersion: "batch/v1", kind: "Job" };
const COMPONENT = "job-controller";
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

/** The labels the API server puts on a Job's pod template (legacy short forms included). */
export function jobPodLabels(job: Job): Record<string, string> {
  const uid = job.metadata.uid ?? "";
  const name = job.metadata.name ?? "";
  return { [CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, "controller-uid": uid, "job-name": name };
}

/** spec.selector, or the one the API server defaults (controller-uid) when the Job has none. */
export const jobSelector = (job: Job): LabelSelector =>
  job.spec.selector ?? { matchLabels: { [CONTROLLER_UID_LABEL]: job.metadata.uid ?? "" } };

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[], backoffLimit: number): boolean {
  if (job.spec.template.spec.restartPolicy !== "OnFailure") return false;
  const restarts = pods
    .filter((p) => p.status?.phase === "Running" || p.status?.phase === "Pending")
    .reduce((n, p) => n + restartCount(p), 0);
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

/**
 * ttlafterfinished: delete a finished Job (and, by propagation, its pods)
 * once ttlSecondsAfterFinished has passed; otherwise say when to look again.
 * Upstream's TTL controller deletes with Foreground propagation; Background is
 * used here so a Job never waits on its pods' termination to disappear.
 */
export function reconcileJobTTL(job: Job, now: number): ReconcileResult {
  const ttl = job.spec.ttlSecondsAfterFinished;
  const finished = jobFinishTime(job);
  if (ttl === undefined || ttl === null || finished === undefined || job.metadata.deletionTimestamp != null) return { actions: [] };
  const expiry = finished + ttl * 1000;
  if (now < expiry) return { actions: [], requeueAfter: expiry - now };
  return {
    actions: [{ type: "delete", resource: "jobs", name: job.metadata.name!, uid: job.metadata.uid, propagationPolicy: "Background" }],
  };
}

interface Counts {
  active: Pod[];
  succeeded: number;
  failed: number;
  terminating: number;
}

export function reconcileJob(job: Job, allPods: Pod[], now: number, randomSuffix: () => string): ReconcileResult {
  if (isJobFinished(job)) return reconcileJobTTL(job, now);
  const matcher = selectorMatcher(jobSelector(job));
  if (!matcher) return { actions: [] };
  const actions: Action[] = [];
  const events: Action[] = [];
  const event = (type: "Normal" | "Warning", reason: string, message: string) =>
    events.push(eventAction(job, jobType, type, reason, message, COMPONENT));

  const claim = claimObjects(job, jobType, matcher, allPods);
  for (const pod of claim.updates) actions.push({ type: "update", resource: "pods", object: pod });
  const pods = claim.owned;
  const succeededPods = pods.filter((p) => p.status?.phase === "Succeeded");
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  // Counts never go down: a finished pod someone deleted stays counted.
  const counts: Counts = {
    active: pods.filter(isPodActive),
    succeeded: Math.max(job.status?.succeeded ?? 0, succeededPods.length),
    failed: Math.max(job.status?.failed ?? 0, failedPods.length),
    terminating: pods.filter(isPodTerminating).length,
  };

  const status: JobStatus = structuredClone(job.status ?? {});
  const suspended = job.spec.suspend === true;
  if (!status.startTime && !suspended) status.startTime = formatTime(now);
  const backoffLimit = job.spec.backoffLimit ?? 6;
  const deadline = job.spec.activeDeadlineSeconds;
  const startedAt = parseTime(status.startTime);
  let requeue: number | undefined;

  // The terminal condition this sync works towards, if any.
  let finished: { type: "Complete" | "Failed"; reason: string; message: string } | undefined;
  const target = findCondition(status, "FailureTarget");
  const criteriaMet = findCondition(status, "SuccessCriteriaMet");
  if (criteriaMet?.status === "True") finished = { type: "Complete", reason: criteriaMet.reason ?? "", message: criteriaMet.message ?? "" };
  else if (target?.status === "True") finished = { type: "Failed", reason: target.reason ?? "", message: target.message ?? "" };
  else if (counts.failed > backoffLimit || pastBackoffLimitOnFailure(job, pods, backoffLimit)) {
    finished = { type: "Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
  } else if (deadline != null && startedAt !== undefined && !suspended) {
    if (now - startedAt >= deadline * 1000) {
      finished = { type: "Failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
    } else requeue = startedAt + deadline * 1000 - now;
  }

  const deletePods = (victims: Pod[]) => {
    for (const pod of victims) {
      actions.push({ type: "delete", resource: "pods", name: pod.metadata.name!, uid: pod.metadata.uid });
      event("Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
    }
    counts.active = counts.active.filter((p) => !victims.includes(p));
    counts.terminating += victims.length;
  };

  if (finished?.type === "Failed") {
    deletePods(counts.active);
  } else if (job.metadata.deletionTimestamp == null) {
    const r = manageJob(job, counts, suspended, succeededPods, failedPods, now, randomSuffix, actions, event, deletePods);
    if (r !== undefined) requeue = Math.min(requeue ?? Infinity, r);
    const complete =
      job.spec.completions == null
        ? counts.succeeded > 0 && counts.active.length === 0
        : counts.succeeded >= job.spec.completions && counts.active.length === 0;
    if (complete) finished = { type: "Complete", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" };
    else if (suspended) {
      if (ensureCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now)) event("Normal", "Suspended", "Job suspended");
    } else if (ensureCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now)) {
      event("Normal", "Resumed", "Job resumed");
      // activeDeadlineSeconds counts continuous activity, so resuming restarts the clock.
      status.startTime = formatTime(now);
    }
  }

  status.active = counts.active.length;
  status.ready = counts.active.filter(isPodReady).length;
  status.succeeded = counts.succeeded;
  status.failed = counts.failed;
  status.terminating = counts.terminating;
  if (finished) {
    const interim = finished.type === "Complete" ? "SuccessCriteriaMet" : "FailureTarget";
    if (!findCondition(status, interim)) status.conditions = [...(status.conditions ?? []), jobCondition(interim, "True", finished.reason, finished.message, now)];
    // The terminal condition waits until no pod of the Job is still terminating.
    if (counts.terminating === 0) {
      status.conditions = [...(status.conditions ?? []), jobCondition(finished.type, "True", finished.reason, finished.message, now)];
      if (finished.type === "Complete") {
        status.completionTime = formatTime(now);
        event("Normal", "Completed", "Job completed");
      } else event("Warning", finished.reason, finished.message);
      const ttl = job.spec.ttlSecondsAfterFinished;
      requeue = ttl != null ? ttl * 1000 : undefined;
    }
  }
  const written = omitZeroCounts(status);
  if (JSON.stringify(written) !== JSON.stringify(job.status ?? {})) {
    actions.push({ type: "updateStatus", resource: "jobs", object: { ...job, status: written } });
  }
  actions.push(...events);
  return requeue === undefined ? { actions } : { actions, requeueAfter: requeue };
}

/** active/succeeded/failed are omitempty upstream; ready and terminating are pointers, always written. */
function omitZeroCounts(status: JobStatus): JobStatus {
  const out = { ...status };
  for (const k of ["active", "succeeded", "failed"] as const) if (!out[k]) delete out[k];
  return out;
}

/**
 * manageJob: suspend deletes every active pod; otherwise aim for
 * min(parallelism, completions - succeeded) active pods (or parallelism until
 * the first success, without completions), deleting before creating and
 * creating only after the failure backoff. Returns a requeue delay, if any.
 */
function manageJob(
  job: Job,
  counts: Counts,
  suspended: boolean,
  succeededPods: Pod[],
  failedPods: Pod[],
  now: number,
  randomSuffix: () => string,
  actions: Action[],
  event: (type: "Normal" | "Warning", reason: string, message: string) => void,
  deletePods: (victims: Pod[]) => void,
): number | undefined {
  const active = counts.active.length;
  if (suspended) {
    deletePods(counts.active);
    return undefined;
  }
  const parallelism = job.spec.parallelism ?? 1;
  let wantActive: number;
  if (job.spec.completions == null) wantActive = counts.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(parallelism, job.spec.completions - counts.succeeded));

  if (active > wantActive) {
    deletePods(podsToDelete(counts.active, Math.min(active - wantActive, MAX_POD_CREATE_DELETE_PER_SYNC), now));
    return undefined;
  }
  const diff = Math.min(wantActive - active, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (diff <= 0) return undefined;
  const wait = remainingBackoff(succeededPods, failedPods, now);
  if (wait > 0) return wait;
  for (let i = 0; i < diff; i++) {
    const pod = podFromTemplate(job.spec.template, job, jobType, generatedName(`${job.metadata.name}-`, randomSuffix()), jobPodLabels(job));
    actions.push({ type: "create", resource: "pods", object: pod });
    event("Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
    counts.active.push(pod);
  }
  return undefined;
}

/** Snapshot entry point for the key `jobs/<name>`. */
export function syncJob(snapshot: Snapshot, name: string, randomSuffix: () => string): ReconcileResult {
  const job = snapshot.objects("jobs").find((o) => o.metadata.name === name) as Job | undefined;
  if (!job) return { actions: [] };
  return reconcileJob(job, snapshot.objects("pods") as Pod[], snapshot.now, randomSuffix);
}
