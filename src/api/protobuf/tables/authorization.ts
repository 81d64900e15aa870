/** k8s.io/api/authorization/v1: the access reviews `kubectl auth can-i` sends (generated.proto). */
import { bool, keepZero, list, mapOf, msg, str, type MessageTable } from "../fields.js";

export const authorization: Record<string, MessageTable> = {
  "authorization.SelfSubjectAccessReview": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "authorization.SelfSubjectAccessReviewSpec"),
    3: msg("status", "authorization.SubjectAccessReviewStatus"),
  },
  "authorization.SelfSubjectAccessReviewSpec": {
    1: msg("resourceAttributes", "authorization.ResourceAttributes"),
    2: msg("nonResourceAttributes", "authorization.NonResourceAttributes"),
  },
  // `kubectl auth can-i --list` asks with the spec only; the status is answered in JSON.
  "authorization.SelfSubjectRulesReview": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "authorization.SelfSubjectRulesReviewSpec"),
  },
  "authorization.SelfSubjectRulesReviewSpec": { 1: str("namespace") },
  "authorization.SubjectAccessReview": {
    1: msg("metadata", "meta.ObjectMeta"),
    2: msg("spec", "authorization.SubjectAccessReviewSpec"),
    3: msg("status", "authorization.SubjectAccessReviewStatus"),
  },
  "authorization.SubjectAccessReviewSpec": {
    1: msg("resourceAttributes", "authorization.ResourceAttributes"),
    2: msg("nonResourceAttributes", "authorization.NonResourceAttributes"),
    3: str("user"),
    4: list(str("groups")),
    5: mapOf("extra", "stringList"),
    6: str("uid"),
  },
  "authorization.ResourceAttributes": {
    1: str("namespace"),
    2: str("verb"),
    3: str("group"),
    4: str("version"),
    5: str("resource"),
    6: str("subresource"),
    7: str("name"),
    8: msg("fieldSelector", "authorization.FieldSelectorAttributes"),
    9: msg("labelSelector", "authorization.LabelSelectorAttributes"),
  },
  "authorization.FieldSelectorAttributes": {
    1: str("rawSelector"),
    2: list(msg("requirements", "authorization.FieldSelectorRequirement")),
  },
  "authorization.FieldSelectorRequirement": { 1: str("key"), 2: str("operator"), 3: list(str("values")) },
  "authorization.LabelSelectorAttributes": {
    1: str("rawSelector"),
    2: list(msg("requirements", "meta.LabelSelectorRequirement")),
  },
  "authorization.NonResourceAttributes": { 1: str("path"), 2: str("verb") },
  // allowed has no omitempty in Go: kubectl's JSON carries `"allowed": false`.
  "authorization.SubjectAccessReviewStatus": {
    1: keepZero(bool("allowed")),
    4: bool("denied"),
    2: str("reason"),
    3: str("evaluationError"),
  },
};
