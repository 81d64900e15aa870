/** rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding. */
import { z } from "zod";
import { LabelSelector, ObjectMeta } from "./meta.js";

const strings = () => z.array(z.string());

export const PolicyRule = z
  .looseObject({
    verbs: strings().describe('Verbs the rule allows ("get", "list", ..., or "*").'),
    apiGroups: strings().optional().describe('API groups of the resources; "" is the core group, "*" any.'),
    resources: strings().optional().describe('Resources, "resource/subresource", "*/subresource" or "*".'),
    resourceNames: strings().optional().describe("Object names the rule is limited to; empty means all."),
    nonResourceURLs: strings().optional().describe('Paths such as "/version" or "/apis/*" (cluster roles only).'),
  })
  .describe("One set of permitted actions.");
export type PolicyRule = z.infer<typeof PolicyRule>;

export const AggregationRule = z.looseObject({ clusterRoleSelectors: z.array(LabelSelector).optional() });

export const Subject = z.looseObject({
  kind: z.string().describe('"User", "Group" or "ServiceAccount".'),
  apiGroup: z.string().optional(),
  name: z.string(),
  namespace: z.string().optional(),
});
export type Subject = z.infer<typeof Subject>;

export const RoleRef = z.looseObject({
  apiGroup: z.string(),
  kind: z.string().describe('"Role" or "ClusterRole".'),
  name: z.string(),
});
export type RoleRef = z.infer<typeof RoleRef>;

const rules = z.array(PolicyRule).nullable().optional();

export const Role = z.looseObject({
  apiVersion: z.literal("rbac.authorization.k8s.io/v1").optional(),
  kind: z.literal("Role").optional(),
  metadata: ObjectMeta,
  rules,
});
export type Role = z.infer<typeof Role>;

export const ClusterRole = z.looseObject({
  apiVersion: z.literal("rbac.authorization.k8s.io/v1").optional(),
  kind: z.literal("ClusterRole").optional(),
  metadata: ObjectMeta,
  rules,
  aggregationRule: AggregationRule.optional().describe("Stored as given; rules are not aggregated from other roles here."),
});
export type ClusterRole = z.infer<typeof ClusterRole>;

const binding = <K extends string>(kind: K) =>
  z.looseObject({
    apiVersion: z.literal("rbac.authorization.k8s.io/v1").optional(),
    kind: z.literal(kind).optional(),
    metadata: ObjectMeta,
    subjects: z.array(Subject).nullable().optional(),
    roleRef: RoleRef.describe("The role granted; cannot be changed after creation."),
  });

export const RoleBinding = binding("RoleBinding");
export type RoleBinding = z.infer<typeof RoleBinding>;

export const ClusterRoleBinding = binding("ClusterRoleBinding");
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBinding>;
