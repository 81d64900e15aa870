/**
 * What a node may do beyond the objects the node authorizer relates to it
 * (src/auth/node-restriction.ts). Upstream keeps the same split: per-object
 * checks for pods, nodes, leases, secrets and configmaps, static rules for
 * everything else (NodeRules in bootstrappolicy).
 */
import type { PolicyRule } from "../schema/rbac.js";

const READ = ["get", "list", "watch"];
const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });

/**
 * Rules evaluated as RBAC rules for node identities. Reading every Service,
 * Endpoints, EndpointSlice, Ingress and IngressClass is deliberate: the agent
 * is also its node's kube-proxy and ingress proxy (docs/security.md).
 */
export const NODE_STATIC_RULES: PolicyRule[] = [
  rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
  rule(READ, [""], ["nodes", "services", "endpoints"]),
  rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
  rule(READ, ["networking.k8s.io"], ["ingresses", "ingressclasses"]),
  rule(["create", "patch", "update"], [""], ["events"]),
];

/** The whole grant, coarse as RBAC can say it, for the stored system:node ClusterRole (documentation of the grant). */
export const NODE_ROLE_RULES: PolicyRule[] = [
  ...NODE_STATIC_RULES,
  rule(["create", "patch", "update"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule(["delete", "get", "list", "watch"], [""], ["pods"]),
  rule(["get", "patch", "update"], [""], ["pods/status"]),
  rule(["get"], [""], ["configmaps", "secrets"]),
  rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
];
