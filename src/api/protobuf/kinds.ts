/**
 * Which message a protobuf body's `raw` bytes hold, by the apiVersion and
 * kind in its typeMeta. Only kinds listed here can be decoded; kubectl sends
 * protobuf for its `create` generators, `auth can-i`, `auth whoami` and drain.
 */
/** "apiVersion/kind" → table key. */
export const KINDS: ReadonlyMap<string, string> = new Map<string, string>([
  ["v1/Namespace", "core.Namespace"],
  ["v1/ConfigMap", "core.ConfigMap"],
  ["v1/Secret", "core.Secret"],
  ["v1/ServiceAccount", "core.ServiceAccount"],
  ["v1/Service", "core.Service"],
  ["v1/Pod", "core.Pod"],
  ["v1/ResourceQuota", "core.ResourceQuota"],
  ["apps/v1/Deployment", "apps.Deployment"],
  ["apps/v1/ReplicaSet", "apps.ReplicaSet"],
  ["batch/v1/Job", "batch.Job"],
  ["batch/v1/CronJob", "batch.CronJob"],
  ["networking.k8s.io/v1/Ingress", "networking.Ingress"],
  ["rbac.authorization.k8s.io/v1/Role", "rbac.Role"],
  ["rbac.authorization.k8s.io/v1/ClusterRole", "rbac.ClusterRole"],
  ["rbac.authorization.k8s.io/v1/RoleBinding", "rbac.RoleBinding"],
  ["rbac.authorization.k8s.io/v1/ClusterRoleBinding", "rbac.ClusterRoleBinding"],
  ["authentication.k8s.io/v1/SelfSubjectReview", "authentication.SelfSubjectReview"],
  ["authorization.k8s.io/v1/SelfSubjectAccessReview", "authorization.SelfSubjectAccessReview"],
  ["authorization.k8s.io/v1/SelfSubjectRulesReview", "authorization.SelfSubjectRulesReview"],
  ["authorization.k8s.io/v1/SubjectAccessReview", "authorization.SubjectAccessReview"],
  ["policy/v1/Eviction", "policy.Eviction"],
]);

/** The table key for apiVersion/kind, or undefined when the kind is not decodable. */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  // metav1.AddToGroupVersion registers DeleteOptions in every group version,
  // so a DELETE body may name any of them.
  if (kind === "DeleteOptions") return "meta.DeleteOptions";
  return KINDS.get(`${apiVersion}/${kind}`);
}

