/**
 * Zero-loss pod shutdown behind a Service. The control plane drops a
 * terminating pod from Endpoints at once, but every node's proxy needs a
 * moment to hear of it; until then new connections may still be sent to the
 * pod. So the agent waits a short drain delay before SIGTERM — only for pods
 * some Service selects, and never longer than the pod's grace period — the
 * same thing users otherwise do with a `preStop: sleep`.
 */
import type { Pod, Service } from "../../../src/schema/core.js";

/** Default drain: endpoint changes reach every agent within a second; twice that is margin. */
export const DEFAULT_DRAIN_SECONDS = 2;

/** Whether a Service with a selector in the pod's namespace selects it (its labels match every selector term). */
export function selectedByService(pod: Pod, services: Service[]): boolean {
  const namespace = pod.metadata.namespace ?? "default";
  const labels = pod.metadata.labels ?? {};
  return services.some((service) => {
    const selector = service.spec?.selector;
    if ((service.metadata.namespace ?? "default") !== namespace || !selector || Object.keys(selector).length === 0) return false;
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
  });
}

/**
 * How long to wait before stopping a deleted pod's containers: the drain
 * when the pod is being deleted and selected by a Service, capped by its
 * grace period; otherwise 0.
 */
export function drainDelayMs(pod: Pod | undefined, gracePeriodSeconds: number, services: Service[], drainSeconds = DEFAULT_DRAIN_SECONDS): number {
  if (!pod?.metadata.deletionTimestamp || drainSeconds <= 0) return 0;
  if (!selectedByService(pod, services)) return 0;
  return Math.max(0, Math.min(drainSeconds, gracePeriodSeconds)) * 1000;
}
