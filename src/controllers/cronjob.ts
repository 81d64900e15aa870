/**
 * CronJob controller (upstream cronjob_controllerv2.go): creates a Job named
 * `<cronjob>-<scheduled time in minutes since the epoch>` when a schedule
 * time passes, honours concurrencyPolicy, suspend and startingDeadlineSeconds,
 * keeps status.active / lastScheduleTime / lastSuccessfulTime, trims finished
 * Jobs to the history limits, and requeues for the next schedule time.
 */
import type { CronJob, Job } from "../schema/batch.js";
import type { ObjectReference } from "../schema/core.js";
import type { Action, ReconcileResult, Snapshot } from "./types.js";
import { isControlledBy, newControllerRef } from "./controller-ref.js";
import { eventAction, type EventType, type TypeMeta } from "./events.js";
import { CronError, checkTimeZone, formatInZone, parseSchedule, type Schedule } from "./cron.js";
import { mostRecentScheduleTime, nextScheduleDelay, tooManyMissed } from "./cronjob-schedule.js";
import { finishedType, isJobFinished, jobFinishTime } from "./job-conditions.js";
import { formatTime, parseTime } from "./time.js";
import { jobType } from "./job.js";

export const cronJobType: TypeMeta = { apiVersion: "batch/v1", kind: "CronJob" };
const COMPONENT = "cronjob-controller";
export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/** getJobName: deterministic per scheduled time, so a retried sync cannot start the same run twice. */
export const jobNameFor = (cj: CronJob, scheduled: number) => `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;

/** getJobFromTemplate2 */
export function jobFromTemplate(cj: CronJob, scheduled: number): Job {
  const meta = cj.spec.jobTemplate.metadata ?? {};
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobNameFor(cj, scheduled),
      namespace: cj.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, cj.spec.timeZone) },
      ownerReferences: [newControllerRef(cj, cronJobType)],
    },
    spec: structuredClone(cj.spec.jobTemplate.spec),
  };
}

const refMatches = (ref: ObjectReference, job: Job) => (ref.uid ? ref.uid === job.metadata.uid : ref.name === job.metadata.name);

/** byJobStartTime: started before unstarted, earlier first, name breaks ties. */
function byStartTime(a: Job, b: Job): number {
  const sa = parseTime(a.status?.startTime);
  const sb = parseTime(b.status?.startTime);
  if (sa === undefined || sb === undefined) return sa === sb ? (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "") : sa === undefined ? 1 : -1;
  return sa - sb || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

class CronJobSync {
  readonly status: NonNullable<CronJob["status"]>;
  readonly actions: Action[] = [];
  private readonly events: Action[] = [];

  constructor(readonly cj: CronJob) {
    this.status = structuredClone(cj.status ?? {});
  }

  get active(): ObjectReference[] {
    return this.status.active ?? [];
  }

  setActive(refs: ObjectReference[]) {
    if (refs.length) this.status.active = refs;
    else delete this.status.active;
  }

  event(type: EventType, reason: string, message: string) {
    this.events.push(eventAction(this.cj, cronJobType, type, reason, message, COMPONENT));
  }

  deleteJob(job: Job) {
    this.actions.push({ type: "delete", resource: "jobs", name: job.metadata.name!, uid: job.metadata.uid, propagationPolicy: "Background" });
    this.setActive(this.active.filter((r) => !refMatches(r, job)));
    this.event("Normal", "SuccessfulDelete", `Deleted job ${job.metadata.name}`);
  }

  result(requeueAfter: number | undefined): ReconcileResult {
    const actions = [...this.actions];
    if (JSON.stringify(this.status) !== JSON.stringify(this.cj.status ?? {})) {
      actions.push({ type: "updateStatus", resource: "cronjobs", object: { ...this.cj, status: this.status } });
    }
    actions.push(...this.events);
    return requeueAfter === undefined ? { actions } : { actions, requeueAfter };
  }
}

/** Bring status.active and lastSuccessfulTime in line with the Jobs that exist. */
function reconcileActive(sync: CronJobSync, jobs: Job[]): void {
  for (const job of jobs) {
    const ref = sync.active.find((r) => refMatches(r, job));
    if (ref && !ref.uid) ref.uid = job.metadata.uid;
    if (!ref && !isJobFinished(job)) {
      sync.event("Warning", "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
    } else if (ref && isJobFinished(job)) {
      sync.setActive(sync.active.filter((r) => r !== ref));
      sync.event("Normal", "SawCompletedJob", `Saw completed job: ${job.metadata.name}, condition: ${finishedType(job)}`);
    } else if (!ref && finishedType(job) === "Complete") {
      const completed = parseTime(job.status?.completionTime) ?? jobFinishTime(job);
      const last = parseTime(sync.status.lastSuccessfulTime);
      if (completed !== undefined && (last === undefined || completed > last)) sync.status.lastSuccessfulTime = formatTime(completed);
    }
  }
  for (const ref of [...sync.active]) {
    if (jobs.some((j) => refMatches(ref, j))) continue;
    sync.event("Normal", "MissingJob", `Active job went missing: ${ref.name}`);
    sync.setActive(sync.active.filter((r) => r !== ref));
  }
}

/** cleanupFinishedJobs: keep the newest successfulJobsHistoryLimit (3) / failedJobsHistoryLimit (1). */
function cleanupFinishedJobs(sync: CronJobSync, jobs: Job[]): void {
  const limits = { Complete: sync.cj.spec.successfulJobsHistoryLimit ?? 3, Failed: sync.cj.spec.failedJobsHistoryLimit ?? 1 };
  for (const type of ["Complete", "Failed"] as const) {
    const finished = jobs.filter((j) => finishedType(j) === type && j.metadata.deletionTimestamp == null).sort(byStartTime);
    for (const job of finished.slice(0, Math.max(0, finished.length - limits[type]))) sync.deleteJob(job);
  }
}

/** syncCronJob: returns the requeue delay. */
function syncSchedule(sync: CronJobSync, jobs: Job[], namespaceJobs: Job[], now: number): number | undefined {
  const { cj } = sync;
  if (cj.metadata.deletionTimestamp != null) return undefined;
  if (cj.spec.timeZone) {
    try {
      checkTimeZone(cj.spec.timeZone);
    } catch (e) {
      sync.event("Warning", "UnknownTimeZone", `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: ${(e as Error).message}`);
      return undefined;
    }
  }
  if (cj.spec.suspend) return undefined;
  let schedule: Schedule;
  try {
    schedule = parseSchedule(cj.spec.schedule, cj.spec.timeZone);
  } catch (e) {
    if (!(e instanceof CronError)) throw e;
    sync.event("Warning", "UnparseableSchedule", `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${e.message}`);
    return undefined;
  }
  // Decisions below see the status as updated so far (active list pruned).
  const current: CronJob = { ...cj, status: sync.status };
  const recent = mostRecentScheduleTime(current, now, schedule, true);
  const requeue = () => nextScheduleDelay({ ...cj, status: sync.status }, now, schedule);
  if (recent.error && recent.mostRecent === undefined) {
    sync.event("Warning", "InvalidSchedule", `invalid schedule: ${cj.spec.schedule} : ${recent.error}`);
    return undefined;
  }
  const scheduled = recent.mostRecent;
  if (scheduled === undefined || scheduled > now) return requeue();
  if (tooManyMissed(recent)) {
    sync.event("Warning", "TooManyMissedTimes", `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
  }
  const sds = cj.spec.startingDeadlineSeconds;
  if (sds != null && scheduled + sds * 1000 < now) {
    sync.event("Warning", "MissSchedule", `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString().replace("GMT", "+0000")}`);
    return requeue();
  }
  const name = jobNameFor(cj, scheduled);
  if (sync.active.some((r) => r.name === name) || parseTime(sync.status.lastScheduleTime) === scheduled) return requeue();
  const policy = cj.spec.concurrencyPolicy ?? "Allow";
  if (policy === "Forbid" && sync.active.length > 0) {
    sync.event("Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
    return requeue();
  }
  if (policy === "Replace") {
    for (const ref of [...sync.active]) {
      const job = jobs.find((j) => refMatches(ref, j));
      if (job) sync.deleteJob(job);
    }
  }
  const existing = namespaceJobs.find((j) => j.metadata.name === name);
  if (existing) {
    // Created earlier but not recorded (or by someone else, whom we leave alone).
    if (!isControlledBy(existing, cj) || sync.active.some((r) => refMatches(r, existing))) return undefined;
  } else {
    sync.actions.push({ type: "create", resource: "jobs", object: jobFromTemplate(cj, scheduled) });
    sync.event("Normal", "SuccessfulCreate", `Created job ${name}`);
  }
  // The uid is known only after the create; the next sync fills it in by name.
  const ref: ObjectReference = { kind: jobType.kind, namespace: cj.metadata.namespace, name, apiVersion: jobType.apiVersion };
  if (existing?.metadata.uid) ref.uid = existing.metadata.uid;
  sync.setActive([...sync.active, ref]);
  sync.status.lastScheduleTime = formatTime(scheduled);
  return requeue();
}

/** One sync of one CronJob; `jobs` are all Jobs of the namespace. */
export function reconcileCronJob(cj: CronJob, jobs: Job[], now: number): ReconcileResult {
  const sync = new CronJobSync(cj);
  const children = jobs.filter((j) => isControlledBy(j, cj));
  reconcileActive(sync, children);
  const requeue = syncSchedule(sync, children, jobs, now);
  cleanupFinishedJobs(sync, children);
  return sync.result(requeue);
}

/** Snapshot entry point for the key `cronjobs/<name>`. */
export function syncCronJob(snapshot: Snapshot, name: string): ReconcileResult {
  const cj = snapshot.objects("cronjobs").find((o) => o.metadata.name === name) as CronJob | undefined;
  if (!cj) return { actions: [] };
  return reconcileCronJob(cj, snapshot.objects("jobs") as Job[], snapshot.now);
}
