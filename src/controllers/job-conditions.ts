/** Job conditions as upstream's job controller writes them (lastProbeTime and lastTransitionTime both "now"). */
import type { Job } from "../schema/batch.js";
import type { Condition } from "../schema/meta.js";
import { formatTime, parseTime } from "./time.js";

export type JobStatus = NonNullable<Job["status"]>;

export function jobCondition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const t = formatTime(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

export const findCondition = (status: JobStatus | undefined, type: string) => status?.conditions?.find((c) => c.type === type);

const isTrue = (status: JobStatus | undefined, type: string) => findCondition(status, type)?.status === "True";

/** util.IsJobFinished: Complete or Failed is True. */
export const isJobFinished = (job: Job): boolean => isTrue(job.status, "Complete") || isTrue(job.status, "Failed");

export const finishedType = (job: Job): "Complete" | "Failed" | undefined =>
  isTrue(job.status, "Complete") ? "Complete" : isTrue(job.status, "Failed") ? "Failed" : undefined;

/** When the Job finished: completionTime, else the terminal condition's transition time. */
export function jobFinishTime(job: Job): number | undefined {
  const type = finishedType(job);
  if (!type) return undefined;
  return parseTime(job.status?.completionTime) ?? parseTime(findCondition(job.status, type)?.lastTransitionTime);
}

/**
 * ensureJobConditionStatus: replace a condition whose status/reason/message
 * changed; add a missing one unless it would be False. Returns whether it changed.
 */
export function ensureCondition(status: JobStatus, type: string, value: string, reason: string, message: string, now: number): boolean {
  const conditions = status.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conditions[i];
    if (c.status === value && c.reason === reason && c.message === message) return false;
    status.conditions = conditions.map((x, j) => (j === i ? jobCondition(type, value, reason, message, now) : x));
    return true;
  }
  if (value === "False") return false;
  status.conditions = [...conditions, jobCondition(type, value, reason, message, now)];
  return true;
}
