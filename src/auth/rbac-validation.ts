/**
 * Validation of the RBAC kinds, as upstream's pkg/apis/rbac/validation:
 * rules must say what they allow, bindings must name a role of a supported
 * kind and well-formed subjects, and a binding's roleRef never changes (a
 * different grant is a different binding, so audit trails stay honest).
 */
import type { Cause } from "../errors.js";
import type { KubeObject } from "../schema/meta.js";
import type { PolicyRule, Subject } from "../schema/rbac.js";

export const RBAC_GROUP = "rbac.authorization.k8s.io";
export const RBAC_RESOURCES = new Set(["roles", "clusterroles", "rolebindings", "clusterrolebindings"]);

const required = (field: string, detail = ""): Cause => ({
  reason: "FieldValueRequired",
  field,
  message: detail ? `Required value: ${detail}` : "Required value",
});
const invalidValue = (field: string, value: unknown, detail: string): Cause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
const notSupported = (field: string, value: unknown, supported: string[]): Cause => ({
  reason: "FieldValueNotSupported",
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
});

/**
 * RBAC names are path segments, not DNS names: "system:node" is valid
 * (path.IsValidPathSegmentName). The 253-character bound is ours: upstream
 * relies on etcd's key size, and a name is a key here too.
 */
export function rbacNameErrors(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const errs: string[] = [];
  if (name.length > 253) errs.push("must be no more than 253 characters");
  if (name.includes("/")) errs.push("may not contain '/'");
  if (name.includes("%")) errs.push("may not contain '%'");
  return errs;
}

function validateRule(rule: PolicyRule, namespaced: boolean, field: string): Cause[] {
  const c: Cause[] = [];
  if (!rule.verbs?.length) c.push(required(`${field}.verbs`, "verbs must contain at least one value"));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) c.push(invalidValue(`${field}.nonResourceURLs`, rule.nonResourceURLs, "namespaced rules cannot apply to non-resource URLs"));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length)
      c.push(invalidValue(`${field}.nonResourceURLs`, rule.nonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"));
    return c;
  }
  if (!rule.apiGroups?.length) c.push(required(`${field}.apiGroups`, "resource rules must supply at least one api group"));
  if (!rule.resources?.length) c.push(required(`${field}.resources`, "resource rules must supply at least one resource"));
  return c;
}

function validateRules(o: KubeObject, namespaced: boolean): Cause[] {
  const rules = (o.rules as PolicyRule[] | null | undefined) ?? [];
  return rules.flatMap((r, i) => validateRule(r, namespaced, `rules[${i}]`));
}

function validateSubject(s: Subject, bindingNamespaced: boolean, field: string): Cause[] {
  const c: Cause[] = [];
  if (!s.name) c.push(required(`${field}.name`));
  switch (s.kind) {
    case "ServiceAccount":
      if (s.apiGroup) c.push(notSupported(`${field}.apiGroup`, s.apiGroup, [""]));
      if (!bindingNamespaced && !s.namespace) c.push(required(`${field}.namespace`));
      break;
    case "User":
    case "Group":
      if (s.apiGroup !== RBAC_GROUP) c.push(notSupported(`${field}.apiGroup`, s.apiGroup ?? "", [RBAC_GROUP]));
      break;
    default:
      c.push(notSupported(`${field}.kind`, s.kind, ["ServiceAccount", "User", "Group"]));
  }
  return c;
}

function validateBinding(o: KubeObject, namespaced: boolean): Cause[] {
  const c: Cause[] = [];
  const ref = (o.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
  if (ref.apiGroup !== RBAC_GROUP) c.push(notSupported("roleRef.apiGroup", ref.apiGroup ?? "", [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind ?? "")) c.push(notSupported("roleRef.kind", ref.kind ?? "", kinds));
  if (!ref.name) c.push(required("roleRef.name"));
  else for (const e of rbacNameErrors(ref.name)) c.push(invalidValue("roleRef.name", ref.name, e));
  const subjects = (o.subjects as Subject[] | null | undefined) ?? [];
  subjects.forEach((s, i) => c.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return c;
}

/** Per-kind rules for the RBAC resources, keyed by plural as src/registry/validation.ts keys them. */
export const rbacKindRules: Record<string, (o: KubeObject) => Cause[]> = {
  roles: (o) => validateRules(o, true),
  clusterroles: (o) => validateRules(o, false),
  rolebindings: (o) => validateBinding(o, true),
  clusterrolebindings: (o) => validateBinding(o, false),
};

/** A binding's roleRef is fixed at creation; changing it is refused with the field named. */
export function roleRefUpdateErrors(resource: string, existing: KubeObject, next: KubeObject): Cause[] {
  if (resource !== "rolebindings" && resource !== "clusterrolebindings") return [];
  const was = existing.roleRef as Record<string, unknown> | undefined;
  const now = next.roleRef as Record<string, unknown> | undefined;
  const same = (k: string) => (was?.[k] ?? "") === (now?.[k] ?? "");
  if (same("apiGroup") && same("kind") && same("name")) return [];
  const shown = `rbac.RoleRef{APIGroup:"${now?.apiGroup ?? ""}", Kind:"${now?.kind ?? ""}", Name:"${now?.name ?? ""}"}`;
  return [{ reason: "FieldValueInvalid", field: "roleRef", message: `Invalid value: ${shown}: cannot change roleRef` }];
}
