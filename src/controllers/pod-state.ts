/**
 * How controllers read a pod's state, after k8s.io/kubernetes/pkg/api/v1/pod
 * and pkg/controller/controller_utils.go.
 */
import type { Pod } from "../schema/core.js";
import { parseTime } from "./time.js";

/** controller.IsPodActive: not finished and not being deleted. */
export const isPodActive = (pod: Pod): boolean =>
  pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed" && pod.metadata.deletionTimestamp == null;

/** Being deleted but not finished yet: its containers may still run. */
export const isPodTerminating = (pod: Pod): boolean =>
  pod.metadata.deletionTimestamp != null && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";

const readyCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === "Ready");

export const isPodReady = (pod: Pod): boolean => readyCondition(pod)?.status === "True";

/** When the pod last became Ready, or undefined when it is not ready. */
export function podReadySince(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  return c?.status === "True" ? parseTime(c.lastTransitionTime) : undefined;
}

/**
 * podutil.IsPodAvailable: ready for strictly more than minReadySeconds
 * (upstream compares with time.Before, so exactly minReadySeconds is not yet).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/**
 * Milliseconds until a ready pod turns available, for requeueing; undefined
 * when it is not ready or already available.
 */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0 || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) return undefined;
  const since = podReadySince(pod) ?? now;
  return Math.max(0, since + minReadySeconds * 1000 - now) + 1;
}

export const restartCount = (pod: Pod): number =>
  [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].reduce(
    (sum, s) => sum + (s.restartCount ?? 0),
    0,
  );
