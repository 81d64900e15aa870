/** Small readings of a Pod spec that several parts of the runtime share (pure). */
import { createHash } from "node:crypto";
import type { Container, Pod } from "../../../src/schema/core.js";

export type RestartPolicy = "Always" | "OnFailure" | "Never";

export function restartPolicyOf(pod: Pod): RestartPolicy {
  return pod.spec.restartPolicy ?? "Always";
}

/** The kubelet never gives a container less than 2 s to stop. */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

/** Grace period for stopping the pod: the spec's (30 s by default), shortened by a deletion's. */
export function podGracePeriodSeconds(pod: Pod): number {
  let grace = pod.spec.terminationGracePeriodSeconds ?? 30;
  const deletionGrace = pod.metadata.deletionGracePeriodSeconds;
  if (deletionGrace !== undefined && deletionGrace !== null) grace = Math.min(grace, deletionGrace);
  return Math.max(MINIMUM_GRACE_PERIOD_SECONDS, grace);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Hash of a container's spec, stored on its Docker container. When the spec
 * changes (e.g. `kubectl set image` on a bare pod) the running instance no
 * longer matches and is replaced, as the kubelet does.
 */
export function containerSpecHash(container: Container): string {
  return createHash("sha256").update(stableStringify(container)).digest("hex").slice(0, 16);
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name}`;
}
