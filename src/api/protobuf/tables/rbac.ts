/** k8s.io/api/rbac/v1: Role, ClusterRole and their bindings (generated.proto). */
import { list, msg, str, type MessageTable } from "../fields.js";

export const rbac: Record<string, MessageTable> = {
  "rbac.Role": { 1: msg("metadata", "meta.ObjectMeta"), 2: list(msg("rules", "rbac.PolicyRule")) },
  "rbac.ClusterRole": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: list(msg("rules", "rbac.PolicyRule")),
    3: msg("aggregationRule", "rbac.AggregationRule"),
  },
  "rbac.RoleBinding": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: list(msg("subjects", "rbac.Subject")),
    3: msg("roleRef", "rbac.RoleRef"),
  },
  "rbac.ClusterRoleBinding": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: list(msg("subjects", "rbac.Subject")),
    3: msg("roleRef", "rbac.RoleRef"),
  },
  "rbac.PolicyRule": {
    1: list(str("verbs")),
    2: list(str("apiGroups")),
    3: list(str("resources")),
    4: list(str("resourceNames")),
    5: list(str("nonResourceURLs")),
  },
  "rbac.AggregationRule": { 1: list(msg("clusterRoleSelectors", "meta.LabelSelector")) },
  "rbac.Subject": { 1: str("kind"), 2: str("apiGroup"), 3: str("name"), 4: str("namespace") },
  "rbac.RoleRef": { 1: str("apiGroup"), 2: str("kind"), 3: str("name") },
};
