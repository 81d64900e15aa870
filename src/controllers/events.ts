/**
 * Building the `event` Action. Upstream controllers record events through an
 * EventRecorder whose source component names the controller
 * (`replicaset-controller`, `deployment-controller`, ...); kubectl describe
 * shows that component in the FROM column, so it is part of the contract.
 */
import type { KubeObject } from "../schema/meta.js";
import type { Action } from "./types.js";

export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

export type EventType = "Normal" | "Warning";

/** An event about `object`; `type` fills apiVersion/kind when the stored object lacks them. */
export function eventAction(
  object: KubeObject,
  type: TypeMeta,
  eventType: EventType,
  reason: string,
  message: string,
  component: string,
): Action {
  return {
    type: "event",
    involvedObject: {
      kind: object.kind ?? type.kind,
      apiVersion: object.apiVersion ?? type.apiVersion,
      name: object.metadata.name ?? "",
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
    },
    eventType,
    reason,
    message,
    component,
  };
}
