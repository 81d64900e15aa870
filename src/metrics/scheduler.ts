/**
 * Scheduling attempts counted inside the namespace store that schedules;
 * the store hands the deltas to the MetricsStore after each alarm run.
 */
import { DeltaRecorder } from "./aggregate.js";
import { LATENCY_BUCKETS } from "./exposition.js";
import { SCHEDULING_ATTEMPT_DURATION } from "./control-plane.js";

export const schedulerMetrics = new DeltaRecorder();

export function observeSchedulingAttempts(result: "scheduled" | "unschedulable" | "error", pods: number, seconds: number): void {
  for (let i = 0; i < pods; i++) schedulerMetrics.observe(SCHEDULING_ATTEMPT_DURATION, { result }, LATENCY_BUCKETS, seconds);
}
