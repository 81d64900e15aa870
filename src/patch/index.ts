/**
 * The patch engine's front door: one call per PATCH request, whatever its
 * media type, returning the patched object with its managedFields settled.
 */
import { badRequest } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import { applyJsonPatch } from "./json-patch.js";
import { isObject } from "./json-value.js";
import { applyMergePatch } from "./merge-patch.js";
import { recordUpdate, serverSideApply } from "./server-side-apply.js";
import { applyStrategicMergePatch } from "./strategic-merge.js";

export { applyJsonPatch, decodeJsonPatch, parsePointer, formatPointer } from "./json-patch.js";
export { applyMergePatch, createMergePatch } from "./merge-patch.js";
export { applyStrategicMergePatch } from "./strategic-merge.js";
export { serverSideApply, recordUpdate, type ApplyOptions, type UpdateOptions } from "./server-side-apply.js";
export { hasPatchMeta } from "./patch-meta.js";

/** json-patch+json, merge-patch+json, strategic-merge-patch+json, apply-patch+yaml. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface PatchOptions {
  kind: string;
  /** The `fieldManager` query parameter. Required for apply; other writes are recorded under it. */
  manager?: string;
  force?: boolean;
  now: Date;
  subresource?: string;
  /** Top-level fields an apply through this endpoint does not own (e.g. ["status"]). */
  resetFields?: string[];
}

/** RFC 3339 with seconds, as Kubernetes stamps managedFields times. */
export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Applies `patch` of `type` to `existing` (undefined only for an apply that
 * creates). Never mutates its inputs.
 */
export function applyPatch(type: PatchType, existing: KubeObject | undefined, patch: unknown, opts: PatchOptions): KubeObject {
  const now = rfc3339(opts.now);
  if (type === "apply") {
    return serverSideApply(existing, patch as KubeObject, {
      manager: opts.manager ?? "",
      kind: opts.kind,
      force: opts.force ?? false,
      now,
      subresource: opts.subresource,
      resetFields: opts.resetFields,
    });
  }
  if (!existing) throw badRequest(`a ${type} patch needs an existing object`);
  let patched: unknown;
  if (type === "json") patched = applyJsonPatch(existing, patch);
  else if (type === "merge") patched = applyMergePatch(existing, patch);
  else patched = applyStrategicMergePatch(existing, patch, opts.kind);
  if (!isObject(patched)) throw badRequest("the patched object is not a JSON object");
  return recordUpdate(existing, patched as KubeObject, opts.manager ?? "", now, {
    kind: opts.kind,
    subresource: opts.subresource,
  });
}
