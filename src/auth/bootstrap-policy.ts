/**
 * The built-in ClusterRoles and ClusterRoleBindings, as upstream's RBAC
 * bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) writes
 * them, limited to the resources this control plane serves. admin, edit and
 * view are aggregated upstream; here their rules are written out in full,
 * because ClusterRole aggregation is not run (aggregationRule is stored only).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from "../schema/rbac.js";
import { NODE_ROLE_RULES } from "./node-rules.js";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

export const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const AUTOUPDATE = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

/** system:aggregate-to-view */
const viewRules: PolicyRule[] = [
  rule(READ, [""], ["configmaps", "endpoints", "pods", "serviceaccounts", "services", "services/status"]),
  rule(READ, [""], ["events", "namespaces/status", "pods/log", "pods/status"]),
  rule(READ, [""], ["namespaces"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, ["apps"], [
    "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
    "replicasets", "replicasets/scale", "replicasets/status",
  ]),
  rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
  rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status"]),
];

/** system:aggregate-to-edit (exec/attach/port-forward kept as upstream has them, for when they are served). */
const editRules: PolicyRule[] = [
  rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "secrets"]),
  rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(WRITE, [""], ["configmaps", "events", "secrets", "serviceaccounts", "services"]),
  rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/scale", "replicasets", "replicasets/scale"]),
  rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
  rule(WRITE, ["networking.k8s.io"], ["ingresses"]),
  rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
];

/** system:aggregate-to-admin */
const adminRules: PolicyRule[] = [rule(READ_WRITE, ["rbac.authorization.k8s.io"], ["rolebindings", "roles"])];

const clusterRole = (name: string, rules: PolicyRule[], labels: Record<string, string> = {}): ClusterRole => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...labels }, annotations: { ...AUTOUPDATE } },
  rules,
});

const toGroups = (name: string, role: string, groups: string[]): ClusterRoleBinding => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
  subjects: groups.map((g) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: g })),
});

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
    clusterRole("admin", [...adminRules, ...editRules, ...viewRules]),
    clusterRole("edit", [...editRules, ...viewRules], { "rbac.authorization.k8s.io/aggregate-to-admin": "true" }),
    clusterRole("view", viewRules, { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }),
    clusterRole("system:discovery", [
      urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]),
    ]),
    clusterRole("system:public-info-viewer", [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
    clusterRole("system:basic-user", [
      rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
      rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
    ]),
    // Join tokens may only spend themselves on the join endpoint (kubeadm binds this role to system:bootstrappers).
    clusterRole("system:node-bootstrapper", [urls(["post"], ["/kubeflare/v1/join"])]),
    // Not bound to anyone, as upstream since 1.8: the node authorizer grants it, object by object.
    clusterRole("system:node", NODE_ROLE_RULES),
  ];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    toGroups("cluster-admin", "cluster-admin", ["system:masters"]),
    toGroups("system:discovery", "system:discovery", ["system:authenticated"]),
    toGroups("system:public-info-viewer", "system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
    toGroups("system:basic-user", "system:basic-user", ["system:authenticated"]),
    toGroups("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", ["system:bootstrappers"]),
  ];
}
