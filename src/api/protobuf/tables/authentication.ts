/** k8s.io/api/authentication/v1: the SelfSubjectReview `kubectl auth whoami` sends (generated.proto). */
import { list, mapOf, msg, str, type MessageTable } from "../fields.js";

export const authentication: Record<string, MessageTable> = {
  // kubectl sends it empty; the status is answered in JSON.
  "authentication.SelfSubjectReview": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("status", "authentication.SelfSubjectReviewStatus"),
  },
  "authentication.SelfSubjectReviewStatus": { 1: msg("userInfo", "authentication.UserInfo") },
  "authentication.UserInfo": {
    1: str("username"),
    2: str("uid"),
    3: list(str("groups")),
    4: mapOf("extra", "stringList"),
  },
};
