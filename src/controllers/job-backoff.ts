/**
 * Pod failure backoff for Jobs (upstream backoff_utils.go): after a failed
 * pod, replacements wait 10 s, doubling per consecutive failure since the
 * last success. Upstream keeps a record in memory; here it is recomputed from
 * the pods' finish times, which carry the same information.
 */
import type { Pod } from "../schema/core.js";
import { parseTime } from "./time.js";

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
/**
 * The documented cap ("capped at six minutes"); upstream's code constant
 * MaxJobPodFailureBackOff reads 10 minutes in recent releases.
 */
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

/** getFinishedTime: last container finish, else when Ready turned False, else deletion, else creation. */
export function podFinishedAt(pod: Pod): number | undefined {
  const finishes = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .map((s) => parseTime(s.state?.terminated?.finishedAt))
    .filter((t): t is number => t !== undefined);
  if (finishes.length) return Math.max(...finishes);
  const notReady = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "False");
  return parseTime(notReady?.lastTransitionTime) ?? parseTime(pod.metadata.deletionTimestamp) ?? parseTime(pod.metadata.creationTimestamp);
}

/** The delay after `failures` consecutive failures: 10 s, 20 s, 40 s, ... up to the cap. */
export function backoffDuration(failures: number): number {
  let delay = DEFAULT_POD_FAILURE_BACKOFF_MS;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= MAX_POD_FAILURE_BACKOFF_MS) return MAX_POD_FAILURE_BACKOFF_MS;
  }
  return delay;
}

/** How long before replacement pods may be created; 0 when they may be now. */
export function remainingBackoff(succeeded: Pod[], failed: Pod[], now: number): number {
  const lastSuccess = Math.max(-Infinity, ...succeeded.map((p) => podFinishedAt(p) ?? -Infinity));
  const failures = failed.map((p) => podFinishedAt(p) ?? now).filter((t) => t > lastSuccess);
  if (failures.length === 0) return 0;
  const elapsed = now - Math.max(...failures);
  return Math.max(0, backoffDuration(failures.length) - elapsed);
}
