/**
 * Backoff arithmetic, kept pure so the agent's timing is testable without a
 * clock: capped exponential retry for talking to the control plane, and
 * Kubernetes' crash-loop and image-pull backoff for containers.
 */

export interface BackoffPolicy {
  /** First delay. */
  baseMs: number;
  /** Largest delay. */
  maxMs: number;
}

/** The kubelet's container restart backoff: 10 s doubling to 5 min, reset after 10 min of running. */
export interface CrashBackoffPolicy extends BackoffPolicy {
  resetAfterMs: number;
}

export const KUBELET_CRASH_BACKOFF: CrashBackoffPolicy = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** Reconnect policy for the control plane (as client-go's informers: 1 s to 30 s). */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): base·2^attempt,
 * capped, then reduced by up to `jitter` so many agents that lost the control
 * plane at once do not come back in lockstep. Never exceeds the cap.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, jitter = 0.2, random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential * (1 - jitter * random()));
}

/**
 * Delay before starting a container instance whose backoff step is `step`.
 * Step 0 is the first start, step 1 the first restart (immediate, as the
 * kubelet does), then base, 2·base, ... capped.
 */
export function crashBackoffDelayMs(step: number, policy: BackoffPolicy): number {
  if (step <= 1) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (step - 2));
}

/**
 * The backoff step of the instance that replaces one that ran from
 * `startedAt` to `finishedAt` with step `previousStep`: one more, unless it ran
 * long enough to count as healthy, which resets the backoff.
 */
export function nextBackoffStep(
  previous: { backoffStep: number; startedAt?: number; finishedAt?: number },
  policy: CrashBackoffPolicy,
): number {
  const ran =
    previous.startedAt !== undefined && previous.finishedAt !== undefined ? previous.finishedAt - previous.startedAt : 0;
  if (ran >= policy.resetAfterMs) return 1;
  return previous.backoffStep + 1;
}

/** Delay after the `failures`-th consecutive image pull failure (1-based): base, 2·base, ... capped. */
export function pullBackoffDelayMs(failures: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
}
