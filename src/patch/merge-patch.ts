/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): what kubectl
 * sends for `label`, `annotate`, `scale`, `patch --type=merge`, and for kinds
 * without strategic merge metadata. Objects merge recursively, `null`
 * deletes, anything else (lists included) replaces.
 */
import { clone, deepEqual, isObject, type JsonObject } from "./json-value.js";

/** Applies `patch` to a copy of `target` and returns the result. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge patch that turns `original` into `modified` (RFC 7386 §3 in
 * reverse); used to express a change as a minimal body, e.g. in tests and
 * for dry-run diffs.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(original) || !isObject(modified)) return clone(modified);
  const patch: JsonObject = {};
  for (const k of Object.keys(original)) if (!(k in modified)) patch[k] = null;
  for (const [k, v] of Object.entries(modified)) {
    if (!(k in original)) {
      patch[k] = clone(v);
      continue;
    }
    const o = original[k];
    if (isObject(o) && isObject(v)) {
      const sub = createMergePatch(o, v) as JsonObject;
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!deepEqual(o, v)) {
      patch[k] = clone(v);
    }
  }
  return patch;
}
