/**
 * ControllerRef handling shared by the workload controllers, after
 * k8s.io/kubernetes/pkg/controller/controller_ref_manager.go: an owner claims
 * the objects its selector matches, adopts matching orphans and releases the
 * ones it controls that stopped matching.
 */
import type { KubeObject, LabelSelector, OwnerReference } from "../schema/meta.js";
import { labelSelectorFromObject, type LabelMatcher } from "../api/selectors/index.js";
import type { TypeMeta } from "./events.js";

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/** metav1.NewControllerRef: controller and blockOwnerDeletion both true. */
export function newControllerRef(owner: KubeObject, type: TypeMeta): OwnerReference {
  return {
    apiVersion: type.apiVersion,
    kind: type.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const isControlledBy = (obj: KubeObject, owner: KubeObject): boolean =>
  owner.metadata.uid !== undefined && controllerRefOf(obj)?.uid === owner.metadata.uid;

/**
 * The owner's selector as a matcher. An invalid selector matches nothing
 * (upstream logs and skips the sync) rather than throwing out of a reconcile.
 */
export function selectorMatcher(selector: LabelSelector | null | undefined): LabelMatcher | undefined {
  try {
    return labelSelectorFromObject(selector);
  } catch {
    return undefined;
  }
}

/** True for `{}`: upstream refuses to let a workload select every pod. */
export const selectsEverything = (selector: LabelSelector | null | undefined): boolean =>
  selector != null &&
  Object.keys(selector.matchLabels ?? {}).length === 0 &&
  (selector.matchExpressions ?? []).length === 0;

export interface ClaimResult<T extends KubeObject> {
  /** Objects the owner controls after this claim (adopted ones included, already updated). */
  owned: T[];
  /** Copies to write: orphans with the new controllerRef, released objects without the owner's ref. */
  updates: T[];
}

/**
 * ClaimObjects: keep what we control and still match, adopt matching orphans
 * (unless either side is being deleted), release what we control that no
 * longer matches (unless we are being deleted).
 */
export function claimObjects<T extends KubeObject>(
  owner: KubeObject,
  ownerType: TypeMeta,
  matcher: LabelMatcher,
  candidates: T[],
): ClaimResult<T> {
  const owned: T[] = [];
  const updates: T[] = [];
  const ownerDeleting = owner.metadata.deletionTimestamp != null;
  for (const obj of candidates) {
    const ref = controllerRefOf(obj);
    const matches = matcher.matches(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches) owned.push(obj);
      else if (!ownerDeleting) updates.push(withoutOwnerRef(obj, ref.uid));
      continue;
    }
    if (ownerDeleting || !matches || obj.metadata.deletionTimestamp != null) continue;
    const adopted = withOwnerRef(obj, newControllerRef(owner, ownerType));
    owned.push(adopted);
    updates.push(adopted);
  }
  return { owned, updates };
}

export function withOwnerRef<T extends KubeObject>(obj: T, ref: OwnerReference): T {
  const refs = [...(obj.metadata.ownerReferences ?? []), ref];
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: refs } };
}

export function withoutOwnerRef<T extends KubeObject>(obj: T, uid: string): T {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: refs.length ? refs : undefined } };
}
