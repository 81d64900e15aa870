/**
 * authentication.k8s.io/v1 SelfSubjectReview: "who am I" (`kubectl auth
 * whoami`). The client sends it empty; the server answers with the identity
 * it authenticated, and never stores it.
 */
import { z } from "zod";
import { ObjectMeta } from "./meta.js";

export const UserInfo = z.looseObject({
  username: z.string().optional(),
  uid: z.string().optional(),
  groups: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.array(z.string())).optional(),
});
export type UserInfo = z.infer<typeof UserInfo>;

export const SelfSubjectReview = z.looseObject({
  apiVersion: z.literal("authentication.k8s.io/v1").optional(),
  kind: z.literal("SelfSubjectReview").optional(),
  metadata: ObjectMeta.optional(),
  status: z.looseObject({ userInfo: UserInfo.optional() }).optional(),
});
export type SelfSubjectReview = z.infer<typeof SelfSubjectReview>;
