/**
 * authorization.k8s.io/v1 access reviews: questions to the authorizer that
 * are answered in the response and never stored (`kubectl auth can-i`).
 */
import { z } from "zod";
import { ObjectMeta } from "./meta.js";

export const ResourceAttributes = z.looseObject({
  namespace: z.string().optional(),
  verb: z.string().optional(),
  group: z.string().optional(),
  version: z.string().optional(),
  resource: z.string().optional(),
  subresource: z.string().optional(),
  name: z.string().optional(),
});
export type ResourceAttributes = z.infer<typeof ResourceAttributes>;

export const NonResourceAttributes = z.looseObject({ path: z.string().optional(), verb: z.string().optional() });
export type NonResourceAttributes = z.infer<typeof NonResourceAttributes>;

export const SubjectAccessReviewStatus = z.looseObject({
  allowed: z.boolean(),
  denied: z.boolean().optional(),
  reason: z.string().optional(),
  evaluationError: z.string().optional(),
});

const review = <K extends string>(kind: K, spec: z.ZodType) =>
  z.looseObject({
    apiVersion: z.literal("authorization.k8s.io/v1").optional(),
    kind: z.literal(kind).optional(),
    metadata: ObjectMeta.optional(),
    spec,
    status: SubjectAccessReviewStatus.optional(),
  });

export const SelfSubjectAccessReview = review(
  "SelfSubjectAccessReview",
  z.looseObject({ resourceAttributes: ResourceAttributes.optional(), nonResourceAttributes: NonResourceAttributes.optional() }),
);

export const SubjectAccessReview = review(
  "SubjectAccessReview",
  z.looseObject({
    resourceAttributes: ResourceAttributes.optional(),
    nonResourceAttributes: NonResourceAttributes.optional(),
    user: z.string().optional(),
    groups: z.array(z.string()).optional(),
    uid: z.string().optional(),
    extra: z.record(z.string(), z.array(z.string())).optional(),
  }),
);

const rulesStatus = z.looseObject({
  resourceRules: z.array(
    z.looseObject({
      verbs: z.array(z.string()),
      apiGroups: z.array(z.string()).optional(),
      resources: z.array(z.string()).optional(),
      resourceNames: z.array(z.string()).optional(),
    }),
  ),
  nonResourceRules: z.array(z.looseObject({ verbs: z.array(z.string()), nonResourceURLs: z.array(z.string()).optional() })),
  incomplete: z.boolean(),
  evaluationError: z.string().optional(),
});

export const SelfSubjectRulesReview = z.looseObject({
  apiVersion: z.literal("authorization.k8s.io/v1").optional(),
  kind: z.literal("SelfSubjectRulesReview").optional(),
  metadata: ObjectMeta.optional(),
  spec: z.looseObject({ namespace: z.string().optional() }),
  status: rulesStatus.optional(),
});
