/**
 * Moving an object from client-side to server-side apply, as apiserver's
 * lastAppliedManager and lastAppliedUpdater do for the "kubectl" manager:
 * fields the last-applied annotation shows kubectl set (and still match the
 * live object) may be taken over without a conflict, and a successful apply
 * rewrites the annotation to the applied configuration, so the follow-up
 * `kubectl-last-applied` request finds nothing to change.
 */
import type { KubeObject } from "../schema/meta.js";
import { FieldSet } from "./field-set.js";
import { clone, isObject, type JsonObject } from "./json-value.js";
import { collectFields, compareFields, fieldSetOf } from "./object-fields.js";

export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/** Only kubectl's own server-side apply gets the upgrade path, as in Kubernetes. */
export const upgradesClientSideApply = (manager: string) => manager === "kubectl";

/** Fields the live object's last-applied annotation claims and that still hold the applied values. */
export function allowedConflictsFromLastApplied(live: KubeObject, kind: string): FieldSet {
  const raw = live.metadata?.annotations?.[lastAppliedAnnotation];
  if (!raw) return new FieldSet();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return new FieldSet();
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== live.apiVersion) return new FieldSet();
  const last = collectFields(lastApplied, kind);
  const diff = compareFields(last, collectFields(live, kind));
  return fieldSetOf(last).difference(diff.modified).difference(diff.removed);
}

/** Rewrites an existing last-applied annotation to the configuration just applied. */
export function syncLastApplied(result: KubeObject, applied: JsonObject): void {
  const annotations = result.metadata?.annotations;
  if (!annotations?.[lastAppliedAnnotation]) return;
  const config = clone(applied);
  if (isObject(config.metadata) && isObject(config.metadata.annotations)) {
    const a = config.metadata.annotations;
    delete a[lastAppliedAnnotation];
  }
  annotations[lastAppliedAnnotation] = goJson(config) + "\n";
}

/**
 * JSON as Go's encoder writes an unstructured object (what kubectl stores in
 * the annotation): map keys sorted, <, > and & escaped, newline-terminated by
 * the caller.
 */
export function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (!isObject(x)) return x;
    const out: JsonObject = {};
    for (const k of Object.keys(x).sort()) out[k] = sortKeys(x[k]);
    return out;
  };
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
