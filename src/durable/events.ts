/**
 * core/v1 Events recorded by controllers. Repeats of the same event (same
 * object, reason, message, source) bump `count` and `lastTimestamp` on one
 * object, as the client-go event correlator does, so a retry loop does not
 * flood the namespace.
 */
import type { KubeObject } from "../schema/meta.js";
import type { Action } from "../controllers/types.js";

export type EventAction = Extract<Action, { type: "event" }>;

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export function eventName(e: EventAction): string {
  const o = e.involvedObject;
  return `${o.name}.${fnv1a(`${o.uid ?? ""}|${e.reason}|${e.message}|${e.component}`)}`.slice(0, 253);
}

export function buildEvent(e: EventAction, namespace: string, now: string, existing: KubeObject | undefined, host?: string): KubeObject {
  if (existing) {
    return { ...existing, count: ((existing.count as number) ?? 1) + 1, lastTimestamp: now };
  }
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: eventName(e), namespace },
    involvedObject: { ...e.involvedObject, namespace: e.involvedObject.namespace ?? "" },
    reason: e.reason,
    message: e.message,
    type: e.eventType,
    source: { component: e.component, ...(host ? { host } : {}) },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    reportingComponent: e.component,
    reportingInstance: "",
  };
}
