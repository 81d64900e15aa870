/**
 * RBAC evaluation, as upstream's RBAC authorizer: ClusterRoleBindings first
 * (their rules apply everywhere), then the RoleBindings of the request's
 * namespace (their rules apply only there). The first rule that covers the
 * request allows it; nothing denies explicitly. Pure: the bindings and roles
 * come from a PolicySource, which decides how they are fetched and cached.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from "../schema/rbac.js";
import type { RequestAttributes } from "./request-attributes.js";
import { ruleAllows } from "./policy-rule.js";

import type { UserInfo } from "../api/auth.js";

export type { UserInfo };

export interface ClusterPolicy {
  clusterRoles: ClusterRole[];
  clusterRoleBindings: ClusterRoleBinding[];
}

export interface NamespacePolicy {
  roles: Role[];
  roleBindings: RoleBinding[];
}

export interface PolicySource {
  cluster(): Promise<ClusterPolicy>;
  namespace(namespace: string): Promise<NamespacePolicy>;
}

export interface Decision {
  allowed: boolean;
  /** Why, in upstream's words: which binding allowed it, or why a node was refused. */
  reason: string;
}

/** Whether a binding's subject is this user; a ServiceAccount's namespace defaults to the binding's. */
export function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case "User":
      return s.name === user.name;
    case "Group":
      return user.groups.includes(s.name);
    case "ServiceAccount":
      return user.name === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return false;
  }
}

interface Grant {
  binding: RoleBinding | ClusterRoleBinding;
  subject: Subject;
  rules: PolicyRule[];
}

const describe = (g: Grant) => {
  const b = g.binding.metadata;
  const where = b.namespace ? `RoleBinding "${b.name}/${b.namespace}"` : `ClusterRoleBinding "${b.name}"`;
  const ns = g.subject.kind === "ServiceAccount" ? `${g.subject.namespace || b.namespace}/` : "";
  return `${where} of ${g.binding.roleRef.kind} "${g.binding.roleRef.name}" to ${g.subject.kind} "${ns}${g.subject.name}"`;
};

function* grants(user: UserInfo, bindings: (RoleBinding | ClusterRoleBinding)[], roleRules: (kind: string, name: string) => PolicyRule[] | undefined) {
  for (const binding of bindings) {
    const subject = (binding.subjects ?? []).find((s) => appliesTo(user, s, binding.metadata.namespace ?? ""));
    if (!subject) continue;
    const rules = roleRules(binding.roleRef.kind, binding.roleRef.name);
    if (rules) yield { binding, subject, rules } as Grant;
  }
}

const clusterRules = (c: ClusterPolicy) => (name: string) => c.clusterRoles.find((r) => r.metadata.name === name)?.rules ?? undefined;

async function clusterGrants(user: UserInfo, source: PolicySource): Promise<Grant[]> {
  const cluster = await source.cluster();
  const fromCluster = clusterRules(cluster);
  return [...grants(user, cluster.clusterRoleBindings, (kind, name) => (kind === "ClusterRole" ? fromCluster(name) : undefined))];
}

async function namespaceGrants(user: UserInfo, namespace: string, source: PolicySource): Promise<Grant[]> {
  const [cluster, ns] = await Promise.all([source.cluster(), source.namespace(namespace)]);
  const fromCluster = clusterRules(cluster);
  const fromRole = (name: string) => ns.roles.find((r) => r.metadata.name === name)?.rules ?? undefined;
  return [...grants(user, ns.roleBindings, (kind, name) => (kind === "Role" ? fromRole(name) : kind === "ClusterRole" ? fromCluster(name) : undefined))];
}

/** Every grant that applies to the user for requests in `namespace` ("" = cluster scope only). */
export async function grantsFor(user: UserInfo, namespace: string, source: PolicySource): Promise<Grant[]> {
  return [...(await clusterGrants(user, source)), ...(namespace ? await namespaceGrants(user, namespace, source) : [])];
}

export async function authorize(user: UserInfo, attrs: RequestAttributes, source: PolicySource): Promise<Decision> {
  const check = (list: Grant[]) => list.find((g) => g.rules.some((r) => ruleAllows(attrs, r)));
  // Cluster bindings first: most grants live there, and the namespace's bindings need a second fetch.
  let hit = check(await clusterGrants(user, source));
  if (!hit && attrs.kind === "resource" && attrs.namespace) hit = check(await namespaceGrants(user, attrs.namespace, source));
  return hit ? { allowed: true, reason: `RBAC: allowed by ${describe(hit)}` } : { allowed: false, reason: "" };
}
