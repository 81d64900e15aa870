/**
 * Which field labels each kind can be selected on. Upstream registers a
 * field-label conversion per kind and answers anything else with
 * `400 field label not supported: <label>`; kubectl shows that message, so an
 * unsupported field fails loudly instead of silently matching nothing.
 */
import type { ResourceType } from "../../schema/registry.js";
import { badRequest } from "../../errors.js";
import type { FieldMatcher } from "./fields.js";

const metadata = ["metadata.name", "metadata.namespace"];

const byKind: Record<string, string[]> = {
  "/Pod": [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  "/Node": ["spec.unschedulable"],
  "/Namespace": ["status.phase"],
  "/Secret": ["type"],
  "/Service": ["spec.clusterIP", "spec.type"],
  "/Event": [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  "apps/ReplicaSet": ["status.replicas"],
  "batch/Job": ["status.successful"],
};

export function supportedFieldLabels(t: Pick<ResourceType, "group" | "kind">): string[] {
  return [...metadata, ...(byKind[`${t.group}/${t.kind}`] ?? [])];
}

/** Throws 400 for the first field the kind cannot be selected on. */
export function checkFieldSelector(selector: FieldMatcher, t: Pick<ResourceType, "group" | "kind">): void {
  const supported = new Set(supportedFieldLabels(t));
  for (const field of selector.fields()) {
    if (!supported.has(field)) throw badRequest(`field label not supported: ${field}`);
  }
}
